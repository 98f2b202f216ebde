# make bench-api: p50/p95 of a country-day GET /api/readings (JSON, default limit) with a day of
# hourly snapshots (35,000-entry feeds x 24, same seed) in dynalite, the API under gunicorn.
# The day is loaded once into var/bench-dynalite (minutes) and reused. A benchmark, not a test.
.PHONY: bench-api
bench-api: install
	$(PY) bench/api_latency.py
