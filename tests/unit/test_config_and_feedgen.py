import io
import json
from datetime import UTC, datetime

import pytest

from airq.config import Settings
from airq.feed import parse_document
from airq.feedgen import generate, write_feed


def test_settings_from_env_converts_types():
    settings = Settings.from_env(
        {"AIRQ_READINGS_TABLE": "x-readings", "AIRQ_INGEST_INTERVAL": "60", "AIRQ_WRITE_THREADS": "3"}
    )
    assert (settings.readings_table, settings.ingest_interval, settings.write_threads) == (
        "x-readings",
        60.0,
        3,
    )
    assert Settings.from_env({}) == Settings()


def test_settings_name_the_bad_variable():
    with pytest.raises(ValueError, match="AIRQ_WRITE_THREADS"):
        Settings.from_env({"AIRQ_WRITE_THREADS": "many"})


AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_feedgen_is_deterministic_and_sensors_are_stable_across_snapshots():
    first = generate(300, seed=7, at=AT)
    assert first == generate(300, seed=7, at=AT)
    later = generate(300, seed=7, at=AT.replace(hour=11))
    assert [e["sensor"]["id"] for e in first] == [e["sensor"]["id"] for e in later]
    assert first != later


def test_feedgen_output_has_the_live_schema_quirks_and_faults():
    buffer = io.StringIO()
    write_feed(generate(5000, seed=3, at=AT), buffer)
    entries = json.loads(buffer.getvalue())
    assert len(entries) == 5000
    result = parse_document(io.BytesIO(buffer.getvalue().encode()))
    for reason in ("not_pm", "count_sensor", "not_finite", "negative", "saturated", "pm25_gt_pm10", "indoor",
                   "missing_coordinates", "bad_timestamp"):  # fmt: skip
        assert result.rejected[reason] > 0, reason
    assert 0.50 < result.accepted / result.entries < 0.62
    countries = {r.country for r in result.readings}
    assert "DE" in countries and "XX" in countries and len(countries) > 30
    de_share = sum(r.country == "DE" for r in result.readings) / result.accepted
    assert 0.3 < de_share < 0.46
    assert any(isinstance(v["value"], float) for e in entries for v in e["sensordatavalues"])
    assert any("indoor" not in e["location"] for e in entries)
    assert any(e["location"]["altitude"] == "" for e in entries)
    bands = {r.band for r in result.readings}
    assert {"Low", "Moderate"} <= bands
