"""GET /api/countries and GET /api/summary, answered from the per-day summaries (DESIGN §4), never
from the readings: one small Query per day.

/api/countries is day-granular: it covers the whole days that start..end touches.
/api/summary is hour-granular: whole days come from the country-day items; a day that start or
end cuts into comes from its hourly items, every hour that overlaps start..end counted whole
(`meta.window` gives the span actually covered).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from airq.api import context
from airq.formats import META
from airq.summaries import Summary
from airq.validation import parse_span_args

bp = Blueprint("catalogue", __name__)


@bp.get("/api/countries")
def countries() -> Any:
    query = parse_span_args(request.args, allow_country=False)
    days = query.days()
    combined: dict[str, Summary] = {}
    for summaries in context.map_parallel(context.store().country_summaries, days):
        for country, summary in summaries.items():
            combined.setdefault(country, Summary()).merge(summary)
    data = [{"country": country, **combined[country].as_dict()} for country in sorted(combined)]
    meta = {**META, "start": days[0], "end": days[-1], "days": len(days), "count": len(data)}
    return jsonify({"meta": meta, "data": data})


@bp.get("/api/summary")
def summary() -> Any:
    query = parse_span_args(request.args, allow_country=True)
    store = context.store()

    def one_day(day: str) -> tuple[Summary, bool]:
        if query.start <= f"{day}T00:00:00Z" and f"{day}T23:59:59Z" <= query.end:
            items = store.country_summaries(day)
            parts = [s for c, s in items.items() if not query.country or c == query.country]
            return Summary.combine(parts), True
        parts = [
            s
            for (_, hour), s in store.hour_summaries(day, query.country)
            if f"{day}T{hour:02d}:00:00Z" <= query.end and query.start <= f"{day}T{hour:02d}:59:59Z"
        ]
        return Summary.combine(parts), False

    days = query.days()
    results = context.map_parallel(one_day, days)
    whole = all(is_whole for _, is_whole in results)
    total = Summary.combine(s for s, _ in results)
    window = {
        "start": query.start if whole else query.start[:13] + ":00:00Z",
        "end": query.end if whole else query.end[:13] + ":59:59Z",
    }
    meta = {
        **META,
        "query": query.to_dict(),
        "granularity": "day" if whole else "hour",
        "window": window,
    }
    by_day = [{"day": day, **s.as_dict()} for day, (s, _) in zip(days, results, strict=True)]
    return jsonify({"meta": meta, "data": {**total.as_dict(), "by_day": by_day}})
