"""Every real sensor.community file in ../shared/data/real, through the same parser the service uses."""

import json

import pytest

from airq import daqi
from airq.feed import FeedError, load_feed, parse_entry


def test_v1_excerpt_keeps_every_pm_sensor(real_data):
    path = real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.json"
    raw = json.loads(path.read_text())
    result = load_feed(str(path))
    pm_entries = [e for e in raw if any(v["value_type"] in ("P1", "P2") for v in e["sensordatavalues"])]
    assert result.entries == 243
    assert result.accepted == len(pm_entries) == 140
    assert result.rejected == {"not_pm": 103}
    by_sensor = {r.sensor_id: r for r in result.readings}
    extreme = by_sensor[13554]
    assert (extreme.pm10_ugm3, extreme.pm25_ugm3) == (665.53, 234.67)
    assert (extreme.pm10_index, extreme.pm25_index, extreme.daqi, extreme.band) == (10, 10, 10, "Very High")
    assert {r.country for r in result.readings} >= {"DE", "GB", "NL", "BE"}
    assert all(
        r.timestamp.startswith("2019-04-16T14:22:5") and r.timestamp.endswith("Z") for r in result.readings
    )


def test_every_accepted_reading_has_the_independently_computed_daqi(real_data):
    result = load_feed(str(real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.json"))
    pm25_edges = [11, 23, 35, 41, 47, 53, 58, 64, 70]
    pm10_edges = [16, 33, 50, 58, 66, 75, 83, 91, 100]

    def expected(value, edges):
        rounded = int(value + 0.5)  # half-up for non-negative values
        return next((i for i, edge in enumerate(edges, start=1) if rounded <= edge), 10)

    for reading in result.readings:
        assert reading.pm25_index == expected(reading.pm25_ugm3, pm25_edges)
        assert reading.pm10_index == expected(reading.pm10_ugm3, pm10_edges)
        assert reading.daqi == max(reading.pm25_index, reading.pm10_index)
        assert reading.band == daqi.band_for_index(reading.daqi)


def test_upstream_sample_has_exact_location_and_no_indoor(real_data):
    result = load_feed(str(real_data / "ldi_static_v1_data.json_upstream_2019-04-25.json"))
    assert (result.entries, result.accepted, dict(result.rejected)) == (5, 2, {"not_pm": 3})
    assert {r.country for r in result.readings} == {"DE"}


def test_raw_excerpt_is_not_a_json_array_and_is_refused_whole(real_data):
    with pytest.raises(FeedError, match="not a JSON array"):
        load_feed(str(real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.raw.txt"))


def test_raw_excerpt_entries_are_the_same_objects(real_data):
    lines = (real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.raw.txt").read_text().splitlines()
    entries = [json.loads(line.rstrip().rstrip(",")) for line in lines if line.strip()]
    accepted = []
    for raw in entries:
        try:
            accepted.append(parse_entry(raw))
        except Exception:
            continue
    assert len(entries) == 243 and len(accepted) == 140


@pytest.mark.parametrize(
    ("name", "pm10", "pm25"),
    [
        ("2024-07-11_sds011_sensor_82312.csv", 3.30, 0.97),
        ("2025-06-29_sds011_sensor_82312.csv", 5.05, 1.32),
        ("2025-10-15_sds011_sensor_82312.csv", 7.45, 2.35),
    ],
)
def test_archive_daily_csv_becomes_one_24h_mean(real_data, name, pm10, pm25):
    result = load_feed(str(real_data / name))
    assert result.rejected == {}
    (reading,) = result.readings
    assert reading.sensor_id == 82312 and reading.country == "XX"
    assert reading.pm10_ugm3 == pytest.approx(pm10, abs=0.01)
    assert reading.pm25_ugm3 == pytest.approx(pm25, abs=0.01)
    assert reading.daqi == 1 and reading.band == "Low"
    assert reading.timestamp.startswith(name[:10] + "T23:5")


def test_r_dash_sample_rejects_each_fault_for_its_reason(real_data):
    result = load_feed(str(real_data / "luftdaten_r_dash_sensor_details_2019.csv"))
    assert result.entries == 10_000
    assert result.rejected["count_sensor"] == 2  # PPD42NS counts, not µg/m³
    assert result.rejected["negative"] == 1  # SDS011 15506: P1 = -58.62
    assert result.rejected["saturated"] >= 15  # P1 = 1999.9 on 15 rows, P2 = 999.9 on 13
    assert result.rejected["pm25_gt_pm10"] == 2  # the third P2 > P1 row is the negative one
    assert result.accepted + sum(result.rejected.values()) == result.entries
    assert all(r.pm10_ugm3 < 1999.9 and r.pm25_ugm3 < 999.9 for r in result.readings)
    assert all(r.country == "XX" for r in result.readings)  # this file has no country column
