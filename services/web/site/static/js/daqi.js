// DAQI bands as the page shows them. The bands and index ranges mirror src/airq/daqi.py
// (tests/e2e/web/test_static_site.py checks that they agree); colours are Defra's DAQI colours.
// The object between the markers is plain JSON so that the test can read it.

export const DAQI = /* DAQI-JSON-BEGIN */ {
  "bands": [
    {"name": "Low", "low": 1, "high": 3, "colour": "#31cf00", "css": "band-low"},
    {"name": "Moderate", "low": 4, "high": 6, "colour": "#ffcf00", "css": "band-moderate"},
    {"name": "High", "low": 7, "high": 9, "colour": "#ff0000", "css": "band-high"},
    {"name": "Very High", "low": 10, "high": 10, "colour": "#ce30ff", "css": "band-very-high"}
  ],
  "index_colours": ["#9cff9c", "#31ff00", "#31cf00", "#ffff00", "#ffcf00", "#ff9a00",
                    "#ff6464", "#ff0000", "#990000", "#ce30ff"],
  "band_aliases": {"medium": "Moderate"},
  "min_index": 0,
  "max_index": 10
} /* DAQI-JSON-END */;

const BY_NAME = new Map(DAQI.bands.map((band) => [band.name.toLowerCase(), band]));

/** The band record for a band name (any case; Medium is Moderate), or undefined. */
export function band(name) {
  if (!name) return undefined;
  const key = String(name).trim().toLowerCase();
  return BY_NAME.get(DAQI.band_aliases[key]?.toLowerCase() ?? key);
}

/** The band record for a DAQI index 1..10. */
export function bandForIndex(index) {
  return DAQI.bands.find((b) => b.low <= index && index <= b.high);
}

export function colourFor(reading) {
  return (band(reading.band) ?? bandForIndex(reading.daqi))?.colour ?? "#888888";
}
