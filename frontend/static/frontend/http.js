// The one way pages call the JSON API: JSON in and out, the session cookie and Django's CSRF
// token (from its `csrftoken` cookie, which every page sets: base.html and the technician's
// page render a token), and every failure turned into one translated, readable message.
//
//   const result = await request(url, {method: "POST", body: {...}});
//   result.ok, result.status, result.data (the parsed JSON or null), result.message (on failure),
//   result.retryAfter (seconds, on a 429), result.sessionLapsed (401/403), result.response
//
// `fetchJson` is the same call for code that prefers exceptions: it returns the data or throws
// an ApiError carrying the same fields. A network failure is status 0, never an exception.
import { errorText } from "./dom.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Django's JavaScript catalogue (/jsi18n/) when the page loaded it; the English text otherwise.
const gettext = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);
const interpolate = (text, values) => (globalThis.interpolate
  ? globalThis.interpolate(text, values) : text.replace(/%s/g, () => values.shift()));

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// A URL template from the page's config with its {id} filled in.
export const fill = (template, id) => template.replace("{id}", id);

// What to tell the user about a failed call.
export function failureMessage(status, data, retryAfter = null) {
  if (status === 0) return gettext("The server could not be reached. Try again.");
  if (status === 429) return interpolate(gettext("Too many tries. Please wait %s seconds."), [String(retryAfter || 60)]);
  return errorText(data) || interpolate(gettext("The server answered with an error (%s). Try again."), [String(status)]);
}

/**
 * Calls the API. `body` is sent as JSON, or as is when it is FormData; `credentials: "omit"`
 * for the public widget (no cookies, no CSRF). A body that is not JSON (a CSV download) is
 * left unread in `result.response`.
 */
export async function request(url, { method = "GET", body, credentials = "same-origin", headers = {} } = {}) {
  const init = { method, credentials, headers: { Accept: "application/json", ...headers } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (!SAFE_METHODS.has(method) && credentials !== "omit") init.headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return { ok: false, status: 0, data: null, message: failureMessage(0), retryAfter: null, sessionLapsed: false, response: null };
  }
  let data = null;
  if (response.headers.get("Content-Type")?.includes("json")) {
    try { data = await response.json(); } catch { /* an empty or broken body */ }
  }
  const retryAfter = response.status === 429 ? Number(response.headers.get("Retry-After")) || null : null;
  return {
    ok: response.ok,
    status: response.status,
    data,
    message: response.ok ? "" : failureMessage(response.status, data, retryAfter),
    retryAfter,
    // The session ended (or the user lost the right): logging in again is the way out.
    sessionLapsed: response.status === 401 || response.status === 403,
    response,
  };
}

export class ApiError extends Error {
  constructor(result) {
    super(result.message);
    Object.assign(this, { status: result.status, data: result.data, retryAfter: result.retryAfter, sessionLapsed: result.sessionLapsed });
  }
}

export async function fetchJson(url, options) {
  const result = await request(url, options);
  if (!result.ok) throw new ApiError(result);
  return result.data;
}
