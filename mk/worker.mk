# Export worker: benchmark (figures, not a test; prints the machine's core count with them).
.PHONY: bench-export
bench-export: install
	$(PY) bench/export_throughput.py --sensors 8000 --snapshots 6 --jobs 4
