# One gitmoxi_lambda_deployment per *_lambdadef.json under var.path (at any depth), Gitmoxi's
# repository layout read the way Gitmoxi reads it: every file of a definition is rendered with
# the input beside it (plus the files its `ref` names), then the deployment file is mapped onto
# the resource.

locals {
  repo_root = var.repo_root != null ? var.repo_root : path.root

  # Every definition file under var.path, subfolders included, except in hidden folders
  # (.terraform, .git: a downloaded copy of this module holds test fixtures) and, when this
  # module lies below var.path (vendored into the repository), in this module's own folder.
  module_dir = "${abspath(path.module)}/"
  module_below_path = (
    startswith(local.module_dir, "${abspath(var.path)}/") && !startswith("${abspath(var.path)}/", local.module_dir)
  )
  definition_files = [
    for f in fileset(var.path, "**/*_lambdadef.json") : f
    if !can(regex("(^|/)\\.[^/]*/", f)) && !(local.module_below_path && startswith("${abspath(var.path)}/${f}", local.module_dir))
  ]

  # The key of a definition is its path under var.path without "_lambdadef.json": "api" for
  # api_lambdadef.json (the plain prefix, as before subfolders were read), "orders/api" for
  # orders/api_lambdadef.json. Two files never share a path, so two keys never collide, and a
  # key changes only when its file moves. "${var.path}/${key}" is the stem of its other files.
  keys = toset([for f in local.definition_files : trimsuffix(f, "_lambdadef.json")])

  # The first file that exists among Gitmoxi's two spellings, or null, beside the definition.
  input_files = {
    for k in local.keys : k => try([
      for n in ["${k}_lambdainput.json", "${k}_input.json"] : "${var.path}/${n}"
      if fileexists("${var.path}/${n}")
    ][0], null)
  }
  depdef_files = {
    for k in local.keys : k => try([
      for n in ["${k}_lambdadepdef.json", "${k}_depdef.json"] : "${var.path}/${n}"
      if fileexists("${var.path}/${n}")
    ][0], null)
  }
  event_source_files = {
    for k in local.keys : k => "${var.path}/${k}_lambdaeventsourcedef.json"
    if fileexists("${var.path}/${k}_lambdaeventsourcedef.json")
  }

  # Decoding "{}" rather than choosing between {} and an object keeps both branches one type.
  inputs = {
    for k, f in local.input_files : k => jsondecode(f == null ? "{}" : file(f))
  }

  # `"ref": {"file": "a.json" | ["a.json", ...], "type": "TERRAFORM" | "JSON"}`, paths relative
  # to the repository root. A path that could leave it (an absolute path, a `..` segment) is
  # never read: the resource's precondition names it instead.
  refs = {
    for k, input in local.inputs : k => [
      for f in flatten([try(input.ref.file, [])]) : {
        file = f
        path = "${local.repo_root}/${f}"
        type = upper(try(input.ref.type, "JSON"))
        inside = (
          !can(regex("^([/\\\\]|[A-Za-z]:)", f)) &&
          !can(regex("(^|[/\\\\])\\.\\.([/\\\\]|$)", f))
        )
      }
    ]
  }
  refs_outside = {
    for k, refs in local.refs : k => [for r in refs : r.file if !r.inside]
  }
  refs_bad_type = {
    for k, refs in local.refs : k => [for r in refs : r.type if !contains(["TERRAFORM", "JSON"], r.type)]
  }
  # Whether a key's refs can be read. When not, its files are rendered as "{}" (a template
  # might need a value only the refused file has) so that the precondition, which runs before
  # anything reaches the provider, is what reports the problem.
  refs_ok = {
    for k in local.keys : k => length(local.refs_outside[k]) == 0 && length(local.refs_bad_type[k]) == 0
  }

  # A TERRAFORM file is `terraform output -json`: each output's value, sensitive ones kept
  # sensitive. A JSON file is a plain object. Filters, not conditionals: Terraform marks a
  # conditional sensitive when either branch is, and a filtered-out element is never evaluated.
  ref_values = {
    for k, refs in local.refs : k => [
      for r in refs : merge(
        {
          for name, o in jsondecode(file(r.path)) : name => sensitive(o.value)
          if r.type == "TERRAFORM" && try(o.sensitive, false)
        },
        {
          for name, o in jsondecode(file(r.path)) : name => o.value
          if r.type == "TERRAFORM" && !try(o.sensitive, false)
        },
        { for name, v in jsondecode(file(r.path)) : name => v if r.type != "TERRAFORM" },
      ) if local.refs_ok[k]
    ]
  }

  # What the templates see: the referenced files' values under the input's own keys.
  vars = {
    for k, input in local.inputs : k => merge(concat(
      local.ref_values[k],
      [{ for name, v in input : name => v if name != "ref" }],
    )...)
  }

  rendered_definitions = {
    for k in local.keys : k => provider::gitmoxi::render(local.refs_ok[k] ? file("${var.path}/${k}_lambdadef.json") : "{}", local.vars[k])
  }
  # Re-encoded only when there are defaults to merge: the resource compares definitions as JSON,
  # so spacing and key order do not matter either way.
  definitions = {
    for k, d in local.rendered_definitions : k => (
      length(var.defaults.definition) == 0 ? d : jsonencode(merge(var.defaults.definition, jsondecode(d)))
    )
  }

  deployment_files = {
    for k, f in local.depdef_files : k => jsondecode(f == null || !local.refs_ok[k] ? "{}" : provider::gitmoxi::render(file(f), local.vars[k]))
  }

  # The event sources of each definition, rendered like the definition.
  event_sources = {
    for k, f in local.event_source_files : k => provider::gitmoxi::render(local.refs_ok[k] ? file(f) : "{}", local.vars[k])
  }

  settings = {
    for k, d in local.deployment_files : k => {
      alias = coalesce(try(d.alias, null), var.defaults.alias)

      # Older samples say `"trafficShiftingEnabled": false` for ALL_AT_ONCE with no wait, which
      # is what the resource does without a traffic_shifting block.
      traffic_shifting = (
        try(d.trafficShiftingEnabled, true) == false ? null :
        try(d.trafficShiftingConfig, null) != null ? {
          type          = try(d.trafficShiftingConfig.type, null)
          percent       = try(d.trafficShiftingConfig.percent, null)
          wait_interval = try(d.trafficShiftingConfig.waitInterval, null) == null ? null : (can(tonumber(d.trafficShiftingConfig.waitInterval)) ? "${tonumber(d.trafficShiftingConfig.waitInterval)}s" : d.trafficShiftingConfig.waitInterval)
          bake_time     = null
        } :
        var.defaults.traffic_shifting
      )

      # `"alarms": {"alarmNames": [...]}`, or a plain list in older files.
      alarms = try(tolist(d.alarms.alarmNames), tolist(d.alarms), var.defaults.alarms)

      readiness_check = try(d.readinessCheck, null) != null ? {
        wait_interval = try(d.readinessCheck.waitInterval, null) == null ? null : (can(tonumber(d.readinessCheck.waitInterval)) ? "${tonumber(d.readinessCheck.waitInterval)}s" : d.readinessCheck.waitInterval)
        max_retries   = try(d.readinessCheck.maxRetries, null)
        timeout       = null
      } : var.defaults.readiness_check
    }
  }

  # Code: defaults.packages[key], else <key>.zip beside the definition (when the definition has
  # no Code), else the definition's own Code.
  package_files = {
    for k in local.keys : k => (
      lookup(var.defaults.packages, k, null) != null ? var.defaults.packages[k] :
      fileexists("${var.path}/${k}.zip") && !can(jsondecode(local.definitions[k]).Code) ? "${var.path}/${k}.zip" :
      null
    )
  }
}

