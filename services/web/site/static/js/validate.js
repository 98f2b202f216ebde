// Client-side validation that mirrors the API's checks of /api/readings (DESIGN §5), so that most
// mistakes are explained before a request is sent. The API stays the authority: its 400 answer is
// shown the same way, next to the fields it names.

import { band as findBand } from "./daqi.js";

export const FIELDS = ["start", "end", "country", "min_aqi", "max_aqi", "band"];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD string as a UTC Date, or null when it is not a real calendar date. */
export function parseDate(text) {
  const match = DATE_RE.exec(text ?? "");
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return date;
}

/** Inclusive number of days from start to end (both YYYY-MM-DD). */
export function spanDays(start, end) {
  const first = parseDate(start);
  const last = parseDate(end);
  if (!first || !last) return NaN;
  return Math.round((last - first) / 86400000) + 1;
}

// The API's limits (src/airq/validation.py): the longest start..end of any request.
export const MAX_SPAN_DAYS = 366;

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

function parseIndex(raw, badInput) {
  // Like the API: digits only (no sign, no decimals), 0-10, and 0 means "no bound".
  if (badInput) return { error: "must be a whole number from 0 to 10 (0: no bound)" };
  const text = String(raw ?? "").trim();
  if (text === "") return { value: null };
  if (!/^\d{1,12}$/.test(text)) return { error: "must be a whole number from 0 to 10 (0: no bound)" };
  const value = Number(text);
  if (value > 10) return { error: `must be from 0 to 10 (0: no bound), not ${value}` };
  return { value: value === 0 ? null : value };
}

/**
 * Validate the raw form values. `raw` maps field names to strings; `badInput` names the fields the
 * browser could not parse (a half-typed date, letters in a number box).
 * Returns {params, errors}: params ready for the API, errors {field: message} (empty when valid).
 * Every rule runs, so all mistakes are reported at once, on the field the API would name.
 */
export function validate(raw, badInput = new Set(), today = todayUtc()) {
  const errors = {};
  const params = {};

  const dates = {};
  for (const name of ["start", "end"]) {
    const text = String(raw[name] ?? "").trim();
    const label = name === "start" ? "Start date" : "End date";
    if (badInput.has(name) || (text !== "" && !parseDate(text))) {
      errors[name] = `${label} is not a valid date (YYYY-MM-DD)`;
    } else if (text !== "") {
      dates[name] = text;
    }
  }
  // As the API does: no end means today (UTC); no start means the end's day.
  if (!errors.end) dates.end ??= today;
  if (!errors.start && !errors.end) {
    dates.start ??= dates.end;
    if (dates.start > dates.end) {
      errors.start = "Start date must be on or before the end date";
    } else if (spanDays(dates.start, dates.end) > MAX_SPAN_DAYS) {
      errors.end = `At most ${MAX_SPAN_DAYS} days from start to end`;
    } else {
      params.start = dates.start;
      params.end = dates.end;
    }
  }

  // The country list comes from the API; the API checks the code itself.
  const country = String(raw.country ?? "").trim();
  if (country) params.country = country.toUpperCase();

  const min = parseIndex(raw.min_aqi, badInput.has("min_aqi"));
  const max = parseIndex(raw.max_aqi, badInput.has("max_aqi"));
  if (min.error) errors.min_aqi = `Minimum DAQI ${min.error}`;
  else if (min.value !== null) params.min_aqi = min.value;
  if (max.error) errors.max_aqi = `Maximum DAQI ${max.error}`;
  else if (max.value !== null && max.value < 10) params.max_aqi = max.value; // 10: no bound either

  const bandName = String(raw.band ?? "").trim();
  let found;
  if (bandName) {
    found = findBand(bandName);
    if (!found) errors.band = "Band must be Low, Moderate, High or Very High";
    else params.band = found.name;
  }

  if (!min.error && !max.error && min.value !== null && max.value !== null && min.value > max.value) {
    errors.min_aqi = "Minimum DAQI must not be above the maximum";
    errors.max_aqi = "Maximum DAQI must not be below the minimum";
  } else if (found && !min.error && !max.error) {
    const low = Math.max(min.value ?? 1, found.low);
    const high = Math.min(max.value ?? 10, found.high);
    if (low > high) {
      errors.band = `${found.name} is DAQI ${found.low}–${found.high}, outside ` +
        `${min.value ?? 1}–${max.value ?? 10}, so nothing could match`;
    }
  }

  return { params, errors };
}
