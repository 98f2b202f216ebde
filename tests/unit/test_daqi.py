import pytest

from airq import daqi


@pytest.mark.parametrize(
    ("pm25", "expected"),
    [
        (0, 1), (11.0, 1), (11.4, 1), (11.5, 2), (23.49, 2), (23.5, 3), (35.0, 3), (35.4, 3), (35.5, 4),
        (41.5, 5), (47.5, 6), (53.5, 7), (58.5, 8), (64.5, 9), (70.0, 9), (70.4, 9), (70.5, 10), (500, 10),
    ],
)  # fmt: skip
def test_pm25_index_at_every_band_edge(pm25, expected):
    assert daqi.pm25_index(pm25) == expected


@pytest.mark.parametrize(
    ("pm10", "expected"),
    [
        (0, 1), (16.4, 1), (16.5, 2), (33.4, 2), (33.5, 3), (50.4, 3), (50.5, 4), (58.5, 5), (66.5, 6),
        (75.5, 7), (83.5, 8), (91.5, 9), (100.0, 9), (100.4, 9), (100.5, 10), (1500, 10),
    ],
)  # fmt: skip
def test_pm10_index_at_every_band_edge(pm10, expected):
    assert daqi.pm10_index(pm10) == expected


def test_rounding_is_half_up_not_bankers():
    # round(0.5) == 0 and round(2.5) == 2 in Python; the DAQI wants 1 and 3.
    assert daqi.round_half_up(0.5) == 1
    assert daqi.round_half_up(2.5) == 3
    assert daqi.round_half_up(11.45) == 11
    assert daqi.round_half_up(34.5) == 35


def test_overall_is_max_of_both():
    assert daqi.overall_index(10.0, 60.0) == (1, 5, 5)
    assert daqi.overall_index(72.0, 20.0) == (10, 2, 10)


def test_one_pollutant_readings():
    assert daqi.overall_index(None, 51.0) == (None, 4, 4)
    assert daqi.overall_index(36.0, None) == (4, None, 4)
    with pytest.raises(ValueError):
        daqi.overall_index(None, None)


@pytest.mark.parametrize(
    ("index", "band"),
    [(1, "Low"), (3, "Low"), (4, "Moderate"), (6, "Moderate"), (7, "High"), (9, "High"), (10, "Very High")],
)
def test_bands(index, band):
    assert daqi.band_for_index(index) == band


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_band_rejects_out_of_range(bad):
    with pytest.raises(ValueError):
        daqi.band_for_index(bad)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Low", "Low"),
        ("low", "Low"),
        ("MODERATE", "Moderate"),
        ("Medium", "Moderate"),
        ("very  high", "Very High"),
    ],
)
def test_band_filter_names(given, canonical):
    assert daqi.normalise_band(given) == canonical


def test_unknown_band_is_an_error():
    with pytest.raises(ValueError, match="unknown band"):
        daqi.normalise_band("Extreme")
