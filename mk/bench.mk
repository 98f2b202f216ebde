# Benchmarks: figures, not tests. Each prints the machine's core count with its figures.
.PHONY: bench-ingest
bench-ingest: install
	$(PY) bench/ingest_throughput.py --sensors 35000

# All benchmarks in a row (each prints its figures with the machine's core count).
.PHONY: bench
bench: bench-ingest bench-api bench-export
