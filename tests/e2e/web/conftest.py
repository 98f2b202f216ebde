"""The whole stack for the web tests, once per session, and a browser driving Debian's chromium.

stand-ins (dynalite, moto) → tables/queues/bucket with unique names → a generated feed spanning two
days ingested → the API under gunicorn (tests/support/api_process.py) → an `airq-worker`
(tests/support/worker_process.py) → the web tier (nginx when installed, else
the fallback; the fallback is also tested on its own) → Playwright with /usr/bin/chromium.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from airq.config import Settings
from airq.feedgen import generate, write_feed
from airq.ingest.run import ingest_once
from airq.resources import ensure_all
from tests.conftest import settings_env
from tests.support.api_process import ApiProcess, start_api
from tests.support.standins import StandIn, aws_env, free_port, stop_process, subprocess_env, wait_http
from tests.support.worker_process import WorkerProcess, start_worker

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "services" / "web"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("AIRQ_CHROMIUM") or "/usr/bin/chromium"
# tools.md: no CLI flag sets a custom executable; these keep chromium off the network and quiet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SENSORS = 600  # feed entries per snapshot (~58% accepted); two snapshots a day: ~700 readings a day
SNAPSHOT_HOURS = (6, 18)
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


# ------------------------------------------------------------------------------ processes


@dataclass
class Process:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process, timeout=20)


def start_process(name: str, command: list[str], env: dict[str, str], log_dir: Path, probe: str) -> Process:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = probe.rsplit("/", 1)[0] if probe.count("/") > 2 else probe
    started = Process(name, url, process, log_path)
    try:
        wait_http(probe, timeout=60, process=process)
    except RuntimeError as exc:
        started.stop()
        raise AssertionError(f"{name} did not start: {exc}\n{started.log_tail()}") from None
    return started


@dataclass
class Stack:
    settings: Settings
    env: dict[str, str]  # AWS_* and AIRQ_* for subprocesses
    days: tuple[str, str]  # the two days with data (UTC)
    api: ApiProcess
    worker: WorkerProcess | None
    log_dir: Path
    readings_per_day: dict[str, int] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.api.url


def load_module(name: str, path: Path):
    """A script that is not in a package (services/web/build.py), imported by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def stack(dynalite: StandIn, moto: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("web-stack")
    prefix = f"w{uuid.uuid4().hex[:10]}"
    settings = Settings(
        readings_table=f"{prefix}-readings",
        daily_table=f"{prefix}-daily",
        jobs_table=f"{prefix}-jobs",
        exports_queue=f"{prefix}-exports",
        exports_dlq=f"{prefix}-exports-dlq",
        exports_bucket=f"{prefix}-exports",
        feed_retries=1,
        write_threads=4,
    )
    aws = aws_env(dynalite.url, moto.url)
    env = {**aws, **settings_env(settings)}
    today = datetime.now(UTC).date()
    days = (today - timedelta(days=2), today - timedelta(days=1))
    per_day: dict[str, int] = {}
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith(("AIRQ_", "AWS_"))]:
            patch.delenv(key)
        for key, value in aws.items():
            patch.setenv(key, value)
        ensure_all(settings, wait_seconds=30)
        for day in days:
            for hour in SNAPSHOT_HOURS:
                feed = log_dir / f"feed-{day}-{hour:02d}.json"
                with feed.open("w", encoding="utf-8") as handle:
                    write_feed(generate(SENSORS, seed=7, at=datetime.combine(day, time(hour), UTC)), handle)
                outcome = ingest_once(str(feed), settings)
                per_day[day.isoformat()] = per_day.get(day.isoformat(), 0) + outcome.stored
    # The API engineer's launcher (tests/support/api_process.py), behind our web tier: believe its
    # X-Forwarded-For so the rate limit sees the browser, and keep the limit out of the way.
    api = start_api({**env, "AIRQ_TRUSTED_PROXY_HOPS": "1", "AIRQ_RATE_LIMIT_PER_MINUTE": "100000"}, log_dir)
    worker = None
    try:
        # The worker engineer's launcher (tests/support/worker_process.py): short polls, fast stop.
        worker = start_worker(aws, settings, log_dir)
        yield Stack(
            settings=settings,
            env=env,
            days=(days[0].isoformat(), days[1].isoformat()),
            api=api,
            worker=worker,
            log_dir=log_dir,
            readings_per_day=per_day,
        )
    finally:
        if worker:
            # SIGTERM lets it release its message; a worker that takes longer than this is
            # the worker tests' concern, not a reason to slow every web test run down.
            worker.send(signal.SIGTERM)
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        api.stop()


# ------------------------------------------------------------------------------ web tier


@pytest.fixture(scope="session")
def web_root() -> Iterator[Path]:
    """The built page, under build/ (nginx workers run as `nobody` when root: pytest's 0700 tmp
    directories would be unreadable to them)."""
    out = ROOT / "build" / f"e2e-web-{os.getpid()}"
    load_module("airq_web_build_e2e", WEB / "build.py").build(out)
    yield out
    shutil.rmtree(out, ignore_errors=True)


def start_web(server: str, api_url: str, root: Path, log_dir: Path) -> Process:
    port = free_port()
    state = log_dir / f"{server}-{port}-state"
    command = [
        sys.executable,
        str(ROOT / "scripts" / "web_local.py"),
        "--server",
        server,
        "--no-build",
        "--root",
        str(root),
        "--state-dir",
        str(state),
        "--port",
        str(port),
        "--api",
        api_url,
    ]
    web = start_process(
        f"web-{server}-{port}", command, subprocess_env({}), log_dir, f"http://127.0.0.1:{port}/nginx-healthz"
    )
    web.url = f"http://127.0.0.1:{port}"
    return web


@pytest.fixture(scope="session")
def web(stack: Stack, web_root: Path) -> Iterator[Process]:
    """The web tier the browser tests use: nginx when installed, else the fallback."""
    process = start_web("nginx" if NGINX else "python", stack.api_url, web_root, stack.log_dir)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def fallback_web(stack: Stack, web_root: Path) -> Iterator[Process]:
    process = start_web("python", stack.api_url, web_root, stack.log_dir)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def nginx_web(stack: Stack, web_root: Path, web: Process) -> Process:
    if not NGINX:
        pytest.skip("nginx is not installed (make install-browser)")
    return web


@pytest.fixture(scope="session", params=["nginx", "python"])
def any_web(request: pytest.FixtureRequest) -> Process:
    """Each web tier in turn, for behaviour both must share."""
    return request.getfixturevalue("nginx_web" if request.param == "nginx" else "fallback_web")


@pytest.fixture(scope="session")
def api_get(web: Process):
    """GET the API through the web tier, returning parsed JSON (raises on an error status)."""
    session = requests.Session()

    def get(path: str, **params: object) -> dict:
        response = session.get(web.url + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    return get


# ------------------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make install-browser` (or set AIRQ_CHROMIUM)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(web: Process) -> str:
    return web.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, base_url: str) -> dict:
    return {
        **browser_context_args,
        "base_url": base_url,
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
        "locale": "en-GB",
        # Not UTC on purpose: the page must show and send UTC dates whatever the browser's zone.
        "timezone_id": "America/New_York",
    }


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """A loaded machine (the whole suite, other stacks) can be slow: expectations still fail, later."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for whatever runs next


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def utc_today() -> date:
    return datetime.now(UTC).date()
