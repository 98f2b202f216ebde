"""Static checks of the container files, cheap enough for every `make test` (no engine needed):
Dockerfiles, compose files, Prometheus configuration and the Grafana dashboard agree with each
other and with the metrics the code defines. `make e2e` (test_stack.py) runs the real thing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("api", "worker", "ingest", "web")
STANDINS = ("dynalite", "moto")
OFFICIAL_DEFAULTS = {
    "BASE_IMAGE": "python:3.11-slim-bookworm",
    "PYTHON_IMAGE": "python:3.11-slim-bookworm",
    "NODE_IMAGE": "node:20-bookworm-slim",
    "NGINX_IMAGE": "nginx:1.27-alpine",
}


def dockerfiles() -> dict[str, Path]:
    files = {name: ROOT / "services" / name / "Dockerfile" for name in SERVICES}
    files.update({name: ROOT / "services" / "standins" / name / "Dockerfile" for name in STANDINS})
    return files


class ComposeLoader(yaml.SafeLoader):
    """Compose's merge tags (`!reset`, `!override`) read as their plain values."""


for _tag in ("!reset", "!override"):
    ComposeLoader.add_constructor(
        _tag,
        lambda loader, node: (
            loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_mapping(node)
            if isinstance(node, yaml.MappingNode)
            else loader.construct_scalar(node)
        ),
    )


def load_yaml(path: str) -> dict:
    return yaml.load((ROOT / path).read_text(), Loader=ComposeLoader)  # a SafeLoader


@pytest.mark.parametrize("name", [*SERVICES, *STANDINS])
def test_dockerfile_is_multistage_pinned_non_root(name: str) -> None:
    text = dockerfiles()[name].read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE))
    assert args, f"{name}: the base image must be a build argument"
    for arg, default in args.items():
        assert OFFICIAL_DEFAULTS[arg] == default, (name, arg, default)
    froms = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(froms) >= 2, f"{name}: multi-stage"
    assert all(f.startswith("${") for f in froms), f"{name}: every stage from a build argument: {froms}"
    final = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER 10001:10001$", final, re.MULTILINE), f"{name}: final stage runs as uid 10001"
    assert not re.search(r"pip install|npm (ci|install)|apt-get", final), (
        f"{name}: no installs in the final stage"
    )
    if name in ("api", "worker", "web", *STANDINS):
        assert "HEALTHCHECK" in final, name
    # A CA bundle only ever arrives at /run/secrets/cacert, and only when given.
    assert "ca-certificates.crt" not in text, name


def test_dockerignore_lets_through_what_the_dockerfiles_copy() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = [line[1:].rstrip("/") for line in ignore if line.startswith("!")]
    assert ignore[ignore.index("*") if "*" in ignore else 0] == "*" or "*" in ignore
    for name, path in dockerfiles().items():
        for source in re.findall(r"^COPY (?!--from)(\S+)", path.read_text(), re.MULTILINE):
            source = source.rstrip("/")
            assert any(source == a or source.startswith(a + "/") for a in allowed), (name, source)


def test_compose_services_and_their_order() -> None:
    compose = load_yaml("compose.yaml")
    services = compose["services"]
    assert set(services) == {
        "dynalite",
        "moto",
        "setup",
        "api",
        "worker",
        "ingest",
        "web",
        "prometheus",
        "grafana",
    }
    for name in ("dynalite", "moto", "setup", "api", "worker", "ingest", "web", "prometheus"):
        assert services[name].get("read_only") is True, name
    assert services["setup"]["depends_on"] == {
        "dynalite": {"condition": "service_healthy"},
        "moto": {"condition": "service_healthy"},
    }
    for name in ("api", "worker", "ingest"):
        assert services[name]["depends_on"]["setup"] == {"condition": "service_completed_successfully"}
    assert services["web"]["depends_on"]["api"] == {"condition": "service_healthy"}
    assert services["setup"]["command"][0] == "airq-setup"
    # No credential in the repository: the stand-ins' placeholders only.
    env = services["api"]["environment"]
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "local-stand-in"


def test_hostnet_override_puts_every_service_on_the_host_network() -> None:
    base = load_yaml("compose.yaml")["services"]
    hostnet = load_yaml("compose.hostnet.yaml")["services"]
    assert set(base) <= set(hostnet)
    for name, service in hostnet.items():
        assert service["network_mode"] == "host", name
        if "ports" in base.get(name, {}):
            assert service.get("ports") == [], f"{name}: published ports must be reset on the host network"
        env = json.dumps(service.get("environment", {}))
        assert "moto:5000" not in env and "dynalite:4567" not in env and "api:8000" not in env, name
    metrics_ports = {hostnet[n]["environment"]["AIRQ_METRICS_PORT"] for n in ("worker", "worker-2", "ingest")}
    assert len(metrics_ports) == 3, "each process needs its own metrics port on the host network"


def test_prometheus_scrapes_every_service() -> None:
    bridge = load_yaml("ops/prometheus/prometheus.yml")
    hostnet = load_yaml("ops/prometheus/prometheus.hostnet.yml")
    for config in (bridge, hostnet):
        assert {job["job_name"] for job in config["scrape_configs"]} == {
            "api",
            "worker",
            "ingest",
            "prometheus",
        }
    worker = next(j for j in bridge["scrape_configs"] if j["job_name"] == "worker")
    assert worker["dns_sd_configs"][0]["names"] == ["worker"], "every replica of --scale worker=N"


def test_dashboard_queries_name_metrics_the_code_defines() -> None:
    dashboard = json.loads((ROOT / "ops/grafana/dashboards/airq.json").read_text())
    datasource = load_yaml("ops/grafana/provisioning/datasources/prometheus.yml")["datasources"][0]
    code = "\n".join(p.read_text() for p in (ROOT / "src" / "airq").rglob("*.py"))
    exprs = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
        exprs += [target["expr"] for target in panel["targets"]]
    metrics = {m for e in exprs for m in re.findall(r"\b(airq_[a-z0-9_]+)", e)}
    for metric in metrics:
        base = re.sub(r"_(bucket|total|sum|count|created)$", "", metric)
        assert f'"{base}' in code, f"the dashboard uses {metric}, which no code defines"
    text = " ".join(exprs)
    for needed in (
        "airq_http_requests_total",
        "airq_http_request_duration_seconds_bucket",
        "airq_ingest_rows_accepted_total",
        "airq_ingest_rows_rejected_total",
        "airq_ingest_last_success_timestamp_seconds",
        "airq_worker_queue_depth",
        "airq_worker_jobs_total",
        'up{job="worker"}',
    ):
        assert needed in text, needed
