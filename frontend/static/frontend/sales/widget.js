// The public viability widget: the visitor's address (or location) -> POST /api/public/viability/,
// then a lead with contact and consent -> POST /api/public/leads/. No login, no cookies.
const config = JSON.parse(document.getElementById("widget-config").textContent);
const $ = (selector) => document.querySelector(selector);
const money = new Intl.NumberFormat(document.documentElement.lang || "pt-BR", { style: "currency", currency: "BRL" });
let lastAddress = "";

function errorText(data) {
  if (!data) return "";
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map(errorText).join(" ");
  if (data.message) return data.message;
  if (data.detail) return errorText(data.detail);
  return Object.values(data).map(errorText).join(" ");
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "omit",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ key: config.key, ...body }),
  });
  let data = null;
  try { data = await response.json(); } catch { /* not JSON */ }
  if (response.status === 429) {
    const seconds = response.headers.get("Retry-After");
    data = { message: interpolate(gettext("Too many tries. Please wait %s seconds."), [seconds || "60"]) };
  }
  return { ok: response.ok, data };
}

function show(message, viable, plans = []) {
  $("#widget-message").textContent = message;
  $("#widget-message").className = `message ${viable ? "ok" : "no"}`;
  $("#widget-plans").replaceChildren(...plans.map((plan) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = `${plan.name} · ${plan.download_mbps} Mbps`;
    const price = document.createElement("span");
    price.className = "price";
    price.textContent = interpolate(gettext("%s/month"), [money.format(Number(plan.price))]);
    item.append(name, price);
    return item;
  }));
  $("#widget-answer").hidden = false;
  $("#widget-answer").dataset.state = viable === null ? "error" : viable ? "viable" : "not-viable";
}

async function check(body) {
  const { ok, data } = await post(config.urls.viability, body);
  if (!ok) {
    show(errorText(data) || gettext("Something went wrong. Please try again."), null);
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
  const { ok, data } = await post(config.urls.leads, {
    name: form.elements.name.value.trim(), mobile_phone: form.elements.mobile_phone.value.trim(),
    email: form.elements.email.value.trim(), address: lastAddress, consent: form.elements.consent.checked,
  });
  const error = $("#widget-error");
  if (!ok) {
    error.textContent = errorText(data);
    error.hidden = false;
    return;
  }
  error.hidden = true;
  form.hidden = true;
  $("#widget-thanks").textContent = data.message;
  $("#widget-thanks").hidden = false;
});
