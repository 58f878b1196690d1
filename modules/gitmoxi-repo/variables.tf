variable "path" {
  description = <<-EOT
    Folder laid out the Gitmoxi way, read with its subfolders (any depth; hidden folders such as
    .terraform and .git are skipped): one `<prefix>_lambdadef.json` per function, and optionally
    `<prefix>_lambdainput.json` (or `<prefix>_input.json`), `<prefix>_lambdadepdef.json` (or
    `<prefix>_depdef.json`) and `<prefix>_lambdaeventsourcedef.json` beside it. Each function's
    key is the definition's path under this folder without `_lambdadef.json`: `api` for
    `api_lambdadef.json`, `orders/api` for `orders/api_lambdadef.json`.
  EOT
  type        = string

  validation {
    # fileset() of a folder that does not exist is empty: without this check a mistyped path
    # would plan to destroy every function the module made.
    condition     = length([for f in fileset(var.path, "**/*_lambdadef.json") : f if !can(regex("(^|/)\\.[^/]*/", f))]) > 0
    error_message = "The folder holds no <prefix>_lambdadef.json file, in itself or its subfolders (or does not exist). Check `path`; to remove every function, remove the module block instead."
  }
}

variable "repo_root" {
  description = "Folder that the `ref.file` paths of input files are relative to (Gitmoxi's paths are repository-relative); a `ref.file` that is absolute or has a `..` segment is a plan error. Null: the Terraform root module (`path.root`)."
  type        = string
  default     = null
}

variable "defaults" {
  description = <<-EOT
    Settings for what the files leave out. A deployment file's values win over these.
    - `alias`: alias that receives traffic when the deployment file names none (default "live").
    - `traffic_shifting`: `{ type, percent, wait_interval, bake_time }` when the deployment file
      has no `trafficShiftingConfig` (null: ALL_AT_ONCE with no wait).
    - `alarms`: alarm names when the deployment file has no `alarms`.
    - `readiness_check`: `{ wait_interval, max_retries, timeout }` when the deployment file has no
      `readinessCheck`.
    - `definition`: top-level CreateFunction keys (e.g. `{ Role = aws_iam_role.fn.arn }`) merged
      under every rendered definition; keys in the definition win.
    - `packages`: key (`api`, `orders/api`) → path of the function's .zip (`package_file`).
      Without one, a `<prefix>.zip` beside the definition is used when present and the
      definition has no `Code`.
    - `package_s3_bucket`: stage every function's package (`package_file`) in this bucket;
      functions whose definition gives its own `Code` have no package and ignore it.
    - `retain_versions`, `delete_failed_version`: passed to every function.
  EOT
  type = object({
    alias = optional(string, "live")
    traffic_shifting = optional(object({
      type          = optional(string)
      percent       = optional(number)
      wait_interval = optional(string)
      bake_time     = optional(string)
    }))
    alarms = optional(list(string))
    readiness_check = optional(object({
      wait_interval = optional(string)
      max_retries   = optional(number)
      timeout       = optional(string)
    }))
    definition            = optional(any, {})
    packages              = optional(map(string), {})
    package_s3_bucket     = optional(string)
    retain_versions       = optional(number)
    delete_failed_version = optional(bool)
  })
  default  = {}
  nullable = false
}
