"""Turn Locust JSON results into `report.md` and two PNG charts (the original report's charts).

python loadtest/report.py loadtest/results/<run>
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@dataclass
class ScenarioStats:
    name: str
    users: int
    requests: int
    failures: int
    queued_202: int
    limited_429: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rps: float


def percentile(histogram: dict[str, int], total: int, share: float) -> float:
    """Percentile from Locust's rounded response-time histogram ({"ms": count})."""
    if not total:
        return 0.0
    wanted = share * total
    seen = 0
    for value, count in sorted(((float(k), v) for k, v in histogram.items())):
        seen += count
        if seen >= wanted:
            return value
    return max(float(k) for k in histogram)


def summarise(name: str, users: int, entries: list[dict]) -> ScenarioStats:
    real = [e for e in entries if e["method"] not in ("STATUS",)]
    status = {e["name"]: e["num_requests"] for e in entries if e["method"] == "STATUS"}
    histogram: dict[str, int] = {}
    for entry in real:
        if entry["method"] == "EXPORT":
            continue
        for value, count in entry["response_times"].items():
            histogram[value] = histogram.get(value, 0) + count
    requests = sum(e["num_requests"] for e in real if e["method"] != "EXPORT")
    failures = sum(e["num_failures"] for e in real)
    total_time = sum(e["total_response_time"] for e in real if e["method"] != "EXPORT")
    starts = [e["start_time"] for e in real if e["num_requests"]]
    ends = [e["last_request_timestamp"] for e in real if e["num_requests"]]
    duration = max(ends) - min(starts) if starts and ends and max(ends) > min(starts) else 0.0
    return ScenarioStats(
        name=name,
        users=users,
        requests=requests,
        failures=failures,
        queued_202=status.get("202", 0),
        limited_429=status.get("429", 0),
        mean_ms=total_time / requests if requests else 0.0,
        p50_ms=percentile(histogram, requests, 0.50),
        p95_ms=percentile(histogram, requests, 0.95),
        p99_ms=percentile(histogram, requests, 0.99),
        max_ms=max((e["max_response_time"] or 0 for e in real), default=0.0),
        rps=requests / duration if duration else float(requests),
    )


def per_endpoint(entries: list[dict]) -> list[tuple[str, int, int, float, float]]:
    rows = []
    for entry in entries:
        if entry["method"] in ("STATUS", "EXPORT") or not entry["num_requests"]:
            continue
        n = entry["num_requests"]
        rows.append(
            (
                entry["name"],
                n,
                entry["num_failures"],
                percentile(entry["response_times"], n, 0.5),
                percentile(entry["response_times"], n, 0.95),
            )
        )
    return sorted(rows)


TABLE_HEAD = (
    "| scenario | users | requests | failures | 202 | 429 "
    "| mean ms | p50 ms | p95 ms | p99 ms | max ms | req/s |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def row(s: ScenarioStats) -> str:
    return (
        f"| {s.name} | {s.users} | {s.requests} | {s.failures} | {s.queued_202} | {s.limited_429} | "
        f"{s.mean_ms:.1f} | {s.p50_ms:.0f} | {s.p95_ms:.0f} | {s.p99_ms:.0f} | "
        f"{s.max_ms:.0f} | {s.rps:.1f} |\n"
    )


def charts(stats: list[ScenarioStats], out: Path) -> None:
    labels = [s.name for s in stats]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    positions = range(len(stats))
    width = 0.2
    for offset, (label, values) in enumerate(
        [
            ("mean", [s.mean_ms for s in stats]),
            ("p50", [s.p50_ms for s in stats]),
            ("p95", [s.p95_ms for s in stats]),
            ("p99", [s.p99_ms for s in stats]),
        ]
    ):
        ax.bar([p + (offset - 1.5) * width for p in positions], values, width, label=label)
    ax.set_xticks(list(positions), labels, rotation=20, ha="right")
    ax.set_ylabel("response time (ms)")
    ax.set_title("Response times per scenario")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "response_times.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.plot(labels, [s.failures for s in stats], marker="o", label="failures (5xx, timeouts, resets)")
    ax.plot(labels, [s.queued_202 for s in stats], marker="s", label="202 queued")
    ax.plot(labels, [s.limited_429 for s in stats], marker="^", label="429 rate limited")
    ax.set_ylabel("count")
    ax.set_title("Failures against users and requests")
    ax.legend()
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    fig.tight_layout()
    fig.savefig(out / "failures.png", dpi=110)
    plt.close(fig)


def write_report(run_dir: Path) -> Path:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    stats, details = [], []
    for scenario in manifest["scenarios"]:
        entries = json.loads((run_dir / scenario["file"]).read_text())
        stats.append(summarise(scenario["name"], scenario["users"], entries))
        details.append((scenario["name"], scenario.get("note", ""), per_endpoint(entries)))
    charts(stats, run_dir)
    lines = [
        f"# Load test report: {manifest['run']}\n\n",
        f"Target {manifest['target']}, {manifest['cores']} cores, data: {manifest['data']}.\n",
        "Failures are 5xx responses, timeouts and broken connections; 202 (queued as an export) and 429 "
        "(rate limited) are counted apart. Times in milliseconds.\n\n",
        TABLE_HEAD,
        *(row(s) for s in stats),
        "\n![response times](response_times.png)\n\n![failures](failures.png)\n\n## Per endpoint\n",
    ]
    for name, note, rows in details:
        lines.append(f"\n### {name}\n\n" + (f"{note}\n\n" if note else ""))
        lines.append("| endpoint | requests | failures | p50 ms | p95 ms |\n|---|---|---|---|---|\n")
        lines.extend(f"| {n} | {r} | {f} | {p50:.0f} | {p95:.0f} |\n" for n, r, f, p50, p95 in rows)
    report = run_dir / "report.md"
    report.write_text("".join(lines))
    return report


if __name__ == "__main__":
    print(write_report(Path(sys.argv[1])))
