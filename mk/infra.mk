# Terraform static checks and the cost model (issue 6). Included by the top-level Makefile, which
# defines VENV, PY, PYTHON and `install` (python-hcl2 comes with the dev extra). No terraform
# binary or provider registry is needed.
#
#   make test-infra   pytest tests/unit/infra, then checkov (0 failed checks required)
#   make checkov      checkov alone, in its own venv: in the project venv it would downgrade boto3
#                     and overwrite python-hcl2's `hcl2` package with bc-python-hcl2's
#   make cost         the monthly cost breakdown of the default sizing (us-east-1 list prices)

CHECKOV_VERSION := 3.3.30
CHECKOV_VENV    := .venv-checkov
CHECKOV_STAMP   := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
TF_DIR          := infra/terraform

.PHONY: checkov cost test-infra clean-infra

$(CHECKOV_STAMP):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

# Exits non-zero when any check fails; every skip carries its reason next to the resource.
checkov: $(CHECKOV_STAMP)
	$(CHECKOV_VENV)/bin/checkov -d $(TF_DIR) --framework terraform --skip-download --compact --quiet
	$(CHECKOV_VENV)/bin/checkov -d services --framework dockerfile --skip-download --compact --quiet

cost: install
	$(PY) bin/cost_model.py

test-infra: install
	$(VENV)/bin/pytest tests/unit/infra
	$(MAKE) --no-print-directory checkov

clean-infra:
	rm -rf $(CHECKOV_VENV)
