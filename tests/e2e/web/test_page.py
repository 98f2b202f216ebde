"""The page in a real headless Chromium, against the real stack behind the web tier.

Tiles from tile.openstreetmap.org are refused for every test (this machine is offline, and tests
must not load a volunteer-run tile server): the map's fallback is what the page shows.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import utc_today

TILES = "https://tile.openstreetmap.org/**"
# 1x1 transparent PNG, for the test where tiles do load.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
EXPORT_TIMEOUT_MS = 90_000
PAGE_SIZE = 50


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def site(page: Page, problems: list[str]) -> Page:
    """The page, loaded, with tiles refused; fails the test on any JS error or CSP violation."""

    def on_console(message) -> None:
        if message.type != "error":
            return
        if "tile.openstreetmap.org" in (message.location or {}).get("url", ""):
            return  # the refused tiles
        if message.text.startswith("Failed to load resource") and "tile.openstreetmap" in message.text:
            return
        problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.context.route(TILES, lambda route: route.abort("internetdisconnected"))
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    yield page
    unexpected = [p for p in problems if "net::ERR_INTERNET_DISCONNECTED" not in p]
    assert not unexpected, unexpected


def search(page: Page, start: str, end: str, **filters: str) -> None:
    page.get_by_label("Start date").fill(start)
    page.get_by_label("End date").fill(end)
    for name, value in filters.items():
        control = page.locator(f"#{name}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    page.get_by_role("button", name="Search").click()


def results_status(page: Page):
    return page.locator("#results-status")


def table_keys(page: Page) -> list[tuple[str, str]]:
    """(sensor id, time) of every row in the table."""
    cells = page.locator("#results-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent])"
    )
    return [tuple(pair) for pair in cells]


def api_pages(base: str, params: dict, limit: int = PAGE_SIZE) -> list[list[dict]]:
    """Every page of /api/readings as the API gives it, `limit` rows per request, refilled to
    full pages the way the page does (an API page may come back short with a cursor)."""
    rows: list[dict] = []
    cursor = None
    while True:
        query = {**params, "limit": 1000, **({"cursor": cursor} if cursor else {})}
        body = requests.get(base + "/api/readings", params=query, timeout=60).json()
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            break
    return [rows[i : i + limit] for i in range(0, len(rows), limit)]


def as_key(reading: dict) -> tuple[str, str]:
    return str(reading["sensor_id"]), reading["timestamp"].replace("T", " ")[:16]


def summary_total(base: str, **params: str) -> int:
    return requests.get(base + "/api/summary", params=params, timeout=30).json()["data"]["readings"]


# ----------------------------------------------------------------------------- the form


def test_search_shows_rows_and_pages_forward_and_back(site: Page, stack, base_url):
    day = stack.days[1]
    total = stack.readings_per_day[day]
    pages = api_pages(base_url, {"start": day, "end": day})
    assert sum(len(p) for p in pages) == total
    search(site, day, day)
    next_button = site.get_by_role("button", name="Next page")
    previous = site.get_by_role("button", name="Previous page")
    # On at once, as soon as the first page is there: the map and chart still load.
    next_button.click()
    expect(results_status(site)).to_have_text(re.compile(rf"Readings 51–100 of {total:,} on {day}"))
    assert table_keys(site) == [as_key(r) for r in pages[1]]
    next_button.click()
    expect(results_status(site)).to_have_text(re.compile(r"Readings 101–150"))
    assert table_keys(site) == [as_key(r) for r in pages[2]]
    previous.click()
    expect(results_status(site)).to_have_text(re.compile(r"Readings 51–100"))
    assert table_keys(site) == [as_key(r) for r in pages[1]]
    previous.click()
    expect(results_status(site)).to_have_text(re.compile(rf"Readings 1–50 of {total:,}"))
    expect(previous).to_be_disabled()
    assert table_keys(site) == [as_key(r) for r in pages[0]]
    expect(site.locator("#map path.sensor-marker")).to_have_count(total)
    expect(site.locator("#chart-caption")).to_contain_text(f"{total:,} readings on {day}")


def test_the_last_page_ends_the_paging(site: Page, stack, base_url):
    day = stack.days[0]
    search(site, day, day, country="DE")
    pages = api_pages(base_url, {"start": day, "end": day, "country": "DE"})
    assert len(pages) >= 2
    expect(results_status(site)).to_have_text(re.compile(r"Readings 1–"))
    for number in range(2, len(pages) + 1):
        site.get_by_role("button", name="Next page").click()
        expect(site.locator("#page-label")).to_have_text(re.compile(rf"^Page {number} "))
    expect(site.get_by_role("button", name="Next page")).to_be_disabled()
    assert table_keys(site) == [as_key(r) for r in pages[-1]]
    last = (len(pages) - 1) * PAGE_SIZE + len(pages[-1])
    expect(results_status(site)).to_have_text(
        re.compile(rf"Readings {(len(pages) - 1) * PAGE_SIZE + 1:,}–{last:,} of {last:,}")
    )


def test_filters_reach_the_api_and_every_row_matches(site: Page, stack, base_url):
    day = stack.days[1]
    search(site, day, day, country="DE", band="Moderate", min_aqi="5", max_aqi="9")
    expect(results_status(site)).to_contain_text("in Germany (DE)")
    rows = site.locator("#results-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[2].textContent, Number(r.cells[5].textContent),"
        " r.cells[6].textContent])"
    )
    assert rows, "the generated data has Moderate readings in DE"
    assert all(country == "DE" and 5 <= index <= 6 and band == "Moderate" for country, index, band in rows)
    # The URL keeps the query: reloading shows the same result.
    expected = {"start": day, "end": day, "country": "DE", "min_aqi": "5", "max_aqi": "9", "band": "Moderate"}
    assert parse_qs(urlsplit(site.url).query) == {k: [v] for k, v in expected.items()}
    site.reload()
    expect(results_status(site)).to_contain_text("in Germany (DE)")
    assert site.locator("#band").input_value() == "Moderate"


def test_the_country_list_comes_from_the_catalogue_for_the_chosen_dates(site: Page, stack, base_url):
    day = stack.days[0]
    site.get_by_label("Start date").fill(day)
    site.get_by_label("End date").fill(day)
    site.get_by_label("End date").dispatch_event("change")
    catalogue = requests.get(base_url + "/api/countries", params={"day": day}, timeout=30).json()
    codes = sorted(c["country"] for c in catalogue["data"])
    expect(site.locator("#country-hint")).to_have_text(f"{len(codes)} countries with data on {day}.")
    options = site.locator("#country option").evaluate_all("os => os.map(o => o.value)")
    assert options[0] == ""  # All countries
    assert sorted(options[1:]) == codes
    expect(site.locator("#country option", has_text="Germany (DE)")).to_have_count(1)


# ----------------------------------------------------------------------------- validation


def test_a_bad_range_is_explained_next_to_its_field_before_any_request(site: Page, stack):
    sent: list[str] = []
    site.on("request", lambda r: sent.append(r.url) if "/api/readings" in r.url else None)
    search(site, stack.days[1], stack.days[0])
    error = site.locator("#start-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile("Start date must be on or before the end date"))
    expect(site.get_by_label("Start date")).to_have_attribute("aria-invalid", "true")
    expect(site.get_by_label("Start date")).to_be_focused()
    expect(site.locator("#form-status")).to_contain_text("correct")

    site.get_by_label("Start date").fill(stack.days[0])
    site.locator("#min_aqi").fill("8")
    site.locator("#max_aqi").fill("3")
    site.get_by_role("button", name="Search").click()
    expect(site.locator("#min_aqi-error")).to_have_text(re.compile("must not be above the maximum"))
    expect(site.locator("#max_aqi-error")).to_have_text(re.compile("must not be below the minimum"))
    expect(site.locator("#start-error")).to_be_hidden()
    expect(site.get_by_label("Start date")).not_to_have_attribute("aria-invalid", "true")

    site.locator("#min_aqi").fill("0")
    site.locator("#max_aqi").fill("3")
    site.locator("#band").select_option("High")
    site.get_by_role("button", name="Search").click()
    expect(site.locator("#band-error")).to_have_text(re.compile("nothing could match"))
    assert sent == []


def test_the_api_error_is_shown_next_to_the_field_it_names(site: Page, stack, base_url, problems):
    """A request the page thought valid, refused by the API (here: altered in flight, as a page and
    API of different versions would disagree), shows the API's own message at the named field."""
    tampered: list[str] = []

    def tamper(route):
        parts = urlsplit(route.request.url)
        query = parse_qs(parts.query)
        if query.get("format") == ["json"]:
            query["max_aqi"] = ["11"]
            url = parts._replace(query=urlencode(query, doseq=True)).geturl()
            tampered.append(url)
            route.continue_(url=url)
        else:
            route.continue_()

    site.route("**/api/readings?*", tamper)
    search(site, stack.days[1], stack.days[1], max_aqi="9")
    expected = requests.get(tampered[0], timeout=30).json()["error"]["fields"]["max_aqi"]
    error = site.locator("#max_aqi-error")
    expect(error).to_have_text(expected)
    expect(site.locator("#max_aqi")).to_have_attribute("aria-invalid", "true")
    expect(results_status(site)).to_have_text("The API did not accept the query; see the form.")
    expect(site.locator("#table-wrap")).to_be_hidden()
    expect(site.locator("#download")).to_be_hidden()
    # Chromium logs the refused request; that one is expected.
    assert problems and all("status of 400" in p for p in problems)
    problems.clear()


