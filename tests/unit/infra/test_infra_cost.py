"""bin/cost_model.py: reads the Terraform defaults, adds up, and reacts to the sizing."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
import tfparse

from airq import items
from airq.readings import Reading

SCRIPT = tfparse.REPO / "bin" / "cost_model.py"
LEAN = tfparse.ROOT / "lean.tfvars.example"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("airq_cost_model", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are built
    spec.loader.exec_module(module)
    return module


cm = _load()


def _defaults(**overrides: object) -> dict:
    variables = cm.terraform_defaults()
    variables.update(overrides)
    return variables


def test_reads_the_terraform_variable_defaults() -> None:
    defaults = cm.terraform_defaults()
    root = tfparse.root()
    assert set(defaults) == set(root.variables)
    for name in ("instance_type", "asg_min_size", "ingest_schedule", "retention_days", "worker_min_count"):
        assert defaults[name] == root.default(name)
    report = cm.compute(defaults)
    assert any(defaults["instance_type"] in line.item for line in report.lines)


def test_breakdown_adds_up_to_the_total() -> None:
    report = cm.compute(_defaults())
    assert report.lines
    assert math.isclose(sum(line.usd for line in report.lines), report.total, abs_tol=0.01)
    assert math.isclose(sum(report.by_group().values()), report.total, abs_tol=0.01)
    assert 0 < report.free_tier_credit < report.total
    assert math.isclose(report.total - report.free_tier_credit, report.total_after_free_tier, abs_tol=0.01)
    groups = report.by_group()
    for group in ("Compute", "Network", "Load balancer", "DynamoDB", "SQS", "S3 + ECR", "CloudWatch"):
        assert group in groups


def test_hourly_ingest_of_the_global_feed_is_costed() -> None:
    report = cm.compute(_defaults())
    (writes,) = [line for line in report.lines if line.item.startswith("Writes: readings")]
    # 15,000 readings x 24 runs x 30.42 days, each written to the table and to the GSI.
    expected_wru = 15_000 * 24 * cm.DAYS_PER_MONTH * 2
    assert math.isclose(writes.usd, expected_wru / 1e6 * cm.DDB_WRITE_PER_MILLION, rel_tol=1e-3)
    assert any(line.item.startswith("Storage") and "90-day" in line.item for line in report.lines)
    assert any(line.item.startswith("Point-in-time recovery") for line in report.lines)


def test_default_total_stays_under_the_default_budget_alarm() -> None:
    """The 80% 'actual' budget notification must not fire on an ordinary month."""
    defaults = _defaults()
    report = cm.compute(defaults)
    assert report.total <= 0.8 * defaults["monthly_budget_usd"]


def test_lean_profile_is_below_fifty_dollars() -> None:
    variables = cm.load_variables(LEAN)
    assert variables["ingest_schedule"] != cm.terraform_defaults()["ingest_schedule"]
    report = cm.compute(variables)
    assert report.total_after_free_tier < 50
    assert report.total <= 0.8 * variables["monthly_budget_usd"]
    # The staleness alarm must outlast the gap between two scheduled runs.
    assert variables["ingest_stale_hours"] > 24 / cm.runs_per_day(variables["ingest_schedule"])


def test_default_stale_alarm_outlasts_the_schedule() -> None:
    defaults = _defaults()
    assert defaults["ingest_stale_hours"] > 24 / cm.runs_per_day(defaults["ingest_schedule"])


@pytest.mark.parametrize(
    ("overrides", "cheaper"),
    [
        ({"instance_type": "t3.small"}, False),
        ({"asg_min_size": 2}, False),
        ({"interface_endpoints": ["sqs", "logs"]}, False),
        ({"container_insights": True}, False),
        ({"ingest_schedule": "rate(3 hours)"}, True),
        ({"retention_days": 30}, True),
        ({"point_in_time_recovery": False}, True),
    ],
)
def test_changing_a_variable_changes_the_figure(overrides: dict, cheaper: bool) -> None:
    base = cm.compute(_defaults()).total
    changed = cm.compute(_defaults(**overrides)).total
    assert (changed < base) if cheaper else (changed > base), (overrides, base, changed)


def test_interface_endpoints_cost_what_the_variable_says() -> None:
    base = cm.compute(_defaults()).total
    two = cm.compute(_defaults(interface_endpoints=["sqs", "logs"], interface_endpoint_az_count=1)).total
    assert math.isclose(two - base, 2 * 0.01 * 730 + 0.05, abs_tol=0.02)


def test_workload_scales_dynamodb() -> None:
    half = replace(cm.Workload(), readings_per_run=7_500)
    full = cm.compute(_defaults()).by_group()["DynamoDB"]
    assert cm.compute(_defaults(), half).by_group()["DynamoDB"] < full


def test_reading_items_fit_the_modelled_size() -> None:
    """One WRU per write needs items under 1 KB; the model's item size must not undercount."""
    reading = Reading.build(
        sensor_id=1234567,
        sensor_type="SDS011",
        location_id=987654,
        timestamp="2026-12-03T10:00:00Z",
        country="DE",
        latitude=52.520008123,
        longitude=13.404954456,
        pm25_ugm3=123.45,
        pm10_ugm3=234.56,
    )
    item = items.reading_to_item(reading, retention_days=90)

    def value_size(value: dict) -> int:
        (kind, raw) = next(iter(value.items()))
        if kind == "N":  # DynamoDB: about one byte per two significant digits, plus one
            return math.ceil(len(raw.strip("-").replace(".", "").lstrip("0")) / 2) + 1
        return len(raw.encode("utf-8"))

    size = sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())
    assert size <= cm.Workload().reading_item_bytes
    assert size + cm.Workload().item_overhead_bytes < 1024


def test_default_tasks_fit_on_the_default_instances() -> None:
    report = cm.compute(_defaults())
    assert report.inputs["task_memory_reserved_mib"] <= report.inputs["instance_memory_available_mib"]
    assert not [note for note in report.notes if "reserve" in note]
    small = cm.compute(_defaults(instance_type="t4g.micro"))
    assert any("managed scaling will add an instance" in note for note in small.notes)


@pytest.mark.parametrize(
    ("expression", "per_day"),
    [
        ("rate(1 hour)", 24),
        ("rate(3 hours)", 8),
        ("rate(30 minutes)", 48),
        ("rate(1 day)", 1),
        ("cron(5 * * * ? *)", 24),
        ("cron(0 */6 * * ? *)", 4),
        ("cron(0 6,18 * * ? *)", 2),
    ],
)
def test_schedule_expressions(expression: str, per_day: float) -> None:
    assert cm.runs_per_day(expression) == per_day


def test_unknown_instance_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="no price"):
        cm.compute(_defaults(instance_type="x9.huge"))


def test_cli_prints_the_breakdown_and_json(tmp_path: Path) -> None:
    text = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "TOTAL (list prices)" in text and "us-east-1" in text and "ALB hours" in text
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--var", "instance_type=t3.small"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    data = json.loads(out)
    assert data["total"] > cm.compute(_defaults()).total
    assert math.isclose(sum(line["usd"] for line in data["lines"]), data["total"], abs_tol=0.01)


def test_readme_quotes_the_current_figures() -> None:
    readme = (tfparse.TERRAFORM / "README.md").read_text(encoding="utf-8")
    report = cm.compute(_defaults())
    lean = cm.compute(cm.load_variables(LEAN))
    for figure in (report.total, report.total_after_free_tier, lean.total, lean.total_after_free_tier):
        assert f"${figure:.2f}" in readme, f"README does not quote ${figure:.2f}; rerun make cost"
