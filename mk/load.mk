# Load tests (Locust) and their report: figures, not tests. Only ever against 127.0.0.1.
.PHONY: load load-quick
load: install
	$(PY) loadtest/run.py

load-quick: install
	$(PY) loadtest/run.py --quick --sensors 5000
