// The client's financial panel: every action form posts JSON to the billing API; a success
// reloads the panel with the new numbers, an error is shown inside the form that caused it.
import { request } from "../http.js";

function payload(form) {
  const data = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled) continue;
    if (field.type === "checkbox") {
      if (!data[field.name]) data[field.name] = [];
      if (field.checked) data[field.name].push(Number(field.value));
    } else if (field.value === "") {
      continue; // optional and left empty: the API's default applies
    } else if (field.type === "number") {
      data[field.name] = Number(field.value);
    } else if (field.hasAttribute("data-money")) {
      // "1.234,56" as people type it in Brazil, or "1234.56": the API takes "1234.56".
      const text = field.value.trim();
      data[field.name] = text.includes(",") ? text.replace(/\./g, "").replace(",", ".") : text;
    } else {
      data[field.name] = field.value;
    }
  }
  return data;
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = form.querySelector(".form-error");
  const button = form.querySelector("button[type=submit]");
  error.hidden = true;
  button.disabled = true;
  const { ok, message } = await request(form.dataset.url, { method: "POST", body: payload(form) });
  if (ok) {
    window.location.reload();
    return;
  }
  error.textContent = message;
  error.hidden = false;
  button.disabled = false;
}

async function copy(event) {
  const button = event.currentTarget;
  const text = button.dataset.copy;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = gettext("Copied");
  button.classList.add("copied");
  setTimeout(() => { button.textContent = label; button.classList.remove("copied"); }, 1500);
}

document.querySelectorAll("form.api-form").forEach((form) => form.addEventListener("submit", submit));
document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", copy));
