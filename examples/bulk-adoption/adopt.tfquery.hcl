# Every function whose name starts with "orders-" and carries team = "orders", on its `live`
# alias. Each filter is optional; `limit` (default 100) caps the results.
list "gitmoxi_lambda_deployment" "orders_team" {
  provider = gitmoxi
  limit    = 500
  config {
    name_prefix = "orders-"
    alias       = "live"
    tags        = { team = "orders" }
  }
}
