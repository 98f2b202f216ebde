# make bench-api: p50/p95 of a country-day GET /api/readings (JSON, default limit) with 1 day and
# with 7 days of hourly snapshots (35,000-entry feeds x 24 a day, same seed) in dynalite, the API
# under gunicorn. Each store is loaded once into var/ (~2 minutes for 1 day, ~15 for 7 the first
# time) and reused. BENCH_API_DAYS=1 skips the 7-day store. A benchmark, not a test.
BENCH_API_DAYS ?= 1,7
.PHONY: bench-api
bench-api: install
	$(PY) bench/api_latency.py --days $(BENCH_API_DAYS)
