"""The HTTP API (Flask, served by gunicorn): `airq.api.app:create_app()`.

Modules: `app` (factory, index, request hooks), `errors` (the one error shape), `guards` (rate
limit and load shedding), `metrics`, `health` (/healthz, /readyz, /metrics), `readings`
(/api/readings, /api/sensors/<id>), `paging` (budgeted pages and CSV streams), `exports`
(/api/exports, /api/query, /api/results), `catalogue` (/api/countries, /api/summary), `openapi`.
"""
