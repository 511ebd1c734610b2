// The client's financial panel: every action form posts JSON to the billing API; a success
// reloads the panel with the new numbers, an error is shown inside the form that caused it.
(function () {
  "use strict";

  const csrfToken = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;

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

  function messages(body) {
    if (!body || typeof body !== "object") return [gettext("The server could not do this. Try again.")];
    const found = [];
    for (const value of Object.values(body)) {
      if (Array.isArray(value)) found.push(...value.map(String));
      else if (typeof value === "string") found.push(value);
      else if (value && typeof value === "object") found.push(...messages(value));
    }
    return found.length ? found : [gettext("The server could not do this. Try again.")];
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const error = form.querySelector(".form-error");
    const button = form.querySelector("button[type=submit]");
    error.hidden = true;
    button.disabled = true;
    try {
      const response = await fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify(payload(form)),
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      let body = null;
      try { body = await response.json(); } catch (_ignored) { /* not JSON */ }
      error.textContent = messages(body).join(" ");
    } catch (_failure) {
      error.textContent = gettext("No connection to the server. Try again.");
    }
    error.hidden = false;
    button.disabled = false;
  }

  async function copy(event) {
    const button = event.currentTarget;
    const text = button.dataset.copy;
    try {
      await navigator.clipboard.writeText(text);
    } catch (_denied) {
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
})();