# ----------------------------------------------------------------------------- CSV


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def json_as_csv_rows(readings: list[dict]) -> list[dict[str, str]]:
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in readings]


def test_a_small_query_downloads_its_csv_directly(site: Page, stack, base_url, tmp_path):
    day = stack.days[1]
    search(site, day, day, country="DE")
    link = site.get_by_role("link", name="Download CSV")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"^/api/readings\?.*format=csv"))
    with site.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"airq-{day}-{day}-DE.csv"  # the API's name for it
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = csv_rows(path.read_text(encoding="utf-8"))
    expected = [r for page in api_pages(base_url, {"start": day, "end": day, "country": "DE"}) for r in page]
    assert len(rows) == len(expected) > 0
    assert rows == json_as_csv_rows(expected)


def test_a_large_query_runs_as_an_export_with_progress_to_a_working_link(
    site: Page, stack, base_url, tmp_path
):
    first = (date.fromisoformat(stack.days[0]) - timedelta(days=1)).isoformat()
    last = stack.days[1]
    search(site, first, last)
    expect(results_status(site)).to_contain_text(f"from {first} to {last}")
    expect(site.get_by_role("link", name="Download CSV")).to_be_hidden()
    expect(site.locator("#download-hint")).to_contain_text("spans 3 days")
    record_statuses(site)
    site.get_by_role("button", name="Download CSV").click()

    expect(site.locator("#export-panel")).to_be_visible()
    expect(site.locator("#export-bar")).to_be_visible()
    link = site.locator("#export-link")
    expect(link).to_be_visible(timeout=EXPORT_TIMEOUT_MS)
    expect(link).to_be_focused()
    expect(site.locator("#export-bar")).to_have_attribute("value", "100")
    total = sum(stack.readings_per_day.values())
    expect(site.locator("#export-status")).to_have_text(
        f"Export ready: {total:,} rows. The link is valid for a limited time."
    )
    # What the live region said on the way: started, then queued/running (as fast as the worker
    # allows, maybe not seen at all), then ready, and never backwards.
    statuses = site.evaluate("() => window.__statuses")
    assert statuses[0] == "Starting the export" and statuses[-1].startswith("Export ready")
    middle = statuses[1:-1]
    assert all(re.match(r"Export (queued|running: \d+%)", text) for text in middle), statuses
    percents = [int(m.group(1)) for text in middle if (m := re.search(r"(\d+)%", text))]
    assert percents == sorted(percents), statuses

    href = link.get_attribute("href")
    response = requests.get(href, timeout=60)
    assert response.status_code == 200
    expected = [r for page in api_pages(base_url, {"start": first, "end": last}) for r in page]
    rows = csv_rows(response.content.decode("utf-8"))
    assert len(rows) == total
    assert rows == json_as_csv_rows(expected)
    # ... and the browser downloads it from the link too (a presigned URL on the bucket's origin).
    with site.expect_download() as download_info:
        link.click()
    saved = tmp_path / "export.csv"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == response.content


