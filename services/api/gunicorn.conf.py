"""gunicorn settings of the API: `gunicorn -c services/api/gunicorn.conf.py 'airq.api.app:create_app()'`.

Sizing, for the 2-core machines the service runs on (EC2 task and laptops alike):
- workers = 2 (WEB_CONCURRENCY): one process per core. A request spends most of its time waiting
  for DynamoDB and the rest in Python (botocore parsing, JSON encoding) under its process's GIL, so
  more processes than cores buy little but memory (~70 MB each).
- worker_class gthread, threads = AIRQ_MAX_IN_FLIGHT + 4 per worker: threads overlap the DynamoDB
  waits. There are more threads than the in-flight limit on purpose, so an overload reaches the app,
  which sheds it at once (GET 503, POST /api/query 202), instead of queueing unseen in gunicorn; the 4
  spare threads keep /healthz, /readyz and /metrics answering under load.
- preload_app off: each worker builds the app after the fork (boto3 clients are lazy and per
  process anyway, see airq.aws).

Environment: AIRQ_BIND_HOST (default 0.0.0.0, as in a container; `make run` uses 127.0.0.1) and
PORT (default 8000); WEB_CONCURRENCY; PROMETHEUS_MULTIPROC_DIR (default: a fresh temporary
directory); AWS_MAX_ATTEMPTS (default 3 here: a user is waiting, so fail over to 503 quickly).
"""

import os
import shutil
import tempfile
from pathlib import Path

from airq.config import Settings
from airq.logs import setup_logging

_settings = Settings.from_env()

bind = f"{_settings.bind_host}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = _settings.max_in_flight + 4
preload_app = False
timeout = 60  # a worker silent this long is restarted (gthread heartbeats while threads work)
graceful_timeout = 30  # SIGTERM: finish in-flight requests (and CSV streams) for this long
keepalive = 5
limit_request_line = 8190
accesslog = None  # the app logs each request as a JSON line (airq.api.access)
control_socket_disable = True  # nothing manages gunicorn through it; instances would share its path
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"  # heartbeat files off a possibly slow container filesystem

os.environ.setdefault("AWS_MAX_ATTEMPTS", "3")

# Prometheus multiprocess mode: set before any worker imports prometheus_client, emptied at start.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="airq-api-metrics-")
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    setup_logging(_settings.log_level, "api")
    server.log.info("airq api on http://%s (workers=%s threads=%s)", bind, workers, threads)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
