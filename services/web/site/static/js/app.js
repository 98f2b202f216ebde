// The airq page: query form, results table with cursor paging, CSV download (direct or through an
// export job), map and band chart. Plain ES modules, no framework, no inline script (strict CSP).

import { ApiError, getJSON, postJSON, queryString } from "./api.js";
import { BandChart } from "./band-chart.js";
import { DAQI, band as findBand } from "./daqi.js";
import { SensorMap } from "./map.js";
import { FIELDS, spanDays, validate } from "./validate.js";

const PAGE_SIZE = 50; // rows per table page
const MAX_REQUESTS_PER_PAGE = 8; // API pages fetched to fill one table page
const MAP_LIMIT = 1000; // readings drawn on the map (GeoJSON pages of the same query)
// What the API serves as a synchronous CSV (AIRQ_SYNC_MAX_DAYS / AIRQ_SYNC_MAX_ROWS defaults); a
// larger query goes through POST /api/exports, as the API itself would insist.
const SYNC_CSV = { maxDays: 2, maxRows: 50000 };
const POLL_MS = { first: 500, max: 4000 };

const $ = (id) => document.getElementById(id);

const ui = {
  form: $("query-form"),
  formStatus: $("form-status"),
  search: $("search"),
  country: $("country"),
  countryHint: $("country-hint"),
  band: $("band"),
  results: $("results"),
  resultsStatus: $("results-status"),
  tableWrap: $("table-wrap"),
  tableBody: document.querySelector("#results-table tbody"),
  tableCaption: $("table-caption"),
  pager: $("pager"),
  prev: $("prev-page"),
  next: $("next-page"),
  pageLabel: $("page-label"),
  download: $("download"),
  csvLink: $("csv-link"),
  exportButton: $("export-button"),
  downloadHint: $("download-hint"),
  exportPanel: $("export-panel"),
  exportBar: $("export-bar"),
  exportStatus: $("export-status"),
  exportLink: $("export-link"),
  exportRetry: $("export-retry"),
  legend: $("legend"),
};

const state = {
  params: null, // the validated filters of the current result
  cursors: [null], // cursor of every page visited so far; cursors[i] fetches page i
  offsets: [0], // rows before page i
  page: 0,
  nextCursor: null,
  controllers: { search: null, page: null }, // abort what a newer search or page supersedes
  exportRun: 0, // bumps to stop polling an export that is no longer wanted
  total: null, // readings matching the filters, from the summary, when it can tell
};

let sensorMap = null;
let bandChart = null;

// ------------------------------------------------------------------ helpers

const fmtInt = (n) => Number(n).toLocaleString("en");

function fmtNumber(value) {
  return value === null || value === undefined || value === "" ? "–" : Number(value).toFixed(1);
}

function fmtTime(iso) {
  return String(iso).replace("T", " ").replace(/:\d\dZ$/, "").replace("Z", "");
}

function todayUtc(offsetDays = 0) {
  const now = new Date(Date.now() + offsetDays * 86400000);
  return now.toISOString().slice(0, 10);
}

function describeFilters(params) {
  const parts = [params.start === params.end ? `on ${params.start}` : `from ${params.start} to ${params.end}`];
  parts.push(params.country ? `in ${countryName(params.country)}` : "in all countries");
  if (params.band) parts.push(`band ${params.band}`);
  const min = params.min_aqi ?? 0;
  const max = params.max_aqi ?? 10;
  if (min > 0 || max < 10) parts.push(`DAQI ${Math.max(min, 1)}–${max}`);
  return parts.join(", ");
}

const regionNames = typeof Intl.DisplayNames === "function"
  ? new Intl.DisplayNames(["en"], { type: "region" })
  : null;

function countryName(code) {
  if (code === "XX") return "Unknown country (XX)";
  try {
    const name = regionNames?.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

// ----------------------------------------------------------- field errors

function fieldInput(name) {
  return ui.form.elements.namedItem(name);
}

function clearErrors() {
  for (const name of FIELDS) {
    const input = fieldInput(name);
    const message = $(`${name}-error`);
    if (input) input.removeAttribute("aria-invalid");
    if (message) {
      message.hidden = true;
      message.textContent = "";
    }
  }
  ui.formStatus.textContent = "";
}

/** Show errors {field: message} next to their fields; anything else goes to the form status. */
function showErrors(errors, summary) {
  clearErrors();
  const unplaced = [];
  let first = null;
  for (const [name, text] of Object.entries(errors)) {
    const input = fieldInput(name);
    const message = $(`${name}-error`);
    if (input && message) {
      input.setAttribute("aria-invalid", "true");
      message.textContent = text;
      message.hidden = false;
      first ??= input;
    } else {
      unplaced.push(`${name}: ${text}`);
    }
  }
  const count = Object.keys(errors).length;
  const lead = summary || (count === 1 ? "Please correct the highlighted field." : `Please correct the ${count} highlighted fields.`);
  ui.formStatus.textContent = [lead, ...unplaced].join(" ");
  first?.focus();
}

function readForm() {
  const raw = {};
  const badInput = new Set();
  for (const name of FIELDS) {
    const input = fieldInput(name);
    raw[name] = input.value;
    if (input.validity?.badInput) badInput.add(name);
  }
  return { raw, badInput };
}

function fillForm(params) {
  for (const name of FIELDS) {
    if (params[name] !== undefined && params[name] !== null) fieldInput(name).value = params[name];
  }
}

// ------------------------------------------------------------------- table

function cell(row, label, content, className) {
  const td = document.createElement("td");
  td.dataset.label = label;
  if (className) td.className = className;
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  row.append(td);
}

function bandChip(reading) {
  const found = findBand(reading.band);
  const chip = document.createElement("span");
  chip.className = `band-chip ${found?.css ?? ""}`;
  chip.textContent = reading.band;
  return chip;
}

function renderRows(readings) {
  const rows = readings.map((reading) => {
    const tr = document.createElement("tr");
    cell(tr, "Sensor", String(reading.sensor_id));
    cell(tr, "Time (UTC)", fmtTime(reading.timestamp));
    cell(tr, "Country", reading.country);
    cell(tr, "PM2.5 µg/m³", fmtNumber(reading.pm25_ugm3), "num");
    cell(tr, "PM10 µg/m³", fmtNumber(reading.pm10_ugm3), "num");
    cell(tr, "DAQI", String(reading.daqi), "num");
    cell(tr, "Band", bandChip(reading));
    return tr;
  });
  ui.tableBody.replaceChildren(...rows);
  ui.tableWrap.hidden = readings.length === 0;
  ui.tableWrap.scrollTop = 0;
}

function renderPager(count) {
  const first = state.offsets[state.page] + 1;
  const last = state.offsets[state.page] + count;
  ui.pager.hidden = state.page === 0 && !state.nextCursor;
  ui.prev.disabled = state.page === 0;
  ui.next.disabled = !state.nextCursor;
  ui.pageLabel.textContent = count ? `Page ${state.page + 1} · rows ${fmtInt(first)}–${fmtInt(last)}` : `Page ${state.page + 1}`;
  ui.tableCaption.textContent = `Readings ${describeFilters(state.params)}, page ${state.page + 1}`;
}

// ---------------------------------------------------------------- requests

/** A fresh signal for `kind` ("search": summary and map; "page": the table), aborting the last. */
function renew(kind) {
  state.controllers[kind]?.abort();
  state.controllers[kind] = new AbortController();
  return state.controllers[kind].signal;
}

function isAbort(error) {
  return error?.name === "AbortError";
}

function setBusy(busy) {
  ui.results.setAttribute("aria-busy", busy ? "true" : "false");
  ui.search.disabled = busy;
}

/**
 * One table page: PAGE_SIZE rows from the page's cursor. An API page may hold fewer rows than asked
 * (each page has a bounded cost, so a selective filter can even give an empty page with a cursor),
 * so this keeps asking, from the cursor it got, until the table page is full or the result ends.
 */
async function loadPage(pageIndex, signal = renew("page")) {
  setBusy(true);
  ui.resultsStatus.textContent = `Loading page ${pageIndex + 1}`;
  try {
    const rows = [];
    let cursor = state.cursors[pageIndex];
    for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request += 1) {
      const body = await getJSON(
        "/api/readings",
        { ...state.params, format: "json", limit: PAGE_SIZE - rows.length, cursor },
        { signal },
      );
      rows.push(...(body.data ?? []));
      cursor = body.meta?.next_cursor ?? null;
      if (!cursor || rows.length >= PAGE_SIZE) break;
    }
    state.page = pageIndex;
    state.nextCursor = cursor;
    state.cursors.length = pageIndex + 1;
    state.offsets.length = pageIndex + 1;
    if (cursor) {
      state.cursors.push(cursor);
      state.offsets.push(state.offsets[pageIndex] + rows.length);
    }
    renderRows(rows);
    renderPager(rows.length);
    announceResults(rows.length);
    return true;
  } catch (error) {
    if (isAbort(error)) return false;
    reportRequestError(error);
    return false;
  } finally {
    if (!signal.aborted) setBusy(false);
  }
}

function announceResults(count) {
  if (count === 0 && state.page === 0) {
    ui.resultsStatus.textContent = `No readings ${describeFilters(state.params)}.`;
    return;
  }
  if (count === 0) {
    ui.resultsStatus.textContent = "No more readings.";
    return;
  }
  const first = state.offsets[state.page] + 1;
  const last = state.offsets[state.page] + count;
  const of = state.total !== null ? ` of ${fmtInt(state.total)}` : state.nextCursor ? " (more on the next page)" : "";
  ui.resultsStatus.textContent = `Readings ${fmtInt(first)}–${fmtInt(last)}${of} ${describeFilters(state.params)}.`;
}

function reportRequestError(error) {
  if (error instanceof ApiError && Object.keys(error.fields).length) {
    showErrors(error.fields, error.message);
    ui.resultsStatus.textContent = "The API did not accept the query; see the form.";
    return;
  }
  const retry = error?.retryAfter ? ` (try again in ${Math.ceil(error.retryAfter)} s)` : "";
  ui.formStatus.textContent = `${error?.message ?? "Something went wrong."}${retry}`;
  ui.resultsStatus.textContent = "No results: the request failed.";
}

// ---------------------------------------------------------- summary & map

/** Readings per DAQI index 1..10 (array of 10) from a /api/summary answer. */
export function indexCountsFrom(body) {
  const counts = body?.data?.daqi_counts ?? {};
  return Array.from({ length: 10 }, (_, i) => Number(counts[String(i + 1)] ?? 0));
}

/** The DAQI indices a reading may have under these filters (as ReadingQuery.daqi_range does). */
export function daqiRange(params) {
  let low = Math.max(1, params.min_aqi ?? 1);
  let high = Math.min(10, params.max_aqi ?? 10);
  const chosen = findBand(params.band);
  if (chosen) {
    low = Math.max(low, chosen.low);
    high = Math.min(high, chosen.high);
  }
  return [low, high];
}

/**
 * The summary counts readings per country, day and DAQI index, so for whole days (the form sends
 * dates) the number of matching readings is exact: the same estimate the API uses to decide whether
 * a CSV may be served synchronously. Returns that total, or null when the summary is unavailable.
 */
async function loadSummary(params, signal) {
  try {
    const { start, end, country } = params;
    const body = await getJSON("/api/summary", { start, end, country }, { signal });
    const perIndex = indexCountsFrom(body);
    const [low, high] = daqiRange(params);
    const counts = {};
    for (const b of DAQI.bands) {
      counts[b.name] = 0;
      for (let i = Math.max(b.low, low); i <= Math.min(b.high, high); i += 1) counts[b.name] += perIndex[i - 1];
    }
    bandChart?.show(counts, describeFilters(params));
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  } catch (error) {
    if (!isAbort(error)) $("chart-caption").textContent = `The band distribution could not be loaded: ${error.message}`;
    return null;
  }
}

async function loadMap(params, signal) {
  if (!sensorMap) return;
  try {
    // Like the table: API pages may come back short (bounded cost per page), so keep asking.
    const readings = [];
    let cursor;
    for (let request = 0; request < MAX_REQUESTS_PER_PAGE && readings.length < MAP_LIMIT; request += 1) {
      const body = await getJSON(
        "/api/readings",
        { ...params, format: "geojson", limit: MAP_LIMIT - readings.length, cursor },
        { signal },
      );
      for (const feature of body.features ?? []) {
        readings.push({
          ...feature.properties,
          longitude: feature.geometry.coordinates[0],
          latitude: feature.geometry.coordinates[1],
        });
      }
      cursor = body.meta?.next_cursor ?? null;
      if (!cursor) break;
    }
    sensorMap.show(readings, { truncated: Boolean(cursor) });
  } catch (error) {
    if (!isAbort(error)) $("map-caption").textContent = `The sensors could not be loaded: ${error.message}`;
  }
}

// ------------------------------------------------------------ CSV download

function csvHref(params) {
  return `/api/readings${queryString({ ...params, format: "csv" })}`;
}

/**
 * Direct download when the API would serve the CSV synchronously (what too_large_for_sync in the
 * API decides: span and estimated rows), an export job otherwise.
 */
function prepareDownload(params, { forceExport = false } = {}) {
  state.exportRun += 1;
  ui.download.hidden = false;
  ui.exportPanel.hidden = true;
  ui.exportLink.hidden = true;
  ui.exportRetry.hidden = true;
  const days = spanDays(params.start, params.end);
  const small = !forceExport && days <= SYNC_CSV.maxDays && (state.total === null || state.total <= SYNC_CSV.maxRows);
  ui.csvLink.hidden = !small;
  ui.exportButton.hidden = small;
  if (small) {
    ui.csvLink.href = csvHref(params);
    ui.csvLink.download = ""; // the API names the file (Content-Disposition)
    ui.downloadHint.textContent = "Every matching reading as one CSV file (UTF-8, µg/m³, UTC).";
  } else {
    ui.exportButton.disabled = false;
    const rows = state.total !== null ? ` (${fmtInt(state.total)} readings)` : "";
    ui.downloadHint.textContent = days > SYNC_CSV.maxDays
      ? `This query spans ${days} days${rows}, so the CSV is prepared in the background; you get a link when it is ready.`
      : `This query is large${rows}, so the CSV is prepared in the background; you get a link when it is ready.`;
  }
}

/**
 * Before the browser downloads, ask the API (HEAD) whether it will stream this CSV: if it is set up
 * with other limits than the page assumes, it answers 422 and the page runs an export instead of
 * saving an error as a .csv file.
 */
let csvConfirmed = false;
async function onCsvClick(event) {
  if (csvConfirmed) {
    csvConfirmed = false;
    return; // the confirmed click: let the browser download
  }
  event.preventDefault();
  const params = state.params;
  try {
    const response = await fetch(ui.csvLink.href, { method: "HEAD", credentials: "same-origin" });
    if (params !== state.params) return;
    if (response.status === 422) {
      prepareDownload(params, { forceExport: true });
      ui.downloadHint.textContent = "The API prepares this CSV in the background; follow the progress below.";
      runExport();
      return;
    }
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      ui.downloadHint.textContent = `The CSV is not available right now (HTTP ${response.status})` +
        (retry ? `; try again in ${retry} s.` : ".");
      return;
    }
  } catch {
    ui.downloadHint.textContent = "Could not reach the API. Check your connection.";
    return;
  }
  csvConfirmed = true;
  ui.csvLink.click();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function showExportProgress(job) {
  const fraction = Number(job.progress ?? 0);
  const percent = Math.round(Math.max(0, Math.min(1, fraction > 1 ? fraction / 100 : fraction)) * 100);
  ui.exportBar.value = job.status === "done" ? 100 : percent;
  ui.exportBar.textContent = `${ui.exportBar.value}%`;
  const rows = job.rows ? `, ${fmtInt(job.rows)} rows so far` : "";
  const words = {
    queued: "Export queued: waiting for a worker",
    running: `Export running: ${percent}%${rows}`,
  };
  ui.exportStatus.textContent = words[job.status] ?? `Export ${job.status}`;
}

async function runExport() {
  const run = ++state.exportRun;
  const params = state.params;
  ui.exportButton.disabled = true;
  ui.exportPanel.hidden = false;
  ui.exportLink.hidden = true;
  ui.exportRetry.hidden = true;
  ui.exportBar.value = 0;
  ui.exportStatus.textContent = "Starting the export";
  let statusUrl;
  try {
    const { body } = await postJSON("/api/exports", params);
    statusUrl = body.status_url ?? `/api/exports/${encodeURIComponent(body.job_id)}`;
  } catch (error) {
    if (run !== state.exportRun) return;
    if (error instanceof ApiError && Object.keys(error.fields).length) showErrors(error.fields, error.message);
    const retry = error.retryAfter ? ` Try again in ${Math.ceil(error.retryAfter)} s.` : "";
    ui.exportStatus.textContent = `The export could not be started: ${error.message}${retry}`;
    ui.exportRetry.hidden = false;
    ui.exportButton.disabled = false;
    return;
  }
  let delay = POLL_MS.first;
  let failures = 0;
  while (run === state.exportRun) {
    await sleep(delay);
    if (run !== state.exportRun) return;
    let job;
    try {
      job = await getJSON(statusUrl);
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures >= 5 || (error instanceof ApiError && error.status === 404)) {
        ui.exportStatus.textContent = `Lost track of the export: ${error.message}`;
        ui.exportRetry.hidden = false;
        ui.exportButton.disabled = false;
        return;
      }
      delay = Math.min(POLL_MS.max, (error.retryAfter ?? delay / 500) * 1000);
      continue;
    }
    if (run !== state.exportRun) return;
    showExportProgress(job);
    if (job.status === "done") {
      ui.exportLink.href = job.download_url;
      ui.exportLink.textContent = `Download exported CSV (${fmtInt(job.rows ?? 0)} rows)`;
      ui.exportLink.hidden = false;
      ui.exportStatus.textContent = `Export ready: ${fmtInt(job.rows ?? 0)} rows. The link is valid for a limited time.`;
      ui.exportButton.disabled = false;
      ui.exportLink.focus();
      return;
    }
    if (job.status === "failed") {
      ui.exportStatus.textContent = `The export failed: ${job.error ?? "no reason given"}.`;
      ui.exportRetry.hidden = false;
      ui.exportButton.disabled = false;
      return;
    }
    delay = Math.min(POLL_MS.max, delay * 1.5);
  }
}

// ------------------------------------------------------------------ search

async function search(params, { pushUrl = true } = {}) {
  state.params = params;
  state.cursors = [null];
  state.offsets = [0];
  state.page = 0;
  state.nextCursor = null;
  state.total = null;
  if (pushUrl) history.replaceState(null, "", queryString(params) || location.pathname);
  const signal = renew("search");
  // Summary and map run alongside the first page; the summary also sizes the CSV decision.
  // Paging on while they load does not cancel them (separate signals); a new search does.
  const summary = loadSummary(params, signal);
  loadMap(params, signal);
  const shown = await loadPage(0, renew("page"));
  const total = await summary;
  if (signal.aborted) return;
  if (!shown) {
    // The query failed: do not leave the previous result looking like this one's.
    ui.download.hidden = true;
    ui.tableWrap.hidden = true;
    ui.pager.hidden = true;
    return;
  }
  state.total = Number.isFinite(total) ? total : null;
  announceResults(ui.tableBody.children.length);
  prepareDownload(params);
}

function onSubmit(event) {
  event.preventDefault();
  const { raw, badInput } = readForm();
  const { params, errors } = validate(raw, badInput);
  if (Object.keys(errors).length) {
    showErrors(errors);
    ui.resultsStatus.textContent = "Correct the form to search.";
    return;
  }
  clearErrors();
  search(params);
}

function onReset() {
  // After the browser resets the fields, put the defaults back and clear messages.
  setTimeout(() => {
    clearErrors();
    setDefaultDates();
    loadCountries("");
  });
}

// -------------------------------------------------------------- start-up

function buildLegend() {
  const items = DAQI.bands.map((b) => {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `legend-swatch ${b.css}`;
    swatch.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.textContent = `${b.name}: index ${b.low === b.high ? b.low : `${b.low}–${b.high}`}`;
    const shades = document.createElement("span");
    shades.className = "legend-shades";
    shades.setAttribute("aria-hidden", "true");
    for (let i = b.low; i <= b.high; i += 1) {
      const shade = document.createElement("span");
      shade.className = `legend-shade i${i}`;
      shade.title = `Index ${i}`;
      shades.append(shade);
    }
    li.append(swatch, label, shades);
    return li;
  });
  ui.legend.replaceChildren(...items);
  for (const b of DAQI.bands) {
    const option = document.createElement("option");
    option.value = b.name;
    option.textContent = `${b.name} (${b.low === b.high ? b.low : `${b.low}–${b.high}`})`;
    ui.band.append(option);
  }
}

/** Country codes from a /api/countries answer, whatever its nesting. */
export function countriesFrom(body) {
  const list = Array.isArray(body) ? body : body?.countries ?? body?.data ?? [];
  return list
    .map((item) => (typeof item === "string" ? { code: item } : { ...item, code: item.code ?? item.country }))
    .filter((item) => typeof item.code === "string");
}

