# Web page (services/web): build the static root, install the browser and nginx, browser tests.
#
#   make web-build         build/web: our files + Leaflet and Chart.js vendored from node_modules
#   make install-browser   Debian chromium (for Playwright) and nginx, via apt-get; a no-op when present
#   make test-web          the web tests: static checks, nginx and fallback over HTTP, Playwright
#   make web-serve         serve build/web on :8080 (nginx, else the Python fallback), API on :8000
.PHONY: web-build install-browser test-web web-serve

WEB_OUT ?= build/web
WEB_PACKAGES := chromium nginx

web-build: $(NODE_STAMP)
	$(PYTHON) services/web/build.py --out $(WEB_OUT)

# Idempotent: installs only what is missing, and runs `apt-get update` only when apt does not
# know a missing package yet (a fresh container has empty package lists). Never `playwright install`:
# the tests drive Debian's /usr/bin/chromium.
install-browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } || missing="$$missing nginx"; \
	if [ -z "$$missing" ]; then echo "install-browser: chromium and nginx are installed"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "install-browser: please install$$missing (no apt-get here; set AIRQ_CHROMIUM to a Chromium binary)" >&2; \
		exit 1; \
	fi; \
	sudo=""; if [ "$$(id -u)" != 0 ]; then sudo="sudo"; fi; \
	if ! apt-cache show $$missing >/dev/null 2>&1; then \
		echo "install-browser: apt-get update"; $$sudo apt-get update -qq; \
	fi; \
	echo "install-browser: apt-get install$$missing"; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing

test-web: install install-browser
	$(VENV)/bin/pytest tests/e2e/web

web-serve: $(NODE_STAMP)
	$(PYTHON) scripts/web_local.py