resource "gitmoxi_lambda_deployment" "this" {
  for_each = local.keys

  function_definition = local.definitions[each.key]
  package_file        = local.package_files[each.key]
  # The bucket stages a local package; a definition that gives its own Code has none to stage.
  package_s3_bucket     = local.package_files[each.key] == null ? null : var.defaults.package_s3_bucket
  event_sources         = lookup(local.event_sources, each.key, null)
  alias                 = local.settings[each.key].alias
  alarms                = local.settings[each.key].alarms
  retain_versions       = var.defaults.retain_versions
  delete_failed_version = var.defaults.delete_failed_version

  dynamic "traffic_shifting" {
    for_each = local.settings[each.key].traffic_shifting == null ? [] : [local.settings[each.key].traffic_shifting]
    content {
      type          = traffic_shifting.value.type
      percent       = traffic_shifting.value.percent
      wait_interval = traffic_shifting.value.wait_interval
      bake_time     = traffic_shifting.value.bake_time
    }
  }

  dynamic "readiness_check" {
    for_each = local.settings[each.key].readiness_check == null ? [] : [local.settings[each.key].readiness_check]
    content {
      wait_interval = readiness_check.value.wait_interval
      max_retries   = readiness_check.value.max_retries
      timeout       = readiness_check.value.timeout
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.refs_outside[each.key]) == 0
      error_message = "The input file ${local.input_files[each.key] == null ? "of ${each.key}" : local.input_files[each.key]} has ref.file paths outside the repository: ${join(", ", [for f in local.refs_outside[each.key] : jsonencode(f)])}. A ref.file path is relative to the repository root (repo_root: ${local.repo_root}), as in Gitmoxi, and may be neither absolute nor contain \"..\": write it from the repository root, or set repo_root to a folder that holds the file."
    }
    precondition {
      condition     = length(local.refs_bad_type[each.key]) == 0
      error_message = "The input file ${local.input_files[each.key] == null ? "of ${each.key}" : local.input_files[each.key]} has a ref.type other than TERRAFORM or JSON: ${jsonencode(local.refs_bad_type[each.key])}."
    }
  }
}