def record_statuses(page: Page) -> None:
    """Keep every text the export's live region shows, in window.__statuses."""
    page.evaluate(
        """() => {
            window.__statuses = [];
            const region = document.getElementById('export-status');
            new MutationObserver(() => {
                const text = region.textContent;
                if (text && window.__statuses.at(-1) !== text) window.__statuses.push(text);
            }).observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )


def test_when_the_api_will_not_stream_the_csv_the_page_exports_instead(site: Page, stack, problems):
    """The API decides; if it is set up with smaller limits than the page assumes, its 422 on the
    pre-check turns the direct download into an export (simulated here by answering that HEAD)."""
    site.route(
        "**/api/readings?*format=csv*",
        lambda route: route.fulfill(status=422) if route.request.method == "HEAD" else route.continue_(),
    )
    day = stack.days[0]
    search(site, day, day, country="NL")
    site.get_by_role("link", name="Download CSV").click()
    expect(site.locator("#download-hint")).to_contain_text("prepares this CSV in the background")
    expect(site.get_by_role("link", name="Download CSV")).to_be_hidden()
    expect(site.locator("#export-link")).to_be_visible(timeout=EXPORT_TIMEOUT_MS)
    rows = requests.get(site.locator("#export-link").get_attribute("href"), timeout=30).text
    assert rows.startswith("sensor_id,") and all(line.split(",")[4] == "NL" for line in rows.splitlines()[1:])
    assert problems and all("status of 422" in p for p in problems)  # Chromium logs the refusal
    problems.clear()


def test_a_failed_export_says_why_and_can_be_retried(site: Page, stack):
    failed = {"job_id": "0" * 32, "status": "failed", "progress": 0.4, "rows": 0, "error": "worker lost"}
    site.route("**/api/exports/*", lambda route: route.fulfill(json=failed))
    first = (date.fromisoformat(stack.days[0]) - timedelta(days=1)).isoformat()
    search(site, first, stack.days[1], country="BE")
    site.get_by_role("button", name="Download CSV").click()
    expect(site.locator("#export-status")).to_have_text("The export failed: worker lost.")
    retry = site.get_by_role("button", name="Try the export again")
    expect(retry).to_be_visible()
    site.unroute("**/api/exports/*")
    retry.click()
    expect(site.locator("#export-link")).to_be_visible(timeout=EXPORT_TIMEOUT_MS)
    expect(retry).to_be_hidden()


# ----------------------------------------------------------------------------- map and chart


def test_the_map_shows_the_sensors_on_a_plain_grid_when_tiles_fail(site: Page, stack, base_url):
    day = stack.days[1]
    search(site, day, day)
    readings = [r for page in api_pages(base_url, {"start": day, "end": day}) for r in page]
    assert len(readings) < 1000  # the map's limit: all of them are drawn
    markers = site.locator("#map path.sensor-marker")
    expect(markers).to_have_count(len(readings))
    notice = site.locator("#map-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Map tiles could not be loaded")
    expect(site.locator("#map")).to_have_class(re.compile("map-offline"))
    expect(site.locator("#map path.graticule").first).to_be_attached()
    expect(site.locator("#map .leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    sensors = {r["sensor_id"] for r in readings}
    expect(site.locator("#map-caption")).to_contain_text(
        f"{len(readings):,} readings from {len(sensors):,} sensors"
    )
    # Each point explains itself.
    site.locator("#map").scroll_into_view_if_needed()
    markers.first.click(force=True)
    expect(site.locator(".leaflet-popup-content")).to_contain_text("Sensor")
    expect(site.locator(".leaflet-popup-content")).to_contain_text("µg/m³")


def test_the_map_uses_tiles_when_they_load(page: Page, stack):
    page.context.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("#map img.leaflet-tile-loaded").first).to_be_attached()
    expect(page.locator("#map-notice")).to_be_hidden()
    expect(page.locator("#map")).not_to_have_class(re.compile("map-offline"))


def test_the_chart_shows_the_band_distribution_of_the_result(site: Page, stack, base_url):
    day = stack.days[0]
    search(site, day, day, country="DE")
    summary = requests.get(
        base_url + "/api/summary", params={"start": day, "end": day, "country": "DE"}, timeout=30
    ).json()["data"]
    counts = summary["band_counts"]
    text = ", ".join(f"{band} {counts[band]:,}" for band in ("Low", "Moderate", "High", "Very High"))
    expect(site.locator("#chart-caption")).to_have_text(
        f"{summary['readings']:,} readings on {day}, in Germany (DE): {text}."
    )
    expect(site.locator("#band-chart")).to_have_attribute("aria-label", re.compile(re.escape(text)))
    # With a band filter only that band's readings count.
    search(site, day, day, country="DE", band="Low")
    expect(site.locator("#chart-caption")).to_contain_text(
        f"{counts['Low']:,} readings on {day}, in Germany (DE), band Low: Low {counts['Low']:,}, Moderate 0"
    )


def test_the_legend_names_the_bands_and_says_values_are_indicative(site: Page):
    items = site.locator("#legend li")
    expect(items).to_have_text(
        ["Low: index 1–3", "Moderate: index 4–6", "High: index 7–9", "Very High: index 10"]
    )
    colours = site.locator("#legend .legend-swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert colours == ["rgb(49, 207, 0)", "rgb(255, 207, 0)", "rgb(255, 0, 0)", "rgb(206, 48, 255)"]
    note = site.locator("#indicative-note")
    expect(note).to_contain_text("indicative")
    expect(note).to_contain_text("24-hour mean")
    expect(note).to_contain_text("µg/m³")
    expect(note).to_contain_text("UTC")


# ----------------------------------------------------------------------------- access


def date_keys(page: Page, day: date) -> str:
    """The digits to type into a date field, in the order of its segments (the browser's locale)."""
    probe = page.evaluate(
        """() => { const i = document.createElement('input'); i.type = 'date'; i.id = 'probe';
                   document.body.append(i); return i.id; }"""
    )
    page.locator(f"#{probe}").focus()
    page.keyboard.type("01022003")
    order = {"2003-02-01": "%d%m%Y", "2003-01-02": "%m%d%Y"}.get(
        page.locator(f"#{probe}").input_value(), "%Y%m%d"
    )
    page.evaluate("() => document.getElementById('probe').remove()")
    page.locator("body").focus()
    return day.strftime(order)


def tab_to(page: Page, locator, presses: int = 4) -> None:
    """Tab until `locator` has focus (a date field takes a Tab per segment)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("e => e === document.activeElement"):
            return
    expect(locator).to_be_focused()


def test_keyboard_alone_can_search_and_page(site: Page, stack):
    day = date.fromisoformat(stack.days[1])
    keys = date_keys(site, day)
    site.reload()
    expect(site.locator("html")).to_have_attribute("data-ready", "true")
    site.keyboard.press("Tab")
    expect(site.locator(".skip-link")).to_be_focused()
    site.keyboard.press("Tab")  # the sensor.community link in the header
    site.keyboard.press("Tab")
    expect(site.get_by_label("Start date")).to_be_focused()
    site.keyboard.type(keys)
    tab_to(site, site.get_by_label("End date"))
    site.keyboard.type(keys)
    assert site.get_by_label("Start date").input_value() == day.isoformat()
    assert site.get_by_label("End date").input_value() == day.isoformat()
    tab_to(site, site.get_by_label("Country", exact=True))
    for control in ("Minimum DAQI", "Maximum DAQI", "Band"):
        site.keyboard.press("Tab")
        expect(site.get_by_label(control, exact=True)).to_be_focused()
    site.keyboard.press("Tab")
    expect(site.get_by_role("button", name="Search")).to_be_focused()
    site.keyboard.press("Enter")
    expect(results_status(site)).to_have_text(re.compile(r"Readings 1–50"))
    # The first page can be announced before the summary that sizes the CSV decision: the
    # download link appears when it is in, and only then is it in the tab order.
    expect(site.get_by_role("link", name="Download CSV")).to_be_visible()
    # On to the results: the download link, the table region (scrollable by keyboard), the pager.
    site.keyboard.press("Tab")  # Reset
    site.keyboard.press("Tab")
    expect(site.get_by_role("link", name="Download CSV")).to_be_focused()
    site.keyboard.press("Tab")
    expect(site.locator("#table-wrap")).to_be_focused()
    site.keyboard.press("Tab")
    expect(site.get_by_role("button", name="Next page")).to_be_focused()  # Previous is disabled
    site.keyboard.press("Enter")
    expect(results_status(site)).to_have_text(re.compile(r"Readings 51–100"))
    # Focus outlines are visible.
    outline = site.get_by_role("button", name="Next page").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"


def test_status_messages_are_announced(site: Page):
    for selector in ("#results-status", "#export-status"):
        expect(site.locator(selector)).to_have_attribute("role", "status")
        expect(site.locator(selector)).to_have_attribute("aria-live", "polite")
    expect(site.locator("#form-status")).to_have_attribute("role", "alert")
    expect(site.locator("#map-notice")).to_have_attribute("role", "status")


def test_defaults_are_today_in_utc(site: Page):
    today = utc_today().isoformat()
    assert site.get_by_label("Start date").input_value() == today
    assert site.get_by_label("End date").input_value() == today
    assert site.locator("#min_aqi").input_value() == "0"
    assert site.locator("#max_aqi").input_value() == "10"


# ----------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize(
    ("name", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)], ids=["desktop", "phone"]
)
def test_screenshots_show_form_table_map_and_chart(site: Page, stack, artifacts, name, width, height):
    site.set_viewport_size({"width": width, "height": height})
    day = stack.days[1]
    search(site, day, day)
    expect(results_status(site)).to_have_text(re.compile(r"Readings 1–50"))
    expect(site.locator("#map path.sensor-marker").first).to_be_attached()
    expect(site.locator("#map-notice")).to_be_visible()
    expect(site.locator("#chart-caption")).to_contain_text("readings on")
    for section in ("#query-form", "#results-table", "#map", "#band-chart", "#legend"):
        expect(site.locator(section)).to_be_visible()
    # Nothing wider than the screen (the table scrolls inside its own region).
    overflow = site.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    site.screenshot(path=str(artifacts / f"web-{name}.png"), full_page=True)
    site.screenshot(path=str(artifacts / f"web-{name}-viewport.png"))
