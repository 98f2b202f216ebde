# make run: the whole service on this machine, no containers, everything on 127.0.0.1.
#
# honcho starts the Procfile: dynalite (DynamoDB, data kept in var/dynalite across runs), moto
# server (SQS, S3; in memory), then scripts/run_local.py: resources and a first snapshot (the live
# feed, AIRQ_FEED_URL, or offline a generated one), the API under gunicorn, the worker, the ingest
# loop and the web page. It prints one URL. Ctrl-C stops everything.
#
#   make run API_PORT=8000 WEB_PORT=8080 DYNALITE_PORT=8001 MOTO_PORT=5001   (the defaults)
#   make run AIRQ_FEED_URL=var/my-feed.json
.PHONY: run

API_PORT ?= 8000
WEB_PORT ?= 8080
DYNALITE_PORT ?= 8001
MOTO_PORT ?= 5001

# The stand-ins take any credentials: these dummies keep a real AWS profile out of reach.
RUN_ENV := API_PORT=$(API_PORT) WEB_PORT=$(WEB_PORT) DYNALITE_PORT=$(DYNALITE_PORT) MOTO_PORT=$(MOTO_PORT) \
	AWS_ENDPOINT_URL=http://127.0.0.1:$(MOTO_PORT) \
	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$(DYNALITE_PORT) \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=eu-west-2 \
	AIRQ_BIND_HOST=127.0.0.1

run: install
	@mkdir -p var/dynalite var/run
	@env -u AWS_PROFILE -u AWS_SESSION_TOKEN $(RUN_ENV) $(PY) scripts/run_local.py preflight
	@env -u AWS_PROFILE -u AWS_SESSION_TOKEN $(RUN_ENV) $(VENV)/bin/honcho -f Procfile start
