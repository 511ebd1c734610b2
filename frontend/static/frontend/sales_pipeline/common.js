// Helpers shared by the desktop sales pages (board, leads map, lead page): DOM building,
// JSON calls with the session's CSRF token, DRF errors as text, dates and money.
export const $ = (selector, root = document) => root.querySelector(selector);

export function readConfig(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// The page's own CSRF token (the logout form carries one), for writes with the session.
const csrfToken = () => document.querySelector("[name=csrfmiddlewaretoken]").value;

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

// A DRF error body as one readable sentence: {"detail": "..."} or {"field": ["...", ...]}.
export function errorText(data) {
  if (!data) return "";
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map(errorText).join(" ");
  if (data.detail) return errorText(data.detail);
  return Object.entries(data).filter(([key]) => key !== "code").map(([, value]) => errorText(value)).join(" ");
}

// {ok, status, data}; a network failure is a status 0 with a message of its own.
export async function api(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: { detail: gettext("The server cannot be reached. Check the connection and try again.") } };
  }
  let data = null;
  try { data = await response.json(); } catch { /* an empty or HTML body */ }
  if (!response.ok && !data) {
    data = { detail: interpolate(gettext("The server answered with an error (%s). Try again."), [response.status]) };
  }
  return { ok: response.ok, status: response.status, data };
}

export const fill = (template, id) => template.replace("{id}", id);

const language = document.documentElement.lang || "pt-BR";
export const money = new Intl.NumberFormat(language, { style: "currency", currency: "BRL" });
export const dateTime = new Intl.DateTimeFormat(language, { dateStyle: "short", timeStyle: "short" });
export const dateOnly = new Intl.DateTimeFormat(language, { dateStyle: "short" });

// A YYYY-MM-DD date shown in the page's language (parsed as a local date, not UTC).
export function showDate(isoDate) {
  if (!isoDate) return "";
  const [year, month, day] = isoDate.split("-").map(Number);
  return dateOnly.format(new Date(year, month - 1, day));
}

// The filter form's values as query parameters (empty ones left out).
export function filterParams(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value).trim()) params.append(name, String(value).trim());
  return params;
}

// Stage colours, shared by the board's columns and the map's points.
export const STAGE_COLORS = {
  new: "#1565c0", contacted: "#6a1b9a", proposal_sent: "#f57c00", won: "#2e7d32", lost: "#9aa5b1",
};
export const OPEN_STAGES = new Set(["new", "contacted", "proposal_sent"]);

export function isOverdue(lead, now = new Date()) {
  return Boolean(lead.next_action_at) && OPEN_STAGES.has(lead.stage) && new Date(lead.next_action_at) < now;
}
