// Small DOM helpers shared by the page modules (map, campaign report, sales viability, the
// technician's app): build elements without markup strings, and read DRF errors as text.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// A DRF error body as one readable sentence: {"detail": "..."} or {"field": ["...", ...]}.
export function errorText(data) {
  if (!data) return "";
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map(errorText).join(" ");
  if (data.detail) return errorText(data.detail);
  return Object.values(data).map(errorText).join(" ");
}
