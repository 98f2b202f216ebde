"""Read Prometheus text exposition (a service's /metrics) the way Prometheus does: one helper for
tests and the load test, on prometheus_client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def metric_total(text: str, name: str, **labels: str) -> float:
    """The sum of every sample called `name` (e.g. `airq_http_requests_total`, or a histogram's
    `..._count`) whose labels include `labels`; 0 when there is none."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )
