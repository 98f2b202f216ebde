// Talking to the API (same origin: nginx proxies /api/). Errors become ApiError with the API's
// {"error": {"code", "message", "fields"}} when it sent one, or a plain explanation when it did not.

const TIMEOUT_MS = 30000;

export class ApiError extends Error {
  constructor(status, { code = "http_error", message, fields = {} } = {}, retryAfter = null) {
    super(message || `The API answered with HTTP ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields && typeof fields === "object" ? fields : {};
    this.retryAfter = retryAfter;
  }
}

/** A query string from an object, leaving out empty values (empty means "no filter"). */
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function retryAfterSeconds(response) {
  const raw = response.headers.get("Retry-After");
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(raw);
  return Number.isNaN(when) ? null : Math.max(0, (when - Date.now()) / 1000);
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const retryAfter = retryAfterSeconds(response);
  if (body && body.error && typeof body.error === "object") {
    return new ApiError(response.status, body.error, retryAfter);
  }
  let message = `The API answered with HTTP ${response.status}.`;
  if (response.status === 502 || response.status === 504) {
    message = "The API is not answering right now. Try again in a moment.";
  } else if (response.status === 429 || response.status === 503) {
    message = "The service is busy. Try again in a moment.";
  }
  return new ApiError(response.status, { code: "http_error", message }, retryAfter);
}

function anySignal(signals) {
  if (typeof AbortSignal.any === "function") return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

function timeoutSignal(ms) {
  if (typeof AbortSignal.timeout === "function") return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

async function request(path, { method = "GET", body, signal } = {}) {
  const timeout = timeoutSignal(TIMEOUT_MS);
  const combined = signal ? anySignal([signal, timeout]) : timeout;
  let response;
  try {
    response = await fetch(path, {
      method,
      signal: combined,
      headers: body === undefined ? { Accept: "application/json" } : {
        Accept: "application/json",
        "Content-Type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    if (signal?.aborted) throw error; // superseded by a newer request: the caller ignores it
    if (timeout.aborted) {
      throw new ApiError(0, { code: "timeout", message: "The API took too long to answer. Try a smaller query." });
    }
    throw new ApiError(0, { code: "network", message: "Could not reach the API. Check your connection." });
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function getJSON(path, params = {}, options = {}) {
  const response = await request(path + queryString(params), options);
  return response.json();
}

export async function postJSON(path, body, options = {}) {
  const response = await request(path, { ...options, method: "POST", body });
  return { status: response.status, body: await response.json() };
}
