# One gitmoxi_lambda_deployment per <prefix>_lambdadef.json in var.path, Gitmoxi's repository
# layout read the way Gitmoxi reads it: every file of a prefix is rendered with that prefix's
# input (plus the files its `ref` names), then the deployment file is mapped onto the resource.

locals {
  repo_root = var.repo_root != null ? var.repo_root : path.root

  prefixes = toset([
    for f in fileset(var.path, "*_lambdadef.json") : trimsuffix(f, "_lambdadef.json")
  ])

  # The first file that exists among Gitmoxi's two spellings, or null.
  input_files = {
    for p in local.prefixes : p => try([
      for n in ["${p}_lambdainput.json", "${p}_input.json"] : "${var.path}/${n}"
      if fileexists("${var.path}/${n}")
    ][0], null)
  }
  depdef_files = {
    for p in local.prefixes : p => try([
      for n in ["${p}_lambdadepdef.json", "${p}_depdef.json"] : "${var.path}/${n}"
      if fileexists("${var.path}/${n}")
    ][0], null)
  }
  event_source_files = {
    for p in local.prefixes : p => "${var.path}/${p}_lambdaeventsourcedef.json"
    if fileexists("${var.path}/${p}_lambdaeventsourcedef.json")
  }

  # Decoding "{}" rather than choosing between {} and an object keeps both branches one type.
  inputs = {
    for p, f in local.input_files : p => jsondecode(f == null ? "{}" : file(f))
  }

  # `"ref": {"file": "a.json" | ["a.json", ...], "type": "TERRAFORM" | "JSON"}`, paths relative
  # to the repository root.
  refs = {
    for p, input in local.inputs : p => [
      for f in flatten([try(input.ref.file, [])]) : {
        path = "${local.repo_root}/${trimprefix(f, "/")}"
        type = upper(try(input.ref.type, "JSON"))
      }
    ]
  }

  # A TERRAFORM file is `terraform output -json`: each output's value, sensitive ones kept
  # sensitive. A JSON file is a plain object. Filters, not conditionals: Terraform marks a
  # conditional sensitive when either branch is, and a filtered-out element is never evaluated.
  ref_values = {
    for p, refs in local.refs : p => [
      for r in refs : merge(
        {
          for k, o in jsondecode(file(r.path)) : k => sensitive(o.value)
          if r.type == "TERRAFORM" && try(o.sensitive, false)
        },
        {
          for k, o in jsondecode(file(r.path)) : k => o.value
          if r.type == "TERRAFORM" && !try(o.sensitive, false)
        },
        { for k, v in jsondecode(file(r.path)) : k => v if r.type != "TERRAFORM" },
      )
    ]
  }

  # What the templates see: the referenced files' values under the input's own keys.
  vars = {
    for p, input in local.inputs : p => merge(concat(
      local.ref_values[p],
      [{ for k, v in input : k => v if k != "ref" }],
    )...)
  }

  rendered_definitions = {
    for p in local.prefixes : p => provider::gitmoxi::render(file("${var.path}/${p}_lambdadef.json"), local.vars[p])
  }
  # Re-encoded only when there are defaults to merge: the resource compares definitions as JSON,
  # so spacing and key order do not matter either way.
  definitions = {
    for p, d in local.rendered_definitions : p => (
      length(var.defaults.definition) == 0 ? d : jsonencode(merge(var.defaults.definition, jsondecode(d)))
    )
  }

  deployment_files = {
    for p, f in local.depdef_files : p => jsondecode(f == null ? "{}" : provider::gitmoxi::render(file(f), local.vars[p]))
  }

  # The event sources of each prefix, rendered like the definition.
  event_sources = {
    for p, f in local.event_source_files : p => provider::gitmoxi::render(file(f), local.vars[p])
  }

  settings = {
    for p, d in local.deployment_files : p => {
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

  package_files = {
    for p in local.prefixes : p => (
      lookup(var.defaults.packages, p, null) != null ? var.defaults.packages[p] :
      fileexists("${var.path}/${p}.zip") && !can(jsondecode(local.definitions[p]).Code) ? "${var.path}/${p}.zip" :
      null
    )
  }
}

resource "gitmoxi_lambda_deployment" "this" {
  for_each = local.prefixes

  function_definition   = local.definitions[each.key]
  package_file          = local.package_files[each.key]
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
      condition     = alltrue([for r in local.refs[each.key] : contains(["TERRAFORM", "JSON"], r.type)])
      error_message = "The input file of \"${each.key}\" has a ref.type other than TERRAFORM or JSON: ${jsonencode([for r in local.refs[each.key] : r.type])}."
    }
  }
}
