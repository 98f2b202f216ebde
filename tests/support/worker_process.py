"""`airq-worker` as a real subprocess against the stand-ins, and bounded waits with clear failures."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from airq.config import Settings
from tests.conftest import settings_env
from tests.support.metrics import metric_total
from tests.support.standins import free_port, stop_process, subprocess_env, wait_http

WORKER = Path(sys.executable).parent / "airq-worker"
T = TypeVar("T")


def wait_for(
    probe: Callable[[], T],
    timeout: float,
    what: str,
    interval: float = 0.05,
    diagnostics: Callable[[], str] | None = None,
) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` (and diagnostics) on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    extra = f"\n--- diagnostics ---\n{diagnostics()}" if diagnostics else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last probe: {last!r}){extra}")


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path
    metrics_port: int | None

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def send(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"airq-worker (pid {self.pid}) still running after {timeout}s\n{self.log_tail()}"
            ) from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Cleanup: SIGTERM, then SIGKILL if it does not exit."""
        stop_process(self.process, timeout=30)

    def get(self, path: str) -> tuple[int, str]:
        assert self.metrics_port, "this worker was started without a metrics port"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def metric(self, name: str, **labels: str) -> float:
        """One metric's value, e.g. metric("airq_worker_jobs_total", state="done")."""
        _, text = self.get("/metrics")
        return metric_total(text, name, **labels)


def start_worker(
    aws_env: dict[str, str],
    settings: Settings,
    log_dir: Path,
    *,
    options: dict[str, str] | None = None,
    metrics: bool = True,
) -> WorkerProcess:
    """Start `airq-worker` with `settings` (AIRQ_*), the stand-ins' AWS_* variables and worker options
    (AIRQ_WORKER_*). Waits until its metrics endpoint answers when `metrics` is set."""
    port = free_port() if metrics else 0
    env = subprocess_env(
        {
            **aws_env,
            **settings_env(settings),
            "AIRQ_BIND_HOST": "127.0.0.1",
            "AIRQ_METRICS_PORT": str(port),
            "AIRQ_WORKER_WAIT_SECONDS": "1",
            "AIRQ_WORKER_RETRY_BACKOFF": "0",
            "AIRQ_WORKER_MONITOR_INTERVAL": "1",
            "AIRQ_WORKER_PROGRESS_INTERVAL": "0.2",
            **(options or {}),
        }
    )
    log_path = log_dir / f"worker-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(WORKER)], env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = WorkerProcess(process, log_path, port or None)
    if metrics:
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=30, process=process)
        except RuntimeError as exc:
            worker.stop()
            raise AssertionError(f"{exc}\n{worker.log_tail()}") from None
    return worker
