"""What clients send, parsed and checked into an `airq.query.ReadingQuery`.

One error shape everywhere: a `ValidationError` maps every bad field to a message (every rule runs,
so a request with three mistakes hears about all three at once) and the API renders it as
`{"error": {"code": "invalid_request", "message": ..., "fields": {field: message}}}`.

Rules (README "HTTP API" documents them for users):
- Times: ISO-8601 date or datetime, `T` or a space before the time, optional seconds, fraction and
  offset (`Z`, `+01:00`; a `+` that a query string turned into a space is read back as `+`);
  naive times are UTC. Both ends are inclusive; a date-only `end` covers that whole day. When
  absent: `end` is the end of today (UTC) and `start` the beginning of `end`'s day.
- `min_aqi`/`max_aqi`: integers 0-10, where 0 means "no bound" (the original client sends
  `minAqi: 0`). `band`: Low, Moderate (or Medium), High, Very High, any case. A band and an AQI range
  that cannot both hold is an error, not an empty answer.
- `country`: two letters, any case (`XX` is the store's "unknown country").
- `bbox`: `min_lon,min_lat,max_lon,max_lat` in degrees, min < max (no antimeridian wrap).
- `sensor_id`: 1 to 9,999,999,999 (the store pads sensor ids to ten digits).
- An empty value is the same as leaving the parameter out; a parameter given twice is an error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from airq import daqi, tables
from airq.config import Settings
from airq.query import CursorError, ReadingQuery, decode_cursor, encode_cursor

MAX_SPAN_DAYS = 366  # longest start..end of any request (exports included); data lives 90 days
MAX_SENSOR_ID = 9_999_999_999
FORMATS = ("json", "geojson", "csv")
READING_FILTERS = ("start", "end", "country", "min_aqi", "max_aqi", "band", "sensor_id", "bbox")
PAGE_OPTIONS = ("format", "limit", "cursor")
# The original client's body: its field names, and the filter each one sets.
CLIENT_FIELDS = {
    "startDate": "start",
    "endDate": "end",
    "country": "country",
    "minAqi": "min_aqi",
    "maxAqi": "max_aqi",
    "range": "band",
}

_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>[Zz]|[+\- ]\d{2}:?\d{2})?)?",
    re.ASCII,  # \d: 0-9 only, not every script's digits
)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_SORT_KEY = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z#\d{10}", re.ASCII)
_DIGITS = re.compile(r"\d{1,12}", re.ASCII)
_ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


T = TypeVar("T")


class ValidationError(ValueError):
    """Bad input: `fields` names every bad field (request parameter or body key) with its message."""

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        self.fields = dict(fields)
        self.message = message or "invalid " + ", ".join(self.fields)
        super().__init__(self.message)


class _Errors:
    """Collects one message per field; `raise_if_any` raises them all together."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)

    def result(self, value: T | None) -> T:
        """The value, unless any field was bad: then every bad field, raised together."""
        self.raise_if_any()
        assert value is not None
        return value


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# ---------------------------------------------------------------------- single values


