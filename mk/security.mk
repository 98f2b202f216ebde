# Security scans: secrets (in `make test`) and a dependency audit (a report; needs PyPI's JSON API).
.PHONY: secrets secrets-baseline audit

# Fails when a tracked file holds something that looks like a secret and is not in the baseline.
secrets: install
	$(PY) scripts/check_secrets.py

# Re-create the baseline from the tracked files; review the diff: every entry must be a false positive.
secrets-baseline: install
	git ls-files -z ':!.secrets.baseline' | xargs -0 $(VENV)/bin/detect-secrets scan > .secrets.baseline

# Known vulnerabilities in the pinned dependencies of the venv (pip-audit against PyPI's advisory
# data). A report, not a gate: an advisory published tomorrow must not break an unrelated build.
audit: install
	$(VENV)/bin/pip-audit -s pypi --progress-spinner off || echo "audit: findings above (or PyPI's JSON API unreachable)"
