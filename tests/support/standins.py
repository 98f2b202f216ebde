"""Start and stop the AWS stand-ins (moto server, dynalite) as subprocesses on free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} before answering on {url}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error status
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on {url} within {timeout}s")


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class StandIn:
    name: str
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        stop_process(self.process)


def start_moto(log_dir: Path) -> StandIn:
    port = free_port()
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    log = (log_dir / f"moto-{port}.log").open("wb")
    process = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/moto-api/", process=process)
    return StandIn("moto", url, process)


def dynalite_command() -> list[str]:
    local = ROOT / "node_modules" / ".bin" / "dynalite"
    if not local.exists():
        raise RuntimeError("dynalite is not installed: run `make install` (npm install)")
    return [str(local)]


def start_dynalite(data_dir: Path, log_dir: Path, port: int | None = None) -> StandIn:
    port = port or free_port()
    log = (log_dir / f"dynalite-{port}.log").open("wb")
    process = subprocess.Popen(
        [*dynalite_command(), "--port", str(port), "--host", "127.0.0.1", "--path", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url, process=process)
    return StandIn("dynalite", url, process)


def aws_env(dynamodb_url: str, other_url: str) -> dict[str, str]:
    """Environment for a process that should use the stand-ins through the SDK's own variables."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret (stand-ins accept anything)
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL": other_url,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url,
    }


def subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRQ_"))}
    env.update(extra)
    return env
