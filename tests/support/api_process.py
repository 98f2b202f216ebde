"""Run the real API (gunicorn with services/api/gunicorn.conf.py) as a subprocess on a free port;
and a Flask test client that behaves like a server about closing responses."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.support.standins import ROOT, free_port, stop_process, subprocess_env, wait_http

GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "services" / "api" / "gunicorn.conf.py"


class ClosingClient(FlaskClient):
    """Reads and closes every response at once (`buffered`), as a WSGI server does when the body is
    sent; the app counts a request in flight until its response is closed. Pass buffered=False to
    look at a stream, and close it."""

    def open(self, *args, buffered: bool = True, **kwargs):  # type: ignore[override]
        return super().open(*args, buffered=buffered, **kwargs)


def closing_client(app: Flask) -> FlaskClient:
    app.test_client_class = ClosingClient
    return app.test_client()


@dataclass
class ApiProcess:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process, timeout=20)


def start_api(env: dict[str, str], log_dir: Path, name: str = "api", workers: int = 2) -> ApiProcess:
    """gunicorn on 127.0.0.1:<free port> with `env` (AWS_* and AIRQ_* of the test) and nothing else
    from this process's AWS_/AIRQ_ environment."""
    port = free_port()
    metrics_dir = log_dir / f"{name}-{port}-metrics"
    log_path = log_dir / f"{name}-{port}.log"
    full_env = subprocess_env(
        {
            "AWS_MAX_ATTEMPTS": "2",
            **env,
            "PORT": str(port),
            "AIRQ_BIND_HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONFIG), "airq.api.app:create_app()"],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", timeout=30, process=process)
    except RuntimeError:
        process.kill()
        log_tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the API did not start:\n{log_tail}") from None
    return ApiProcess(url, process, log_path)
