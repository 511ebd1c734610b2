// DOM helpers shared by every page: find nodes, read the page's JSON config, build elements
// without markup strings, and read an API error body as one sentence. No `document` is
// touched at import time, so the unit tests can load this module in Node.

export const $ = (selector, root = document) => root.querySelector(selector);

// The config a template wrote with Django's json_script.
export function readConfig(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// element("button", {type: "button", className: "x", text: "Go", onclick: go, disabled: false}, child...):
// null, undefined and false attributes are left out, true ones are boolean attributes (""),
// on* functions become listeners; null, undefined and false children are skipped.
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

// An API error body as one readable sentence: the public widget's {"message": "..."}, DRF's
// {"detail": "..."}, or {"non_field_errors": [...], "field": ["...", ...], "nested": {...}}
// (the messages only, general ones first). A string "code" is a machine-readable reason and is
// left out; fields named "code" or "message" err as lists and are read like any other.
export function errorText(data) {
  if (data === null || data === undefined) return "";
  if (typeof data === "string") return data;
  if (typeof data !== "object") return String(data);
  if (Array.isArray(data)) return data.map(errorText).filter(Boolean).join(" ");
  if (typeof data.message === "string" && data.message) return data.message;
  if (data.detail) return errorText(data.detail);
  const { non_field_errors: general, ...fields } = data;
  if (typeof fields.code === "string") delete fields.code;
  return [general, ...Object.values(fields)].map(errorText).filter(Boolean).join(" ");
}
