// The public viability widget: the visitor's address (or location) -> POST /api/public/viability/,
// then a lead with contact and consent -> POST /api/public/leads/. No login, no cookies.
// Embedded in other sites as a page of ours, so it loads the shared modules from our static files.
import { $, element, readConfig } from "../dom.js";
import { formatMoney } from "../format.js";
import { request } from "../http.js";

const config = readConfig("widget-config");
let lastAddress = "";

function post(url, body) {
  return request(url, { method: "POST", credentials: "omit", body: { key: config.key, ...body } });
}

function show(message, viable, plans = []) {
  $("#widget-message").textContent = message;
  $("#widget-message").className = `message ${viable ? "ok" : "no"}`;
  $("#widget-plans").replaceChildren(...plans.map((plan) => element("li", {},
    element("span", { text: `${plan.name} · ${plan.download_mbps} Mbps` }),
    element("span", { className: "price", text: interpolate(gettext("%s/month"), [formatMoney(plan.price)]) }))));
  $("#widget-answer").hidden = false;
  $("#widget-answer").dataset.state = viable === null ? "error" : viable ? "viable" : "not-viable";
}

async function check(body) {
  const { ok, message, data } = await post(config.urls.viability, body);
  if (!ok) {
    show(message, null);
    return;
  }
  show(data.message, data.viable, data.plans);
  $("#widget-lead").hidden = false;
  $("#widget-thanks").hidden = true;
}

$("#widget-check").addEventListener("submit", (event) => {
  event.preventDefault();
  lastAddress = $("#widget-address").value.trim();
  if (lastAddress) check({ address: lastAddress });
});

$("#widget-gps").addEventListener("click", () => {
  navigator.geolocation?.getCurrentPosition(
    (position) => { lastAddress = ""; check({ lon: position.coords.longitude, lat: position.coords.latitude }); },
    () => show(gettext("Your location is not available: type your address."), null),
  );
});

$("#widget-lead").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const { ok, message, data } = await post(config.urls.leads, {
    name: form.elements.name.value.trim(), mobile_phone: form.elements.mobile_phone.value.trim(),
    email: form.elements.email.value.trim(), address: lastAddress, consent: form.elements.consent.checked,
  });
  const error = $("#widget-error");
  if (!ok) {
    error.textContent = message;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  form.hidden = true;
  $("#widget-thanks").textContent = data.message;
  $("#widget-thanks").hidden = false;
});
