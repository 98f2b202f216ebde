"""The container stack end to end (`make e2e`): build the four images and the stand-ins, start the
stack (compose.yaml), ingest a generated feed, then through the web port only: the page and its
assets, a query, a CSV download and an export run to completion by two workers; then each service's
/metrics, Prometheus's targets and every query of the Grafana dashboard; then stop everything.

It drives scripts/containers.sh exactly as `make up`/`make ingest`/`make down` do. With Podman (here)
the stack runs on the host network: every service on 127.0.0.1, each on a free port chosen below.
Runs only with AIRQ_E2E_CONTAINERS=1 (set by `make e2e`): it builds images and takes minutes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "containers.sh"
E2E_COMPOSE = Path(__file__).resolve().parent / "compose.e2e.yaml"
DASHBOARD = ROOT / "ops" / "grafana" / "dashboards" / "airq.json"
IMAGES = ("api", "worker", "ingest", "web", "dynalite", "moto")
SENSORS = 3000
READ_ONLY_SERVICES = ("api", "worker", "worker-2", "ingest", "web", "dynalite", "moto")

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("AIRQ_E2E_CONTAINERS") != "1",
        reason="container end-to-end test: run it with `make e2e` (builds images, takes minutes)",
    ),
    pytest.mark.timeout(1800),
]


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Stack:
    def __init__(self, env: dict[str, str], report: dict[str, Any]) -> None:
        self.env = env
        self.report = report
        self.engine = ""

    def port(self, name: str) -> int:
        return int(self.env[f"AIRQ_PORT_{name.upper()}"])

    def url(self, name: str, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port(name)}{path}"

    @property
    def web(self) -> str:
        return self.url("web", "")

    def script(self, *args: str, timeout: float = 1500, check: bool = True) -> subprocess.CompletedProcess:
        started = time.monotonic()
        result = subprocess.run(
            [str(SCRIPT), *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        self.report.setdefault("steps", []).append(
            {"step": " ".join(args), "seconds": round(time.monotonic() - started, 1), "rc": result.returncode}
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"scripts/containers.sh {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-6000:]}"
            )
        return result

    def engine_cmd(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if self.engine == "podman":  # runc with the rlimits this machine allows, as the script uses
            env["CONTAINERS_CONF"] = str(ROOT / "build" / "containers" / "containers.conf")
        return subprocess.run(
            [self.engine, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def container_ids(self) -> list[str]:
        label = "io.podman.compose.project" if self.engine == "podman" else "com.docker.compose.project"
        result = self.engine_cmd("ps", "-a", "-q", "--filter", f"label={label}={self.env['AIRQ_PROJECT']}")
        return result.stdout.split()

    def container_of(self, service: str) -> str:
        label = "io.podman.compose.service" if self.engine == "podman" else "com.docker.compose.service"
        project = "io.podman.compose.project" if self.engine == "podman" else "com.docker.compose.project"
        result = self.engine_cmd(
            "ps",
            "-q",
            "--filter",
            f"label={project}={self.env['AIRQ_PROJECT']}",
            "--filter",
            f"label={label}={service}",
        )
        ids = result.stdout.split()
        assert ids, f"no running container for {service}"
        return ids[0]

    def logs(self) -> str:
        out = []
        for cid in self.container_ids():
            result = self.engine_cmd("logs", "--tail", "40", cid)
            name = self.engine_cmd("inspect", "-f", "{{.Name}}", cid).stdout.strip()
            out.append(f"=== {name} ({cid[:12]})\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return "\n".join(out)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    started = time.monotonic()
    state = ROOT / "build" / "containers"
    work = state / f"e2e-{os.getpid()}"
    feed_dir = work / "feed"
    feed_dir.mkdir(parents=True, exist_ok=True)
    for path in (work, feed_dir):
        path.chmod(0o755)  # the containers run as uid 10001 and read the feed from here

    names = ("web", "api", "worker", "worker2", "ingest", "dynalite", "moto", "prometheus", "grafana")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRQ_"))}
    env.update({f"AIRQ_PORT_{n.upper()}": str(p) for n, p in zip(names, free_ports(len(names)), strict=True)})
    env.update(
        {
            "AIRQ_PROJECT": f"airq-e2e-{os.getpid()}",
            "AIRQ_WORKERS": "2",
            "AIRQ_E2E_FEED_DIR": str(feed_dir),
            "AIRQ_COMPOSE_FILES": str(E2E_COMPOSE),
        }
    )
    report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds")}
    stack = Stack(env, report)
    stack.engine = stack.script("engine", timeout=600).stdout.strip()
    report["engine"] = stack.engine

    # The feed: a synthetic snapshot of SENSORS sensors, taken now (airq-feedgen, the same generator
    # the other tests use), readable by the containers' user.
    feed = feed_dir / "data.24h.json"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "airq-feedgen"),
            "--sensors",
            str(SENSORS),
            "--seed",
            "5",
            "--out",
            str(feed),
        ],
        check=True,
        timeout=120,
    )
    feed.chmod(0o644)

    try:
        stack.script("images")
        stack.report["images_seconds"] = stack.report["steps"][-1]["seconds"]
        stack.env["AIRQ_SKIP_BUILD"] = "1"  # just built
        stack.script("up", timeout=900)
        stack.script("ingest", timeout=600)  # what `make ingest` runs: airq-ingest --once
        yield stack
    except BaseException:
        print(stack.logs(), file=sys.stderr)
        raise
    finally:
        try:
            stack.script("down", "-v", "-t", "30", timeout=300, check=False)
        finally:
            # Whatever compose left behind, by id: nothing of this project may outlive the test.
            left = stack.container_ids()
            if left:
                stack.engine_cmd("rm", "-f", "-t", "5", *left, timeout=120)
            report["left_running_after_down"] = len(left)
            report["seconds_total"] = round(time.monotonic() - started, 1)
            (state / "e2e-report.json").write_text(json.dumps(report, indent=2) + "\n")
            print(json.dumps(report, indent=2), file=sys.stderr)
            shutil.rmtree(work, ignore_errors=True)


def get(stack: Stack, path: str, **kwargs: Any) -> requests.Response:
    """Everything a user does goes through the web port (nginx), as from a browser."""
    return requests.get(stack.web + path, timeout=30, **kwargs)


def a_day_with_data(stack: Stack) -> tuple[str, list[str]]:
    body = get(stack, "/api/countries").json()
    text = json.dumps(body)
    days = sorted(set(re.findall(r"\d{4}-\d{2}-\d{2}", text)))
    countries = sorted(set(re.findall(r'"([A-Z]{2})"', text)))
    assert days and countries, f"/api/countries lists no day or country after the ingest: {text[:500]}"
    return days[-1], countries


# ------------------------------------------------------------------------------------------ images


def test_every_image_runs_as_non_root_and_is_slim(stack: Stack) -> None:
    sizes = {}
    for name in IMAGES:
        image = f"airq-{name}:local"
        info = json.loads(stack.engine_cmd("image", "inspect", image).stdout)[0]
        user = info["Config"].get("User", "")
        assert user and user.split(":")[0] not in ("", "0", "root"), f"{image} runs as {user!r}"
        uid = stack.engine_cmd(
            "run", "--rm", "--network=host", "--entrypoint", "id", image, "-u"
        ).stdout.strip()
        assert uid == "10001", f"{image}: id -u gave {uid!r}"
        sizes[image] = {"bytes": info["Size"], "mb": round(info["Size"] / 1e6, 1), "user": user}
    stack.report["images"] = sizes
    for image, size in sizes.items():
        limit = 260e6 if "web" not in image else 120e6
        assert size["bytes"] < limit, f"{image} is {size['mb']} MB"


def test_services_run_with_a_read_only_root_filesystem(stack: Stack) -> None:
    for service in READ_ONLY_SERVICES:
        info = json.loads(stack.engine_cmd("inspect", stack.container_of(service)).stdout)[0]
        assert info["HostConfig"]["ReadonlyRootfs"] is True, service
        assert info["Config"]["User"].split(":")[0] == "10001", service


# ------------------------------------------------------------------------------ through the web port


def test_page_and_its_assets_load(stack: Stack) -> None:
    page = get(stack, "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "charset=utf-8" in page.headers["Content-Type"].lower()
    assets = re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page.text)
    kinds = {Path(a).suffix for a in assets}
    assert {".js", ".css"} <= kinds, assets
    assert any("leaflet" in a for a in assets) and any("chart" in a for a in assets), assets
    for asset in assets:
        response = get(stack, asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 0, asset
        if asset.endswith(".js"):
            assert "javascript" in response.headers["Content-Type"], asset
        if asset.endswith(".css"):
            assert response.headers["Content-Type"].startswith("text/css"), asset
    # The modules the page imports are served too (app.js imports ./api.js, ...).
    app_js = next(a for a in assets if a.endswith("/app.js"))
    for module in re.findall(r'from\s+"\./([\w.-]+\.js)"', get(stack, app_js).text):
        assert get(stack, app_js.rsplit("/", 1)[0] + "/" + module).status_code == 200, module
    assert get(stack, "/nginx-healthz").status_code == 200
    assert get(stack, "/healthz").json()["status"] == "ok"  # the API's, through nginx


def test_query_returns_the_ingested_readings(stack: Stack) -> None:
    day, countries = a_day_with_data(stack)
    response = get(
        stack,
        "/api/readings",
        params={"start": day, "end": day, "country": countries[0], "format": "json", "limit": 50},
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["data"], body
    reading = body["data"][0]
    for field in (
        "sensor_id",
        "timestamp",
        "country",
        "latitude",
        "longitude",
        "pm25_ugm3",
        "pm10_ugm3",
        "pm25_index",
        "pm10_index",
        "daqi",
        "band",
    ):
        assert field in reading, field
    assert all(r["country"] == countries[0] for r in body["data"])


def test_csv_download(stack: Stack) -> None:
    day, countries = a_day_with_data(stack)
    response = get(
        stack, "/api/readings", params={"start": day, "end": day, "country": countries[0], "format": "csv"}
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert rows, response.text[:500]
    assert {"sensor_id", "timestamp", "daqi", "band"} <= set(rows[0])
    assert {row["country"] for row in rows} == {countries[0]}


def test_export_runs_to_completion_with_two_workers(stack: Stack) -> None:
    for port in ("worker", "worker2"):
        assert requests.get(stack.url(port, "/healthz"), timeout=5).status_code == 200, port
    day, _ = a_day_with_data(stack)
    jobs = []
    for _ in range(4):  # a few jobs, so both workers are likely to take some
        response = requests.post(stack.web + "/api/exports", json={"start": day, "end": day}, timeout=30)
        assert response.status_code == 202, response.text[:500]
        jobs.append(response.json())
    deadline = time.monotonic() + 180
    finished: dict[str, dict[str, Any]] = {}
    while len(finished) < len(jobs) and time.monotonic() < deadline:
        for job in jobs:
            if job["job_id"] in finished:
                continue
            status = get(stack, job["status_url"]).json()
            assert status["status"] != "failed", status
            if status["status"] == "done":
                finished[job["job_id"]] = status
        time.sleep(1)
    assert len(finished) == len(jobs), f"exports not done within 180 s: {finished}"

    status = next(iter(finished.values()))
    url = status["download_url"]
    assert url.startswith(f"http://127.0.0.1:{stack.port('moto')}/"), url
    download = requests.get(url, timeout=60)
    assert download.status_code == 200
    rows = [line for line in download.text.splitlines() if line and not line.startswith("#")]
    assert len(rows) - 1 == status["rows"] > 0, (len(rows), status)

    # Both workers are alive and, between them, handled every job.
    done = {}
    for port in ("worker", "worker2"):
        text = requests.get(stack.url(port, "/metrics"), timeout=5).text
        match = re.search(r'^airq_worker_jobs_total\{state="done"\} ([0-9.e+]+)$', text, re.MULTILINE)
        done[port] = float(match.group(1)) if match else 0.0
    stack.report["exports_done_per_worker"] = done
    assert sum(done.values()) >= len(jobs), done


# ------------------------------------------------------------------------------ metrics, Prometheus


def test_every_service_serves_its_metrics(stack: Stack) -> None:
    expected = {
        "api": "airq_http_requests_total",
        "worker": "airq_worker_queue_depth",
        "worker2": "airq_worker_queue_depth",
        "ingest": "airq_ingest_rows_accepted_total",
    }
    for service, family in expected.items():
        response = requests.get(stack.url(service, "/metrics"), timeout=10)
        assert response.status_code == 200, service
        assert family in response.text, (service, family)
    ingest = requests.get(stack.url("ingest", "/metrics"), timeout=10).text
    accepted = re.search(r"^airq_ingest_rows_accepted_total ([0-9.e+]+)$", ingest, re.MULTILINE)
    assert accepted and float(accepted.group(1)) > 0, "the scheduled ingest stored nothing"


def prometheus(stack: Stack, path: str, **params: str) -> dict[str, Any]:
    response = requests.get(stack.url("prometheus", path), params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def test_prometheus_scrapes_every_service(stack: Stack) -> None:
    want = {"api": 1, "worker": 2, "ingest": 1, "prometheus": 1}
    deadline = time.monotonic() + 60
    while True:
        targets = prometheus(stack, "/api/v1/targets")["data"]["activeTargets"]
        up: dict[str, int] = {}
        for target in targets:
            if target["health"] == "up":
                up[target["labels"]["job"]] = up.get(target["labels"]["job"], 0) + 1
        if up == want and len(targets) == sum(want.values()):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"targets up {up}, want {want}: {json.dumps(targets)[:2000]}")
        time.sleep(2)
    series = prometheus(stack, "/api/v1/query", query="airq_ingest_rows_accepted_total")["data"]["result"]
    assert series and float(series[0]["value"][1]) > 0


# Panels that must show data after an ingest, queries and exports (errors, shed requests and the
# like may rightly be empty).
MUST_HAVE_DATA = (
    "sum by (route) (rate(airq_http_requests_total[$__rate_interval]))",
    "histogram_quantile(0.50, sum by (le) (rate(airq_http_request_duration_seconds_bucket"
    "[$__rate_interval])))",
    "time() - max(airq_ingest_last_success_timestamp_seconds)",
    "max(airq_worker_queue_depth)",
    "sum by (state) (increase(airq_worker_jobs_total[$__rate_interval]))",
    'count(up{job="worker"} == 1)',
)


def test_every_dashboard_query_runs_in_prometheus(stack: Stack) -> None:
    """Grafana itself cannot run here (no image), so check what it would ask Prometheus."""
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 10
    # A rate needs two scrapes inside its window: right after the stack starts there may be only
    # one, so ask again (bounded) until the panels that must show data have it.
    deadline = time.monotonic() + 120
    while True:
        empty = []
        for expr in exprs:
            query = (
                expr.replace("$__rate_interval", "2m").replace("$__range", "1h").replace("$__interval", "15s")
            )
            body = prometheus(stack, "/api/v1/query", query=query)
            assert body["status"] == "success", (expr, body)
            if not body["data"]["result"]:
                empty.append(expr)
        if not any(expr in empty for expr in MUST_HAVE_DATA) or time.monotonic() > deadline:
            break
        time.sleep(5)
    stack.report["dashboard_queries"] = {"total": len(exprs), "empty_now": empty}
    for expr in MUST_HAVE_DATA:
        assert expr in exprs, f"the dashboard no longer has {expr}"
        assert expr not in empty, f"no data for {expr}"
    workers = prometheus(stack, "/api/v1/query", query='count(up{job="worker"} == 1)')["data"]["result"]
    assert float(workers[0]["value"][1]) == 2