/**
 * Fill the country list with the countries that have data between the form's dates (the
 * catalogue is per day), keeping the current choice even when that country has no data then.
 */
let countriesRun = 0;
async function loadCountries(prefer = ui.country.value) {
  const run = ++countriesRun;
  const { params, errors } = validate({ start: fieldInput("start").value, end: fieldInput("end").value });
  if (errors.start || errors.end) return null;
  try {
    const body = await getJSON("/api/countries", { start: params.start, end: params.end });
    if (run !== countriesRun) return null;
    const countries = countriesFrom(body).sort((a, b) => countryName(a.code).localeCompare(countryName(b.code)));
    const keep = prefer;
    const options = countries.map(({ code, readings }) => {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = countryName(code);
      if (readings !== undefined) option.dataset.readings = String(readings);
      return option;
    });
    if (keep && !countries.some(({ code }) => code === keep)) {
      const option = document.createElement("option");
      option.value = keep;
      option.textContent = `${countryName(keep)}: no data on these dates`;
      options.unshift(option);
    }
    ui.country.replaceChildren(ui.country.options[0], ...options);
    ui.country.value = keep;
    const span = params.start === params.end ? `on ${params.start}` : `from ${params.start} to ${params.end}`;
    ui.countryHint.textContent = countries.length
      ? `${countries.length} countries with data ${span}.`
      : `No data ${span} yet.`;
    return body;
  } catch (error) {
    if (run === countriesRun) {
      ui.countryHint.textContent = `The country list could not be loaded (${error.message}); all countries are searched.`;
    }
    return null;
  }
}

