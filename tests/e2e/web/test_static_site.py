"""The built static root, without a browser: what goes in, what the page may load, the DAQI legend."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from airq import daqi
from tests.e2e.web.conftest import ROOT, WEB, load_module


@pytest.fixture(scope="module")
def web_build():
    return load_module("airq_web_build_under_test", WEB / "build.py")


@pytest.fixture(scope="module")
def built(web_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("web") / "root"
    web_build.build(out)
    return out


class PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_scripts = 0
        self.references: list[str] = []
        self.style_attributes: list[str] = []
        self.handler_attributes: list[str] = []
        self.style_elements = 0
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = "src" not in attributes
        if tag == "style":
            self.style_elements += 1
        for name in ("src", "href"):
            if attributes.get(name):
                self.references.append(attributes[name] or "")
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.handler_attributes += [name for name in attributes if name.startswith("on")]
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"] or "")
        if tag in ("input", "select", "textarea"):
            self.controls.append(attributes.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def scan(path: Path) -> PageScan:
    page = PageScan()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_build_vendors_the_pinned_libraries_and_hashes_our_assets(built):
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    info = json.loads((built / "build-info.json").read_text())
    assert info["vendor"] == {"leaflet": pins["leaflet"], "chart.js": pins["chart.js"]}
    assert (built / f"vendor/leaflet-{pins['leaflet']}/leaflet.js").is_file()
    assert (built / f"vendor/leaflet-{pins['leaflet']}/images/layers.png").is_file()
    assert (built / f"vendor/chart.js-{pins['chart.js']}/chart.umd.min.js").is_file()
    assert re.fullmatch(r"/static/[0-9a-f]{12}/", info["static"])


def test_every_reference_in_the_page_resolves_to_a_built_file(built):
    page = scan(built / "index.html")
    local = [ref for ref in page.references if ref.startswith("/") and not ref.startswith("/api/")]
    assert len(local) >= 6
    for reference in local:
        assert (built / reference.lstrip("/")).is_file(), reference
    # Relative imports between our modules resolve inside the hashed directory.
    js = next(ref for ref in local if ref.endswith("/app.js"))
    for module in re.findall(r'from "\./([\w-]+\.js)"', (built / js.lstrip("/")).read_text()):
        assert (built / js.lstrip("/")).with_name(module).is_file(), module


def test_the_page_has_no_inline_script_style_or_handlers_and_loads_nothing_from_elsewhere(built):
    page = scan(built / "index.html")
    assert page.inline_scripts == 0
    assert all(script.get("src") for script in page.scripts)
    assert page.style_elements == 0 and page.style_attributes == []
    assert page.handler_attributes == []
    external = [ref for ref in page.references if ref.startswith("http")]
    # Links for people to follow are fine; nothing loaded from another origin.
    assert all(ref.startswith("https://") for ref in external)
    assert not any(script.get("src", "").startswith("http") for script in page.scripts)


def test_every_form_control_has_a_label(built):
    page = scan(built / "index.html")
    assert set(page.controls) >= {"start", "end", "country", "min_aqi", "max_aqi", "band"}
    assert set(page.controls) <= page.labels


def test_the_legend_bands_are_the_domain_bands():
    text = (WEB / "site/static/js/daqi.js").read_text()
    raw = re.search(r"/\* DAQI-JSON-BEGIN \*/(.*)/\* DAQI-JSON-END \*/", text, re.DOTALL)
    assert raw, "daqi.js lost its JSON markers"
    legend = json.loads(raw.group(1))
    assert [b["name"] for b in legend["bands"]] == list(daqi.BANDS)
    assert {b["name"]: (b["low"], b["high"]) for b in legend["bands"]} == daqi.BAND_INDEX_RANGE
    assert legend["band_aliases"] == daqi.BAND_ALIASES
    assert len(legend["index_colours"]) == 10
    # Defra's band colours: green, amber, red, purple.
    assert [b["colour"] for b in legend["bands"]] == ["#31cf00", "#ffcf00", "#ff0000", "#ce30ff"]


def test_build_refuses_to_replace_a_directory_it_did_not_make(web_build, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(web_build.BuildError, match="refusing"):
        web_build.build(precious)
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_build_explains_missing_node_modules(web_build, tmp_path):
    with pytest.raises(web_build.BuildError, match="make install"):
        web_build.build(tmp_path / "out", node_modules=tmp_path / "nowhere")


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx absent")
def test_the_rendered_nginx_config_is_valid(tmp_path):
    state = tmp_path / "state"
    result = subprocess.run(
        [
            "python3",
            str(ROOT / "scripts/web_local.py"),
            "--check",
            "--server",
            "nginx",
            "--no-build",
            "--root",
            str(ROOT),  # any world-readable directory will do for a syntax check
            "--state-dir",
            str(state),
            "--port",
            "18999",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    conf = (state / "conf" / "nginx.conf").read_text()
    directives = [line for line in conf.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "${AIRQ_" in line]  # every placeholder filled
    assert f"pid {state}/nginx.pid;" in conf
