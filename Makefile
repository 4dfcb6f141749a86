# The two commands of the README: `make book` and `make test`. Both set up what they need first.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: setup book test check pdf clean

$(STAMP): requirements.txt package-lock.json
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	  else echo "setup: Chromium/poppler missing; run: sudo apt-get install -y chromium poppler-utils" >&2; fi; }
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "setup: npm missing (needed for axe-core, the accessibility test); run: sudo apt-get install -y npm" >&2; fi; }
	@command -v npm >/dev/null 2>&1 && npm ci --silent --no-audit --no-fund || true
	@touch $(STAMP)

setup: $(STAMP)

book: setup
	$(PY) -m libyareport build

check: setup
	$(PY) -m libyareport check

pdf: setup
	$(PY) -m libyareport pdf

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf _build