def parse_time(value: object, *, end: bool = False) -> str:
    """An instant as ISO-8601 UTC `YYYY-MM-DDTHH:MM:SSZ`; a date alone is its first (or, for an
    end, its last) second. Sub-second precision rounds inward, since readings are whole seconds."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 date or datetime string")
    match = _TIME.fullmatch(value.strip())
    if not match:
        raise ValueError(
            f"{value!r} is not an ISO-8601 date or datetime (e.g. 2026-12-03 or 2026-12-03T10:00Z)"
        )
    try:
        day = date.fromisoformat(match["date"])
        if match["hour"] is None:
            return _iso_z(datetime.combine(day, time(23, 59, 59) if end else time(0), UTC))
        clock = time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
        moment = datetime.combine(day, clock, _zone(match["zone"]))
        if match["fraction"] and int(match["fraction"]) and not end:
            moment += timedelta(seconds=1)  # 10:00:00.5 as a start excludes 10:00:00
        return _iso_z(moment)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{value!r} is not a valid date or time ({exc})") from None


def _zone(raw: str | None) -> Any:
    if raw is None or raw in "Zz":
        return UTC
    sign = -1 if raw[0] == "-" else 1  # " " is a "+" that URL decoding turned into a space
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _iso_z(moment: datetime) -> str:
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


def parse_country(value: object) -> str:
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value.strip()):
        raise ValueError("must be a two-letter ISO-3166 country code, e.g. DE (XX: unknown country)")
    return value.strip().upper()


def _integer(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError


def parse_aqi(value: object) -> int | None:
    """0-10; 0 is "no bound" (None)."""
    try:
        number = _integer(value)
    except ValueError:
        raise ValueError("must be an integer from 0 to 10 (0: no bound)") from None
    if not 0 <= number <= 10:
        raise ValueError(f"must be from 0 to 10 (0: no bound), got {number}")
    return number or None


def parse_band(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be one of Low, Moderate (or Medium), High, Very High")
    try:
        return daqi.normalise_band(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def parse_sensor_id(value: object) -> int:
    try:
        number = _integer(value)
    except ValueError:
        raise ValueError("must be a positive integer") from None
    if not 1 <= number <= MAX_SENSOR_ID:
        raise ValueError(f"must be from 1 to {MAX_SENSOR_ID}")
    return number


def parse_bbox(value: object) -> tuple[float, float, float, float]:
    usage = "must be min_lon,min_lat,max_lon,max_lat: four numbers in degrees"
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 4 or not all(_NUMBER.fullmatch(p) for p in parts):
            raise ValueError(usage)
        numbers = [float(p) for p in parts]
    elif isinstance(value, list | tuple) and len(value) == 4:
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value):
            raise ValueError(usage)
        numbers = [float(n) for n in value]
    else:
        raise ValueError(usage)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError(usage)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ValueError("longitudes must be from -180 to 180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ValueError("latitudes must be from -90 to 90")
    if not (min_lon < max_lon and min_lat < max_lat):
        raise ValueError("min_lon must be below max_lon and min_lat below max_lat")
    return min_lon, min_lat, max_lon, max_lat


def parse_limit(value: object, settings: Settings) -> int:
    try:
        number = _integer(value)
    except ValueError:
        number = -1
    if not 1 <= number <= settings.page_limit_max:
        raise ValueError(f"must be an integer from 1 to {settings.page_limit_max}")
    return number


def parse_format(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in FORMATS:
        return value.strip().lower()
    raise ValueError(f"must be one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------- spans and queries


def today_utc() -> date:
    return datetime.now(UTC).date()


def default_span(today: date) -> tuple[str, str]:
    return f"{today.isoformat()}T00:00:00Z", f"{today.isoformat()}T23:59:59Z"


def _span(
    values: Mapping[str, object],
    errors: _Errors,
    names: Mapping[str, str],
    today: date,
    default_days: int = 1,
) -> tuple[str, str]:
    """start and end (ISO Z) with their defaults (start: the beginning of the `default_days`-th
    day back from end's day); errors are keyed by the client's field names."""
    start_name, end_name = names["start"], names["end"]
    start = end = None
    if not _absent(values.get(start_name)):
        try:
            start = parse_time(values[start_name])
        except ValueError as exc:
            errors.add(start_name, str(exc))
    if not _absent(values.get(end_name)):
        try:
            end = parse_time(values[end_name], end=True)
        except ValueError as exc:
            errors.add(end_name, str(exc))
    defaulted = ""
    if end is None and end_name not in errors.fields:
        end = default_span(today)[1]
        defaulted = f" ({end_name} defaults to the end of today, UTC)"
    if start is None and start_name not in errors.fields and end is not None:
        first = date.fromisoformat(end[:10]) - timedelta(days=default_days - 1)
        start = f"{first.isoformat()}T00:00:00Z"
    if start is None or end is None:
        return "", ""
    if start > end:
        errors.add(start_name, f"{start_name} ({start}) is after {end_name} ({end}){defaulted}")
        return "", ""
    days = span_days(start, end)
    if days > MAX_SPAN_DAYS:
        errors.add(
            end_name, f"{start_name} to {end_name} covers {days} days; at most {MAX_SPAN_DAYS} are allowed"
        )
    return start, end


def span_days(start: str, end: str) -> int:
    """Calendar days (UTC) that start..end touches."""
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days + 1


def _reading_query(
    values: Mapping[str, object],
    errors: _Errors,
    names: Mapping[str, str],
    today: date,
    default_days: int = 1,
) -> ReadingQuery | None:
    """The query the values describe, or None when `errors` holds anything (this or earlier)."""
    start, end = _span(values, errors, names, today, default_days)
    parsed: dict[str, Any] = {}
    parsers = {
        "country": parse_country,
        "min_aqi": parse_aqi,
        "max_aqi": parse_aqi,
        "band": parse_band,
        "sensor_id": parse_sensor_id,
        "bbox": parse_bbox,
    }
    for key, parser in parsers.items():
        name = names.get(key)
        if name is None or _absent(values.get(name)):
            continue
        try:
            parsed[key] = parser(values[name])
        except ValueError as exc:
            errors.add(name, str(exc))
    low, high = parsed.get("min_aqi"), parsed.get("max_aqi")
    if low is not None and high is not None and low > high:
        low_name, high_name = names["min_aqi"], names["max_aqi"]
        errors.add(low_name, f"{low_name} ({low}) is greater than {high_name} ({high})")
        errors.add(high_name, f"{high_name} ({high}) is less than {low_name} ({low})")
    elif parsed.get("band"):
        band_low, band_high = daqi.BAND_INDEX_RANGE[parsed["band"]]
        if max(low or 1, band_low) > min(high or 10, band_high):
            errors.add(
                names["band"],
                f"band {parsed['band']} (DAQI {band_low}-{band_high}) is outside the AQI range "
                f"{low or 1}-{high or 10}, so nothing could match",
            )
    return None if errors.fields else ReadingQuery(start=start, end=end, **parsed)


def _unknown(keys: Iterable[str], allowed: Iterable[str], errors: _Errors, what: str) -> None:
    allowed = list(allowed)
    for key in keys:
        if key not in allowed:
            errors.add(key, f"unknown {what}; expected one of {', '.join(allowed)}")


# ---------------------------------------------------------------------- requests


@dataclass(frozen=True)
class PageRequest:
    query: ReadingQuery
    format: str
    limit: int
    cursor: dict[str, Any] | None


def single_values(args: Any, errors: _Errors | None = None) -> dict[str, str]:
    """A query string (werkzeug MultiDict) as one value per name; repeated names are errors."""
    errors = errors if errors is not None else _Errors()
    values = {}
    for name in args:
        given = args.getlist(name)
        if len(given) > 1:
            errors.add(name, "given more than once")
        values[name] = given[0]
    return values


def parse_page_args(
    args: Any,
    settings: Settings,
    *,
    sensor_id: str | None = None,
    default_days: int = 1,
    today: date | None = None,
) -> PageRequest:
    """GET /api/readings, or /api/sensors/<id> with `sensor_id` as the path gave it (checked with
    the parameters, so a bad id and bad parameters are reported together)."""
    errors = _Errors()
    values = single_values(args, errors)
    filters = [f for f in READING_FILTERS if not (sensor_id is not None and f == "sensor_id")]
    _unknown(values, [*filters, *PAGE_OPTIONS], errors, "parameter")
    if sensor_id is not None:
        values["sensor_id"] = sensor_id
    out_format = "json"
    if not _absent(values.get("format")):
        try:
            out_format = parse_format(values["format"])
        except ValueError as exc:
            errors.add("format", str(exc))
    limit = settings.page_limit_default
    if not _absent(values.get("limit")):
        if out_format == "csv":
            errors.add("limit", "format=csv streams every matching row; limit is for json and geojson")
        else:
            try:
                limit = parse_limit(values["limit"], settings)
            except ValueError as exc:
                errors.add("limit", str(exc))
    raw_cursor = values.get("cursor")
    if not _absent(raw_cursor) and out_format == "csv":
        errors.add("cursor", "format=csv streams every matching row; cursor is for json and geojson")
    names = {f: f for f in READING_FILTERS}
    query = errors.result(_reading_query(values, errors, names, today or today_utc(), default_days))
    cursor = None
    if not _absent(raw_cursor) and out_format != "csv":
        try:
            cursor = check_cursor(str(raw_cursor), query)
        except CursorError as exc:
            raise ValidationError({"cursor": str(exc)}) from None
    return PageRequest(query=query, format=out_format, limit=limit, cursor=cursor)


def parse_export_body(body: Mapping[str, object], today: date | None = None) -> ReadingQuery:
    """POST /api/exports: the /api/readings filters as a JSON object (bbox a string or 4 numbers)."""
    errors = _Errors()
    _unknown(body, READING_FILTERS, errors, "field")
    return errors.result(_reading_query(body, errors, {f: f for f in READING_FILTERS}, today or today_utc()))


def parse_client_body(body: Mapping[str, object], today: date | None = None) -> ReadingQuery:
    """POST /api/query: the original client's body; errors name its own fields (startDate, ...)."""
    errors = _Errors()
    _unknown(body, CLIENT_FIELDS, errors, "field")
    names = {filter_name: client_name for client_name, filter_name in CLIENT_FIELDS.items()}
    return errors.result(_reading_query(body, errors, names, today or today_utc()))


def parse_span_args(args: Any, *, allow_country: bool, today: date | None = None) -> ReadingQuery:
    """start/end (and country) for the summaries: /api/summary, /api/countries (which also takes
    `day` as a shorthand for start=end=day)."""
    errors = _Errors()
    values = single_values(args, errors)
    allowed = ["start", "end", "country"] if allow_country else ["day", "start", "end"]
    _unknown(values, allowed, errors, "parameter")
    if not allow_country and not _absent(values.get("day")):
        if not _absent(values.get("start")) or not _absent(values.get("end")):
            errors.add("day", "give either day or start/end, not both")
        else:
            values["start"] = values["end"] = values["day"]
    names = {"start": "start", "end": "end", "country": "country"}
    if not allow_country:
        names.pop("country")
    return errors.result(_reading_query(values, errors, names, today or today_utc()))


# ---------------------------------------------------------------------- cursors

_CURSOR_HELP = "cursor is not one this API issued for this query; start again without it"


def _fingerprint(query: ReadingQuery) -> str:
    canonical = json.dumps(query.to_dict(), sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()[:9]).decode()


def issue_cursor(query: ReadingQuery, position: Mapping[str, Any]) -> str:
    """An opaque cursor: the resume position, bound to the query it belongs to."""
    return encode_cursor({**position, "q": _fingerprint(query)})


def check_cursor(raw: str, query: ReadingQuery) -> dict[str, Any]:
    """The resume position in a cursor, if it was issued for this query and points inside it
    (a position outside the query's key range would make DynamoDB refuse the Query)."""
    if len(raw) > 1024:
        raise CursorError(_CURSOR_HELP)
    position = decode_cursor(raw)
    if position.get("q") != _fingerprint(query):
        raise CursorError("cursor belongs to a different query (filters changed); start again without it")
    if query.sensor_id is not None:
        if not _valid_sensor_position(position.get("s"), query):
            raise CursorError(_CURSOR_HELP)
    elif not _valid_partition_position(position, query):
        raise CursorError(_CURSOR_HELP)
    return position


def _valid_partition_position(position: Mapping[str, Any], query: ReadingQuery) -> bool:
    day, country, key = position.get("d"), position.get("c"), position.get("k")
    if not isinstance(day, str) or day not in query.days() or not isinstance(country, str):
        return False
    if country == "":  # "this day, before its first country": the page stopped at the catalogue
        return key is None and not query.country
    if not _COUNTRY.fullmatch(country) or country != country.upper():
        return False
    if query.country and country != query.country:
        return False
    if key is None:
        return True
    if not isinstance(key, str) or not _SORT_KEY.fullmatch(key):
        return False
    low = max(query.start, f"{day}T00:00:00Z")
    high = min(query.end, f"{day}T23:59:59Z") + "~"
    return low <= key <= high


def _valid_sensor_position(key: object, query: ReadingQuery) -> bool:
    names = {tables.READINGS_PK, tables.READINGS_SK, tables.BY_SENSOR_PK, tables.BY_SENSOR_SK}
    if not isinstance(key, dict) or set(key) != names:
        return False
    try:
        sensor = key[tables.BY_SENSOR_PK]["N"]
        stamp = key[tables.BY_SENSOR_SK]["S"]
        partition = key[tables.READINGS_PK]["S"]
        sort = key[tables.READINGS_SK]["S"]
    except (KeyError, TypeError):
        return False
    if not all(isinstance(v, str) for v in (sensor, stamp, partition, sort)):
        return False
    if sensor != str(query.sensor_id) or not _ISO_Z.fullmatch(stamp):
        return False
    if not query.start <= stamp <= query.end:
        return False
    expected = tables.readings_key(partition[:2], stamp, query.sensor_id or 0)
    return (
        _COUNTRY.fullmatch(partition[:2]) is not None
        and partition[:2] == partition[:2].upper()
        and expected == {tables.READINGS_PK: partition, tables.READINGS_SK: sort}
    )
