# Containers: the four images, the stand-ins, Prometheus and Grafana (compose.yaml), with whichever of
# docker or podman answers (scripts/containers.sh; podman runs everything on the host network here).
#
#   make images   build the images (debootstrap bases first where official images cannot be pulled)
#   make up       build and start the stack, print the web, Grafana and Prometheus URLs
#   make ingest   run the ingest service once in the running stack (airq-ingest --once)
#   make logs     follow the stack's logs
#   make down     stop and remove the stack's containers (data volumes are kept)
#   make e2e      the container end-to-end test: build, start, ingest, query, export with two
#                 workers, metrics and Prometheus targets through the web port, then stop everything
#
# WORKERS=N (make up): N export workers (docker: --scale; host networking: at most 2, worker-2).
.PHONY: images up down logs ingest e2e
CONTAINERS := scripts/containers.sh

images:
	$(CONTAINERS) images

up:
	AIRQ_WORKERS=$(or $(WORKERS),1) $(CONTAINERS) up

down:
	$(CONTAINERS) down

logs:
	$(CONTAINERS) logs

ingest:
	$(CONTAINERS) ingest

e2e: install
	AIRQ_E2E_CONTAINERS=1 $(VENV)/bin/pytest -p no:cacheprovider tests/e2e/containers