function setDefaultDates() {
  const today = todayUtc();
  fieldInput("end").value = today;
  fieldInput("start").value = today;
}

function paramsFromUrl() {
  const search = new URLSearchParams(location.search);
  const params = {};
  for (const name of FIELDS) if (search.has(name)) params[name] = search.get(name);
  return params;
}

async function main() {
  buildLegend();
  try {
    if (window.L) sensorMap = new SensorMap($("map"), $("map-notice"), $("map-caption"));
    else $("map-caption").textContent = "The map library did not load.";
  } catch (error) {
    $("map-caption").textContent = `The map could not be shown: ${error.message}`;
  }
  try {
    if (window.Chart) bandChart = new BandChart($("band-chart"), $("chart-caption"));
    else $("chart-caption").textContent = "The chart library did not load.";
  } catch (error) {
    $("chart-caption").textContent = `The chart could not be shown: ${error.message}`;
  }

  ui.form.addEventListener("submit", onSubmit);
  ui.form.addEventListener("reset", onReset);
  ui.prev.addEventListener("click", () => state.page > 0 && loadPage(state.page - 1));
  ui.next.addEventListener("click", () => state.nextCursor && loadPage(state.page + 1));
  ui.csvLink.addEventListener("click", onCsvClick);
  ui.exportButton.addEventListener("click", runExport);
  ui.exportRetry.addEventListener("click", runExport);
  window.addEventListener("resize", () => sensorMap?.resize());

  let countriesTimer = 0;
  for (const name of ["start", "end"]) {
    fieldInput(name).addEventListener("change", () => {
      clearTimeout(countriesTimer);
      countriesTimer = setTimeout(() => loadCountries(), 250);
    });
  }

  setDefaultDates();
  const fromUrl = paramsFromUrl();
  if (Object.keys(fromUrl).length) fillForm(fromUrl);
  await loadCountries(fromUrl.country?.toUpperCase() ?? "");
  if (Object.keys(fromUrl).length) ui.form.requestSubmit();
  document.documentElement.dataset.ready = "true";
}

main();
