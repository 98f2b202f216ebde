"""Keys, items, cursors and the query model: pure logic, no stand-in."""

import pytest

from airq import tables
from airq.config import Settings
from airq.items import item_to_reading, reading_to_item
from airq.query import CursorError, ReadingQuery, decode_cursor, encode_cursor
from airq.readings import Reading
from airq.store import Store, StoreError
from airq.summaries import Summary


def reading(**overrides):
    values = dict(
        sensor_id=42, sensor_type="SDS011", location_id=7, timestamp="2026-12-03T10:00:00Z", country="DE",
        latitude=52.5, longitude=13.4, pm25_ugm3=14.8, pm10_ugm3=20.4,
    )  # fmt: skip
    values.update(overrides)
    return Reading.build(**values)


def test_key_is_deterministic_from_sensor_timestamp_and_country():
    assert tables.readings_key("DE", "2026-12-03T10:00:00Z", 42) == {
        "country_day": "DE#2026-12-03",
        "ts_sensor": "2026-12-03T10:00:00Z#0000000042",
    }
    first = reading_to_item(reading(), 90)
    again = reading_to_item(reading(), 90)
    assert first == again


def test_item_round_trip_keeps_every_field_and_ttl():
    for original in (reading(), reading(pm25_ugm3=None), reading(pm10_ugm3=None, location_id=None)):
        item = reading_to_item(original, 90)
        assert item_to_reading(item) == original
        assert int(item["expires_at"]["N"]) == 1796292000 + 90 * 86400


def test_sort_key_orders_by_time_then_sensor():
    pairs = [("2026-12-03T10:00:00Z", 9), ("2026-12-03T10:00:00Z", 10), ("2026-12-03T10:00:01Z", 1)]
    keys = [tables.readings_key("DE", ts, sid)["ts_sensor"] for ts, sid in pairs]
    assert keys == sorted(keys)


def test_query_matches_and_daqi_range():
    query = ReadingQuery(start="2026-12-03T00:00:00Z", end="2026-12-03T23:59:59Z", min_aqi=2, band="Low")
    assert query.daqi_range == (2, 3)
    assert query.matches(reading())
    assert not query.matches(reading(pm25_ugm3=1.0, pm10_ugm3=2.0))  # DAQI 1
    assert not query.matches(reading(timestamp="2026-12-04T00:00:00Z"))
    boxed = ReadingQuery(
        start="2026-12-03T00:00:00Z", end="2026-12-03T23:59:59Z", bbox=(13.0, 52.0, 14.0, 53.0)
    )
    assert boxed.matches(reading())
    assert not boxed.matches(reading(longitude=12.9))
    assert ReadingQuery(start="a", end="b", min_aqi=0).daqi_range == (1, 10)


def test_query_days_and_dict_round_trip():
    query = ReadingQuery(start="2026-11-30T12:00:00Z", end="2026-12-02T00:00:00Z", bbox=(1.0, 2.0, 3.0, 4.0))
    assert query.days() == ["2026-11-30", "2026-12-01", "2026-12-02"]
    assert ReadingQuery.from_dict(query.to_dict()) == query


def test_cursor_round_trip_and_garbage():
    position = {"d": "2026-12-03", "c": "DE", "k": "2026-12-03T10:00:00Z#0000000042"}
    assert decode_cursor(encode_cursor(position)) == position
    for garbage in ("!!!", "e30", encode_cursor({"x": 1}), "bm90IGpzb24"):
        with pytest.raises(CursorError):
            decode_cursor(garbage)


def test_summary_counts_bands_and_means():
    summary = Summary()
    summary.add(1, 5.0, 10.0)
    summary.add(4, 40.0, None)
    summary.add(10, None, 150.0)
    assert summary.band_counts == {"Low": 1, "Moderate": 1, "High": 0, "Very High": 1}
    assert (summary.pm25_mean, summary.pm10_mean) == (22.5, 80.0)
    restored = Summary.from_item(summary.to_item("2026-12-03", "C#DE", "DE", 0))
    assert restored == summary
    assert Summary.combine([summary, summary]).readings == 6


class FlakyDynamo:
    """Returns part of each batch as UnprocessedItems, like a throttled table."""

    def __init__(self, unprocessed_rounds):
        self.unprocessed_rounds = unprocessed_rounds
        self.calls = []

    def batch_write_item(self, RequestItems):
        ((table, requests),) = RequestItems.items()
        self.calls.append(len(requests))
        assert len(requests) <= 25
        if self.unprocessed_rounds > 0:
            self.unprocessed_rounds -= 1
            return {"UnprocessedItems": {table: requests[: len(requests) // 2 or 1]}}
        return {"UnprocessedItems": {}}


def test_unprocessed_items_are_retried_with_backoff():
    sleeps = []
    client = FlakyDynamo(unprocessed_rounds=3)
    store = Store(Settings(write_threads=1), client=client, sleep=sleeps.append)
    report = store.write_items("t", [{"k": {"S": str(n)}} for n in range(60)])
    assert report.items == 60 and report.batches == 3 and report.retries == 3
    assert client.calls[:4] == [25, 12, 6, 3]
    assert len(sleeps) == 3


def test_write_gives_up_with_a_clear_error():
    store = Store(Settings(write_threads=1), client=FlakyDynamo(unprocessed_rounds=100), sleep=lambda s: None)
    with pytest.raises(StoreError, match="still unprocessed"):
        store.write_items("t", [{"k": {"S": "1"}}])


def test_catalogue_memo_reuses_a_day_for_its_ttl_then_reads_again():
    from airq.store import CatalogueMemo

    now = [100.0]
    reads: list[str] = []

    def load(day: str) -> dict:
        reads.append(day)
        return {"DE": len(reads)}

    memo = CatalogueMemo(ttl=1.0, clock=lambda: now[0])
    assert memo.get("2026-12-03", load) == {"DE": 1}
    now[0] += 0.9
    assert memo.get("2026-12-03", load) == {"DE": 1}  # within the TTL: not read again
    assert memo.get("2026-12-02", load) == {"DE": 2}  # another day is its own entry
    now[0] += 0.2
    assert memo.get("2026-12-03", load) == {"DE": 3}  # expired: read again, so new data shows
    assert reads == ["2026-12-03", "2026-12-02", "2026-12-03"]
