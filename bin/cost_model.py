#!/usr/bin/env python3
"""Monthly AWS cost of the Terraform deployment in infra/terraform/envs/prod.

Reads the sizing from the root module's variable defaults (python-hcl2), optionally overridden by a
.tfvars file and `--var name=value`, combines it with the workload assumptions below and
us-east-1 list prices, and prints a breakdown. `make cost` runs it.

    bin/cost_model.py                       # defaults
    bin/cost_model.py --var instance_type=t3.small --var 'ingest_schedule="rate(3 hours)"'
    bin/cost_model.py --tfvars infra/terraform/envs/prod/terraform.tfvars --json

Not modelled: Savings Plans or reserved capacity, Spot prices, tax, support plans, and anything
outside this stack. Scale-out beyond the minimum counts is not included (it is short-lived).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import re
import sys
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

REPO = Path(__file__).resolve().parents[1]
ROOT_MODULE = REPO / "infra" / "terraform" / "envs" / "prod"

HOURS_PER_MONTH = 730  # AWS's billing convention for hourly resources
DAYS_PER_MONTH = 30.42
GIB = 2**30

# ------------------------------------------------------------------------------------------ prices
# AWS list prices, region us-east-1 (N. Virginia), USD, as published on aws.amazon.com/pricing and
# as of 2025-06 (DynamoDB on-demand after the 2024-11-01 price cut; the public IPv4 charge that
# started 2024-02-01). Check them before budgeting: prices change and other regions cost more.
PRICES_REGION = "us-east-1"
PRICES_AS_OF = "2025-06"

EC2_HOURLY = {  # Linux on-demand, per instance-hour
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "t3.micro": 0.0104,
    "t3.small": 0.0208,
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "t3a.small": 0.0188,
    "t3a.medium": 0.0376,
    "m6g.medium": 0.0385,
    "m7g.medium": 0.0408,
    "c7g.medium": 0.0363,
    "m7i.large": 0.1008,
}
INSTANCE_MEMORY_MIB = {
    "t4g.micro": 1024,
    "t4g.small": 2048,
    "t4g.medium": 4096,
    "t4g.large": 8192,
    "t3.micro": 1024,
    "t3.small": 2048,
    "t3.medium": 4096,
    "t3.large": 8192,
    "t3a.small": 2048,
    "t3a.medium": 4096,
    "m6g.medium": 4096,
    "m7g.medium": 4096,
    "c7g.medium": 2048,
    "m7i.large": 8192,
}
EBS_GP3_GB_MONTH = 0.08
PUBLIC_IPV4_HOURLY = 0.005  # every public IPv4 address, in use or not (instances and ALB nodes)
ALB_HOURLY = 0.0225
ALB_LCU_HOURLY = 0.008
INTERFACE_ENDPOINT_HOURLY = 0.01  # per endpoint per AZ
INTERFACE_ENDPOINT_GB = 0.01
DDB_WRITE_PER_MILLION = 0.625  # on-demand write request units
DDB_READ_PER_MILLION = 0.125  # on-demand read request units
DDB_STORAGE_GB_MONTH = 0.25  # Standard table class; first 25 GB per account free (always)
DDB_PITR_GB_MONTH = 0.20  # continuous backups, on table size (GSIs not included)
SQS_PER_MILLION = 0.40  # standard queue requests (64 KB chunks); first 1M per account free
S3_STANDARD_GB_MONTH = 0.023
S3_PUT_PER_THOUSAND = 0.005
S3_GET_PER_THOUSAND = 0.0004
ECR_GB_MONTH = 0.10
CW_LOGS_INGEST_GB = 0.50  # first 5 GB per month free
CW_LOGS_STORE_GB_MONTH = 0.03
CW_METRIC_MONTH = 0.30  # custom metric (first 10 free); Container Insights metrics count too
CW_ALARM_METRIC_MONTH = 0.10  # standard resolution, per metric in the alarm (first 10 free)
CW_DASHBOARD_MONTH = 3.00  # first 3 dashboards free
CW_API_PER_THOUSAND = 0.01  # PutMetricData
SCHEDULER_PER_MILLION = 1.00  # first 14M invocations free
DATA_OUT_GB = 0.09  # internet egress after the free 100 GB per month

# Always-free allowances (per account, not only the first 12 months).
FREE_DDB_STORAGE_GB = 25
FREE_CW_METRICS = 10
FREE_CW_ALARM_METRICS = 10
FREE_CW_DASHBOARDS = 3
FREE_CW_LOGS_GB = 5
FREE_SQS_REQUESTS = 1_000_000
FREE_DATA_OUT_GB = 100


# ------------------------------------------------------------------------------------- workload
@dataclass(frozen=True)
class Workload:
    """What the service does in a month. The defaults are the stated assumptions."""

    # Upper bound: every one of the ~15,000 feed entries stored as a reading on every run. In real
    # snapshots about half of the entries are not PM sensors (DHT22/BME280) and get rejected.
    readings_per_run: int = 15_000
    countries: int = 70
    # A reading item: 16 attributes, about 270 bytes (see airq.items.reading_to_item), +100 bytes
    # of DynamoDB per-item storage overhead, the same again in the by_sensor GSI (projection ALL).
    reading_item_bytes: int = 270
    summary_item_bytes: int = 300
    item_overhead_bytes: int = 100
    gsi_count: int = 1
    # Traffic through the ALB: page loads and API calls.
    requests_per_month: int = 300_000
    avg_response_kb: float = 20.0
    rru_per_request: float = 4.0  # a page of readings or a catalogue/summary read
    # Asynchronous exports.
    exports_per_month: int = 300
    export_rows: int = 50_000
    export_mb: float = 5.0
    job_writes_per_export: int = 6  # queued, running, progress updates, done
    # Logs (JSON lines from four services and the ALB-facing api).
    log_gb_per_month: float = 1.0
    ecr_gb: float = 1.0  # four repositories, a few versions each (layers are shared)
    worker_poll_seconds: int = 20  # SQS long polling
    sqs_requests_per_export: int = 6


@dataclass
class Line:
    group: str
    item: str
    usd: float
    basis: str


@dataclass
class CostReport:
    lines: list[Line] = field(default_factory=list)
    free_tier_credit: float = 0.0
    notes: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)

    def add(self, group: str, item: str, usd: float, basis: str) -> None:
        self.lines.append(Line(group, item, round(usd, 4), basis))

    @property
    def total(self) -> float:
        return round(sum(line.usd for line in self.lines), 2)

    @property
    def total_after_free_tier(self) -> float:
        return round(self.total - self.free_tier_credit, 2)

    def by_group(self) -> dict[str, float]:
        groups: dict[str, float] = {}
        for line in self.lines:
            groups[line.group] = round(groups.get(line.group, 0.0) + line.usd, 4)
        return groups


# ------------------------------------------------------------------------------- terraform input
_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


def terraform_defaults(module_dir: Path = ROOT_MODULE) -> dict[str, Any]:
    """Default value of every variable of a module (None when it has none)."""
    return copy.deepcopy(_terraform_defaults(module_dir))


@cache
def _terraform_defaults(module_dir: Path) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for path in sorted(module_dir.glob("*.tf")):
        blocks = _parse(path).get("variable", [])
        for block in blocks if isinstance(blocks, list) else [blocks]:
            for name, body in block.items():
                defaults[name] = body.get("default")
    return defaults


def tfvars(path: Path) -> dict[str, Any]:
    return dict(_parse(path))


def parse_override(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return name.strip(), value


def runs_per_day(expression: str) -> float:
    """How often an EventBridge Scheduler expression fires per day (rate and simple cron)."""
    rate = re.fullmatch(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)", expression.strip())
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        return {"minute": 1440 / value, "hour": 24 / value, "day": 1 / value}[unit]
    cron = re.fullmatch(r"cron\((\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+(?:\s+\S+)?\)", expression.strip())
    if cron:
        return _cron_count(cron.group(1), 60) * _cron_count(cron.group(2), 24)
    raise ValueError(f"cannot model schedule {expression!r}")


def _cron_count(field_: str, size: int) -> int:
    if field_ == "*":
        return size
    step = re.fullmatch(r"(?:\*|(\d+)(?:-(\d+))?)/(\d+)", field_)
    if step:
        start = int(step.group(1) or 0)
        stop = int(step.group(2)) if step.group(2) else size - 1
        return len(range(start, stop + 1, int(step.group(3))))
    return len(field_.split(","))


# -------------------------------------------------------------------------------------- the model
def _gb(items: float, item_bytes: float) -> float:
    return items * item_bytes / GIB


def compute(variables: dict[str, Any], workload: Workload = Workload()) -> CostReport:
    v = variables
    report = CostReport(inputs={k: v.get(k) for k in sorted(v) if k not in ("tags",)})
    hours = HOURS_PER_MONTH
    free = 0.0

    # Compute: the minimum on-demand instances run all month.
    instance_type = v["instance_type"]
    if instance_type not in EC2_HOURLY:
        raise ValueError(f"no price for instance type {instance_type!r}; add it to EC2_HOURLY")
    instances = int(v["asg_min_size"])
    report.add(
        "Compute",
        f"EC2 {instances} x {instance_type}",
        instances * EC2_HOURLY[instance_type] * hours,
        f"{instances} x ${EC2_HOURLY[instance_type]}/h x {hours} h",
    )
    volume = int(v["root_volume_size"])
    report.add(
        "Compute",
        f"EBS gp3 {instances} x {volume} GiB",
        instances * volume * EBS_GP3_GB_MONTH,
        f"${EBS_GP3_GB_MONTH}/GB-month",
    )

    # Network: public IPv4 on the instances and on each ALB node (one per AZ), endpoints.
    azs = len(v["availability_zones"]) if v.get("availability_zones") else 2
    addresses = instances + azs
    report.add(
        "Network",
        f"Public IPv4 x {addresses} ({instances} instance, {azs} ALB)",
        addresses * PUBLIC_IPV4_HOURLY * hours,
        f"${PUBLIC_IPV4_HOURLY}/h each",
    )
    endpoints = list(v.get("interface_endpoints") or [])
    if endpoints:
        per_az = min(int(v.get("interface_endpoint_az_count") or 1), azs)
        report.add(
            "Network",
            f"Interface endpoints {len(endpoints)} x {per_az} AZ",
            len(endpoints) * per_az * INTERFACE_ENDPOINT_HOURLY * hours + INTERFACE_ENDPOINT_GB * 5,
            f"${INTERFACE_ENDPOINT_HOURLY}/h per endpoint-AZ + ~5 GB",
        )
    report.add("Network", "DynamoDB and S3 gateway endpoints, NAT gateways (none)", 0.0, "free / not used")

    # Load balancer: hourly charge plus LCUs (processed bytes dominate at this traffic).
    processed_gb_hour = workload.requests_per_month * workload.avg_response_kb / 1e6 / hours
    connections_s = workload.requests_per_month / (hours * 3600)
    lcu = max(processed_gb_hour / 1.0, connections_s / 25)
    report.add("Load balancer", "ALB hours", ALB_HOURLY * hours, f"${ALB_HOURLY}/h")
    report.add(
        "Load balancer",
        f"ALB LCUs (avg {lcu:.4f})",
        lcu * ALB_LCU_HOURLY * hours,
        f"{workload.requests_per_month:,} requests x {workload.avg_response_kb} KB",
    )

    # DynamoDB: ingest writes every reading and its GSI copy; summaries; jobs; reads; storage.
    if v.get("dynamodb_billing_mode", "PAY_PER_REQUEST") != "PAY_PER_REQUEST":
        report.notes.append("dynamodb_billing_mode is PROVISIONED: modelled at on-demand prices anyway.")
    per_day = runs_per_day(v["ingest_schedule"]) if v.get("ingest_enabled", True) else 0.0
    runs = per_day * DAYS_PER_MONTH
    wru_per_reading = math.ceil(workload.reading_item_bytes / 1024) * (1 + workload.gsi_count)
    reading_writes = runs * workload.readings_per_run * wru_per_reading
    report.add(
        "DynamoDB",
        "Writes: readings + by_sensor GSI",
        reading_writes / 1e6 * DDB_WRITE_PER_MILLION,
        f"{runs:.0f} runs x {workload.readings_per_run:,} x {wru_per_reading} WRU"
        f" = {reading_writes / 1e6:.1f}M",
    )
    summary_writes = (
        runs * workload.countries * 2 + workload.exports_per_month * workload.job_writes_per_export
    )
    report.add(
        "DynamoDB",
        "Writes: summaries + jobs",
        summary_writes / 1e6 * DDB_WRITE_PER_MILLION,
        f"{summary_writes / 1e6:.2f}M WRU (hour + country-day items per country and run)",
    )
    # Eventually consistent reads: 0.5 RRU per 4 KB. Ingest re-reads its hour of readings per
    # country to recompute the summaries; the API and exports read pages of readings.
    ingest_reads = runs * (
        workload.readings_per_run * workload.reading_item_bytes / 4096 * 0.5 + workload.countries * 2 * 0.5
    )
    api_reads = workload.requests_per_month * workload.rru_per_request
    export_reads = (
        workload.exports_per_month * workload.export_rows * workload.reading_item_bytes / 4096 * 0.5
    )
    reads = ingest_reads + api_reads + export_reads
    report.add(
        "DynamoDB",
        "Reads (ingest summaries, API, exports)",
        reads / 1e6 * DDB_READ_PER_MILLION,
        f"{reads / 1e6:.2f}M RRU",
    )
    retention = float(v["retention_days"])
    stored_readings = workload.readings_per_run * per_day * retention
    table_gb = _gb(stored_readings, workload.reading_item_bytes + workload.item_overhead_bytes)
    gsi_gb = table_gb * workload.gsi_count
    summary_gb = _gb(per_day * workload.countries * 2 * retention, workload.summary_item_bytes + 100)
    storage_gb = table_gb + gsi_gb + summary_gb
    report.add(
        "DynamoDB",
        f"Storage {storage_gb:.1f} GB ({retention:.0f}-day TTL)",
        storage_gb * DDB_STORAGE_GB_MONTH,
        f"{stored_readings / 1e6:.1f}M readings, table + GSI",
    )
    free += min(storage_gb, FREE_DDB_STORAGE_GB) * DDB_STORAGE_GB_MONTH
    if v.get("point_in_time_recovery", True):
        report.add(
            "DynamoDB",
            f"Point-in-time recovery {table_gb + summary_gb:.1f} GB",
            (table_gb + summary_gb) * DDB_PITR_GB_MONTH,
            f"${DDB_PITR_GB_MONTH}/GB-month",
        )

    # SQS: each worker long-polls all month; every export costs a handful of requests.
    workers = int(v["worker_min_count"])
    polls = workers * hours * 3600 / workload.worker_poll_seconds
    sqs_requests = polls + workload.exports_per_month * workload.sqs_requests_per_export
    report.add(
        "SQS",
        "Requests (long polling + exports)",
        sqs_requests / 1e6 * SQS_PER_MILLION,
        f"{sqs_requests / 1e6:.2f}M requests, {workers} idle worker(s)",
    )
    free += min(sqs_requests, FREE_SQS_REQUESTS) / 1e6 * SQS_PER_MILLION

    # S3 (exports, kept exports_expiry_days) and ECR.
    kept_gb = (
        workload.exports_per_month
        * workload.export_mb
        / 1024
        * float(v["exports_expiry_days"])
        / DAYS_PER_MONTH
    )
    s3_requests = (
        workload.exports_per_month * (math.ceil(workload.export_mb / 8) + 2) * S3_PUT_PER_THOUSAND / 1000
        + workload.exports_per_month * 2 * S3_GET_PER_THOUSAND / 1000
    )
    report.add(
        "S3 + ECR",
        "S3 exports storage and requests",
        kept_gb * S3_STANDARD_GB_MONTH + s3_requests,
        f"{kept_gb:.2f} GB kept",
    )
    report.add("S3 + ECR", "ECR image storage", workload.ecr_gb * ECR_GB_MONTH, f"{workload.ecr_gb} GB")

    # CloudWatch.
    logs_gb = workload.log_gb_per_month
    log_days = float(v["log_retention_days"])
    report.add(
        "CloudWatch",
        "Logs ingestion + storage",
        logs_gb * CW_LOGS_INGEST_GB
        + logs_gb * 0.15 * min(log_days, DAYS_PER_MONTH) / DAYS_PER_MONTH * CW_LOGS_STORE_GB_MONTH,
        f"{logs_gb} GB/month, {log_days:.0f}-day retention",
    )
    free += min(logs_gb, FREE_CW_LOGS_GB) * CW_LOGS_INGEST_GB
    metrics = 3  # IngestSucceeded, IngestRowsAccepted, IngestRowsRejected
    if v.get("container_insights"):
        metrics += 8 + 3 * 13 + 4 * 9  # cluster, per service and per task family (approximate)
        report.notes.append("Container Insights on: metric count is an estimate (~83 metrics).")
    report.add(
        "CloudWatch", f"Custom metrics x {metrics}", metrics * CW_METRIC_MONTH, f"${CW_METRIC_MONTH} each"
    )
    free += min(metrics, FREE_CW_METRICS) * CW_METRIC_MONTH
    # queue high, queue low, DLQ, ingest stale, 5xx rate (3 metrics), api target tracking (2).
    alarm_metrics = 1 + 1 + 1 + 1 + 3 + 2
    report.add(
        "CloudWatch",
        f"Alarms ({alarm_metrics} alarm metrics)",
        alarm_metrics * CW_ALARM_METRIC_MONTH,
        f"${CW_ALARM_METRIC_MONTH} per metric",
    )
    free += min(alarm_metrics, FREE_CW_ALARM_METRICS) * CW_ALARM_METRIC_MONTH
    report.add("CloudWatch", "Dashboard x 1", CW_DASHBOARD_MONTH, f"${CW_DASHBOARD_MONTH} each")
    free += min(1, FREE_CW_DASHBOARDS) * CW_DASHBOARD_MONTH
    report.add("CloudWatch", "PutMetricData calls", runs / 1000 * CW_API_PER_THOUSAND, f"{runs:.0f} calls")

    # The rest: scheduler invocations, SNS e-mail, one budget, egress (within the free 100 GB).
    report.add(
        "Other", "EventBridge Scheduler", runs / 1e6 * SCHEDULER_PER_MILLION, f"{runs:.0f} invocations"
    )
    egress_gb = (
        workload.requests_per_month * workload.avg_response_kb / 1e6
        + workload.exports_per_month * workload.export_mb / 1024
    )
    report.add(
        "Other",
        f"Data transfer out {egress_gb:.1f} GB",
        max(0.0, egress_gb - FREE_DATA_OUT_GB) * DATA_OUT_GB,
        "first 100 GB/month free",
    )
    report.add(
        "Other", "SNS e-mail, AWS Budgets (1 budget), KMS AWS-managed keys", 0.0, "free at this volume"
    )

    report.free_tier_credit = round(free, 2)
    _capacity_note(report, v)
    return report


def _capacity_note(report: CostReport, v: dict[str, Any]) -> None:
    """Warn when the minimum tasks do not fit on the minimum instances (then scale-out costs more)."""
    memory = INSTANCE_MEMORY_MIB.get(v["instance_type"])
    sizes = v.get("task_sizes") or {}
    if not memory or not sizes:
        return
    counts = {"api": v["api_min_count"], "web": v["web_count"], "worker": v["worker_min_count"], "ingest": 1}
    reserved = sum(int(sizes[s]["memory_reservation"]) * int(n) for s, n in counts.items())
    available = int(v["asg_min_size"]) * (memory * 0.92 - 64)  # OS, agent, ECS_RESERVED_MEMORY
    report.inputs["task_memory_reserved_mib"] = reserved
    report.inputs["instance_memory_available_mib"] = round(available)
    if reserved > available:
        report.notes.append(
            f"Tasks reserve {reserved} MiB but the minimum instances offer ~{available:.0f} MiB:"
            " managed scaling will add an instance, which this model does not cost."
        )


def load_variables(
    tfvars_path: Path | None = None, overrides: list[tuple[str, Any]] | None = None
) -> dict[str, Any]:
    variables = terraform_defaults()
    if tfvars_path:
        variables.update(tfvars(tfvars_path))
    for name, value in overrides or []:
        if name not in variables:
            raise SystemExit(f"unknown variable {name!r}")
        variables[name] = value
    return variables


# ---------------------------------------------------------------------------------------- output
def render(report: CostReport, workload: Workload) -> str:
    width = max(len(line.item) for line in report.lines) + 2
    out = [
        f"airq monthly cost model: {PRICES_REGION} list prices as of {PRICES_AS_OF},"
        f" {HOURS_PER_MONTH} h/month",
        f"sizing from {ROOT_MODULE.relative_to(REPO)} (variable defaults + overrides)",
        "",
        f"{'group':<14}{'item':<{width}}{'USD/month':>10}  basis",
        "-" * (14 + width + 12 + 40),
    ]
    for line in report.lines:
        out.append(f"{line.group:<14}{line.item:<{width}}{line.usd:>10.2f}  {line.basis}")
    out.append("-" * (14 + width + 12 + 40))
    for group, usd in report.by_group().items():
        out.append(f"{'subtotal':<14}{group:<{width}}{usd:>10.2f}")
    out += [
        "",
        f"TOTAL (list prices)                          ${report.total:>8.2f} / month",
        f"always-free allowances (DynamoDB 25 GB, CloudWatch, SQS)  -${report.free_tier_credit:>5.2f}",
        f"TOTAL after always-free allowances           ${report.total_after_free_tier:>8.2f} / month",
        "",
        "assumptions:",
        f"  ingest: {workload.readings_per_run:,} readings stored per run (upper bound: every feed entry),"
        f" {workload.countries} countries,"
        f" items ~{workload.reading_item_bytes} B + GSI copy (projection ALL)",
        f"  traffic: {workload.requests_per_month:,} requests/month x {workload.avg_response_kb} KB,"
        f" {workload.exports_per_month} exports of {workload.export_rows:,} rows ({workload.export_mb} MB)",
        f"  logs {workload.log_gb_per_month} GB/month;"
        " minimum instance and task counts all month; no scale-out",
    ]
    out += [f"  note: {note}" for note in report.notes]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tfvars", type=Path, help="a .tfvars file applied over the defaults")
    parser.add_argument(
        "--var",
        action="append",
        type=parse_override,
        default=[],
        metavar="NAME=VALUE",
        help="override one root variable (JSON value, or a bare string)",
    )
    parser.add_argument("--readings-per-run", type=int, help="readings stored per ingest run")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)

    workload = Workload()
    if args.readings_per_run is not None:
        workload = replace(workload, readings_per_run=args.readings_per_run)
    report = compute(load_variables(args.tfvars, args.var), workload)
    if args.json:
        print(
            json.dumps(
                {
                    "region": PRICES_REGION,
                    "prices_as_of": PRICES_AS_OF,
                    "total": report.total,
                    "total_after_free_tier": report.total_after_free_tier,
                    "free_tier_credit": report.free_tier_credit,
                    "by_group": report.by_group(),
                    "lines": [asdict(line) for line in report.lines],
                    "notes": report.notes,
                    "workload": asdict(workload),
                },
                indent=2,
            )
        )
    else:
        print(render(report, workload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
