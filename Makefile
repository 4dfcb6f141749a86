# The two commands of the README: `make book` and `make test`. Both set up what they need first.
# `make quick` is the inner loop (no book builds, no browser); `make lint` runs ruff.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: setup book test quick lint check pdf clean

$(STAMP): requirements.txt pyproject.toml package-lock.json
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	  else echo "setup: Chromium/poppler missing; run: sudo apt-get install -y chromium poppler-utils" >&2; fi; }
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "setup: npm missing (needed for axe-core, the accessibility test); run: sudo apt-get install -y npm" >&2; fi; }
	npm ci --silent --no-audit --no-fund
	@touch $(STAMP)

setup: $(STAMP)

book: setup
	@$(BYTECODE)
	$(PY) -m libyareport build

# The package's bytecode is written once here, even where PYTHONDONTWRITEBYTECODE is set: the
# suite starts some eighty Python processes (kernels, commands), each would compile it again.
BYTECODE := PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q libyareport >/dev/null

test: setup
	@$(BYTECODE)
	$(PY) -m pytest -q -n 2 --dist loadgroup

quick: setup
	@$(BYTECODE)
	$(PY) -m pytest -q -n 2 -m "not book"

lint: setup
	.venv/bin/ruff check libyareport tests benchmarks

check: setup
	$(PY) -m libyareport check

pdf: setup
	$(PY) -m libyareport pdf

clean:
	rm -rf _build
