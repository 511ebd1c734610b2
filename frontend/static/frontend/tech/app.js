// The technician's route on the phone. The day comes from GET my-day/ and is kept in IndexedDB;
// every action (status, checklist, material, note, photo, signature) is queued there first with
// its client_action_id (a file with its own UUID) and sent in order when there is a signal, so
// a retry is a no-op on the server. The screen always shows the day with the queue applied.
import { kv, queue, uuid } from "./store.js";
import { compressPhoto, signaturePad } from "./media.js";
import { $, element, readConfig } from "../dom.js";
import { formatLongDate, formatNumber, formatPhone, formatTime } from "../format.js";
import { request } from "../http.js";

const config = readConfig("tech-config");
const gettext = window.gettext || ((text) => text);
const ngettext = window.ngettext || ((singular, plural, count) => (count === 1 ? singular : plural));
const interpolate = window.interpolate || ((text, values) => text.replace(/%s/g, () => values.shift()));
const WORKING = ["en_route", "on_site", "paused"];
const CLOSED = ["completed", "cancelled"];
const STATUS_LABELS = {
  scheduled: gettext("Scheduled"), dispatched: gettext("Dispatched"), en_route: gettext("En route"),
  on_site: gettext("On site"), paused: gettext("Paused"), completed: gettext("Completed"),
  cancelled: gettext("Cancelled"),
};
const RETRY_MAX_MS = 5 * 60 * 1000;

let day = null; // as the server last sent it
let pending = []; // the queue, oldest first
let view = null; // the day with the queue applied
let openOrder = null; // the order id whose details are shown
let map = null;
let syncing = false;
let syncAgain = false; // an action queued while a sync was running
let retryDelay = 2000;
let retryTimer = null;
const objectUrls = new Map(); // queued file id -> object URL of its Blob

// ------------------------------------------------------------------ helpers

function showMessage(text, kind = "error") {
  const box = $("#tech-message");
  box.textContent = text || "";
  box.className = `tech-message ${kind}`;
  box.hidden = !text;
}

const time = (iso) => formatTime(iso) || "—";
const orderUrl = (id, action) => `${config.urls.orders}${id}/${action}/`;

// ------------------------------------------------------------------ the day and the queue

// The day as the technician sees it: what the server said, then every queued action on top
// (`queued` false: actions the server has just confirmed, until the day is read again).
function applyQueue(serverDay, items, queued = true) {
  const copy = structuredClone(serverDay);
  const orders = new Map(copy.stops.map((stop) => [stop.order.id, stop]));
  for (const item of items) {
    const stop = orders.get(item.order);
    if (!stop) continue;
    const order = stop.order;
    if (item.kind === "transition") {
      order.status = item.body.to;
      order.version = (item.body.version || order.version) + 1;
    } else if (item.kind === "checklist") {
      const entry = stop.checklist.find((line) => line.code === item.body.code);
      if (entry) entry.done = item.body.done;
    } else if (item.kind === "material") {
      order.materials_used.push({ material_name: item.label, quantity: item.body.quantity, unit: "", queued });
    } else if (item.kind === "note") {
      order.notes.push({ text: item.body.text, at: item.created, actor: "", queued });
    } else if (item.kind === "attachment") {
      if (!objectUrls.has(item.body.id)) objectUrls.set(item.body.id, URL.createObjectURL(item.blob));
      order.attachments.push({ id: item.body.id, kind: item.body.kind, url: objectUrls.get(item.body.id), queued });
    }
  }
  return copy;
}

async function refreshView() {
  pending = (await queue.all()).sort((a, b) => a.seq - b.seq);
  view = day ? applyQueue(day, pending) : null;
  render();
}

async function loadDay() {
  day = (await kv.get("day")) || null;
  await refreshView();
  if (navigator.onLine) await fetchDay();
}

let dayRequests = 0;

async function fetchDay() {
  const call = ++dayRequests;
  try {
    const { ok, sessionLapsed, data: fresh } = await request(config.urls.day);
    if (sessionLapsed) {
      showMessage(gettext("Your session has ended: log in again to send what is waiting."));
      $("#tech-message").append(" ", element("a", { href: config.urls.login, text: gettext("Log in") }));
      return;
    }
    // No signal or a refusal: the cached day stays on screen; or a newer request is on its way.
    if (!ok || call !== dayRequests) return;
    day = fresh;
    await kv.set("day", day);
    await refreshView();
  } catch {
    // The phone's storage refused the day: the one on screen stays.
  }
}

// Queue an action; the screen shows it at once and it goes out when it can.
async function enqueue(order, kind, body, { blob = null, label = "" } = {}) {
  const item = {
    id: kind === "attachment" ? body.id : uuid(), order: order.id, number: order.number, kind, body, blob, label,
    state: "pending", error: "", created: new Date().toISOString(),
  };
  if (kind !== "attachment") item.body.client_action_id = item.id;
  await queue.add(item);
  await refreshView();
  sync();
}

// Where a queued action goes, and its body: JSON, or the file as a form.
function actionRequest(item) {
  if (item.kind === "attachment") {
    const form = new FormData();
    form.append("id", item.body.id);
    form.append("kind", item.body.kind);
    form.append("file", item.blob, item.body.kind === "signature" ? "signature.png" : "photo.jpg");
    return { url: orderUrl(item.order, "attachments"), body: form };
  }
  const action = { transition: "transition", checklist: "checklist", material: "materials", note: "notes" }[item.kind];
  return { url: orderUrl(item.order, action), body: item.body };
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(sync, retryDelay);
  retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
}

// Send the queue in order. A lost signal stops and retries later with backoff; an action the
// server refuses (a stale version, a rule) stays with its error, and the later actions of the
// same order wait behind it, so nothing is dropped or sent out of order.
async function sync() {
  if (!navigator.onLine) return;
  if (syncing) {
    syncAgain = true;
    return;
  }
  syncing = true;
  syncAgain = false;
  render();
  let refused = false;
  let sent = 0;
  try {
    const blocked = new Set();
    for (const item of (await queue.all()).sort((a, b) => a.seq - b.seq)) {
      if (item.state === "failed" || blocked.has(item.order)) {
        blocked.add(item.order);
        continue;
      }
      const { url, body } = actionRequest(item);
      const response = await request(url, { method: "POST", body });
      if (response.status === 0) { // no signal
        scheduleRetry();
        return;
      }
      if (response.ok) {
        if (day) day = applyQueue(day, [item], false); // until the day is read again
        await queue.delete(item.seq);
        objectUrls.delete(item.id);
        sent += 1;
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        scheduleRetry();
        return;
      }
      item.state = "failed";
      item.status = response.status;
      item.error = response.message;
      if (response.status === 409) {
        item.error += " " + gettext("The phone now has the order as the office left it: check it, then send again or discard.");
      }
      await queue.put(item);
      blocked.add(item.order);
      refused = true;
    }
    retryDelay = 2000;
    clearTimeout(retryTimer);
  } finally {
    // Still "syncing" while the day reloads: an answer read before a later action was sent
    // must not land after it and hide that action.
    if (sent || refused) await fetchDay();
    syncing = false;
    await refreshView();
    if (refused) showMessage(gettext("Some actions were refused: see the “To send” tab."));
    else if (sent) showMessage("");
    if (syncAgain) sync();
  }
}

// Send a refused action again: the order's queued status changes start from its version now.
async function retry(item) {
  let version = day.stops.find((stop) => stop.order.id === item.order)?.order.version;
  for (const other of pending.filter((entry) => entry.order === item.order)) {
    if (other.kind === "transition" && version) {
      other.body.version = version;
      version += 1;
    }
    other.state = "pending";
    other.error = "";
    await queue.put(other);
  }
  showMessage("");
  await refreshView();
  sync();
}

async function discard(item) {
  if (!window.confirm(gettext("Discard this action? It will not be sent."))) return;
  await queue.delete(item.seq);
  objectUrls.delete(item.id);
  await refreshView();
}

// ------------------------------------------------------------------ GPS

function currentPoint(timeout = 10000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(position),
      () => resolve(null),
      { enableHighAccuracy: true, timeout, maximumAge: 30000 },
    );
  });
}

const asPoint = (position) => ({ type: "Point", coordinates: [position.coords.longitude, position.coords.latitude] });

// While on duty the phone reports where it is, at most once per interval; offline only the
// newest fix is kept and sent when the signal returns.
let watchId = null;
let lastSent = 0;

async function sendPosition() {
  const fix = await kv.get("position");
  if (!fix || !navigator.onLine) return;
  const { ok, status } = await request(config.urls.positions, { method: "POST", body: fix });
  if (ok || status === 400) await kv.delete("position"); // else kept for later
}

function followPosition(onDuty) {
  if (!navigator.geolocation) return;
  if (onDuty && watchId === null) {
    watchId = navigator.geolocation.watchPosition(async (position) => {
      const now = Date.now();
      if (now - lastSent < config.position_interval_s * 1000) return;
      lastSent = now;
      await kv.set("position", {
        point: asPoint(position), accuracy_m: Math.round(position.coords.accuracy || 0) || null,
        recorded_at: new Date(position.timestamp).toISOString(),
      });
      sendPosition();
    }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
  } else if (!onDuty && watchId !== null) {
    navigator.geolocation.clearWatch(watchId);
    watchId = null;
  }
}

// ------------------------------------------------------------------ rendering

function render() {
  const online = navigator.onLine;
  const network = $("#tech-network");
  network.textContent = online ? gettext("Online") : gettext("Offline");
  network.className = `tech-network ${online ? "online" : "offline"}`;
  const count = pending.length;
  const badge = $("#tech-pending");
  badge.textContent = count;
  badge.hidden = count === 0;
  $("#tech-queue-count").textContent = count ? `(${count})` : "";
  $("#tech-sync").disabled = syncing || !online;
  $("#tech-sync").classList.toggle("busy", syncing);
  renderQueue();
  if (!view) {
    $("#tech-summary").textContent = online ? gettext("Loading your day…") : gettext("No saved day on this phone yet.");
    return;
  }
  $("#tech-date").textContent = formatLongDate(view.date);
  renderList();
  renderMap();
  if (openOrder) renderOrder();
  followPosition(view.stops.some((stop) => WORKING.includes(stop.order.status)));
}

function renderList() {
  const done = view.stops.filter((stop) => stop.order.status === "completed").length;
  $("#tech-summary").textContent = view.stops.length
    ? [
      interpolate(ngettext("%s stop", "%s stops", view.stops.length), [view.stops.length]),
      interpolate(ngettext("%s done", "%s done", done), [done]),
    ].join(", ") + ` · ${formatNumber(view.km)} km`
    : gettext("No stops on your route today.");
  $("#tech-stops").replaceChildren(...view.stops.map((stop) => {
    const order = stop.order;
    const queued = pending.filter((item) => item.order === order.id);
    return element("li", { className: `stop status-${order.status}`, "data-order": order.id },
      element("button", { type: "button", className: "stop-button", onclick: () => showOrder(order.id) },
        element("span", { className: "seq", text: stop.sequence }),
        element("span", { className: "stop-body" },
          element("span", { className: "stop-line" },
            element("strong", { text: time(stop.eta) }),
            element("span", { className: "chip", text: STATUS_LABELS[order.status] || order.status_label })),
          element("span", { className: "stop-client", text: order.client }),
          element("span", { className: "stop-address", text: order.address_text }),
          element("span", { className: "stop-meta", text: `${order.number} · ${order.type_label} · ${time(order.window_start)}–${time(order.window_end)}` }),
          queued.length ? element("span", { className: "stop-queued", text: interpolate(gettext("%s waiting to be sent"), [queued.length]) }) : null)));
  }));
}

function queueLabel(item) {
  const labels = {
    transition: () => interpolate(gettext("Status: %s"), [STATUS_LABELS[item.body.to] || item.body.to]),
    checklist: () => interpolate(gettext("Checklist: %s"), [item.label]),
    material: () => interpolate(gettext("Material: %s"), [`${item.label} × ${item.body.quantity}`]),
    note: () => gettext("Note"),
    attachment: () => (item.body.kind === "signature" ? gettext("Client signature") : gettext("Photo")),
  };
  return `${item.number} · ${labels[item.kind]()}`;
}

function renderQueue() {
  const list = $("#tech-queue");
  if (!pending.length) {
    list.replaceChildren(element("li", { className: "empty", text: gettext("Everything has been sent.") }));
    return;
  }
  list.replaceChildren(...pending.map((item) => element("li", { className: `queued ${item.state}` },
    element("span", { className: "queued-label", text: queueLabel(item) }),
    element("span", { className: "queued-state", text: item.state === "failed" ? item.error : gettext("Waiting to be sent") }),
    item.state === "failed" ? element("span", { className: "row" },
      element("button", { type: "button", onclick: () => retry(item) }, gettext("Send again")),
      element("button", { type: "button", className: "danger", onclick: () => discard(item) }, gettext("Discard"))) : null)));
}

// ------------------------------------------------------------------ the map

async function mapStyle() {
  try {
    const { ok, data } = await request(config.urls.tiles);
    if (!ok) throw new Error(); // offline and not cached: the plain background
    const { baseStyle } = await import("../basemap.js");
    return baseStyle(data, 16);
  } catch {
    return { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eceee8" } }] };
  }
}

let markers = [];

async function createMap() {
  const maplibregl = await import("maplibre-gl");
  const first = view.stops[0]?.order.point || view.route.coordinates[0] || [-51.22, -30.03];
  map = new maplibregl.Map({ container: "tech-map", style: await mapStyle(), center: first, zoom: 13, attributionControl: false });
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: "© OpenStreetMap" }));
  map.maplibregl = maplibregl;
  map.on("load", () => {
    map.addSource("route", { type: "geojson", data: { type: "Feature", geometry: view.route, properties: {} } });
    map.addLayer({ id: "route-casing", type: "line", source: "route", layout: { "line-join": "round", "line-cap": "round" }, paint: { "line-color": "#ffffff", "line-width": 8 } });
    map.addLayer({ id: "route", type: "line", source: "route", layout: { "line-join": "round", "line-cap": "round" }, paint: { "line-color": "#1565c0", "line-width": 5 } });
    renderMap(true);
  });
}

function renderMap(fit = false) {
  if (!map || !map.getSource("route")) return;
  map.getSource("route")?.setData({ type: "Feature", geometry: view.route, properties: {} });
  markers.forEach((marker) => marker.remove());
  markers = view.stops.map((stop) => {
    const node = element("button", { type: "button", className: `map-stop status-${stop.order.status}`, text: stop.sequence, "aria-label": `${stop.sequence} ${stop.order.client}` });
    node.addEventListener("click", () => showOrder(stop.order.id));
    return new map.maplibregl.Marker({ element: node }).setLngLat(stop.order.point).addTo(map);
  });
  if (fit) {
    const points = [...view.route.coordinates, ...view.stops.map((stop) => stop.order.point)];
    if (points.length) {
      const bounds = points.reduce((box, point) => box.extend(point), new map.maplibregl.LngLatBounds(points[0], points[0]));
      map.fitBounds(bounds, { padding: 40, maxZoom: 16, duration: 0 });
    }
  }
}

// ------------------------------------------------------------------ tabs and the order screen

function showTab(name) {
  openOrder = null;
  $("#tech-order").hidden = true;
  for (const button of document.querySelectorAll(".tech-tabs [data-tab]")) {
    const selected = button.dataset.tab === name;
    button.setAttribute("aria-selected", selected);
    $(`#tab-${button.dataset.tab}`).hidden = !selected;
  }
  if (name === "map" && view) {
    if (!map) createMap();
    else map.resize();
  }
}

function showOrder(id) {
  openOrder = id;
  for (const tab of document.querySelectorAll(".tech-tab")) tab.hidden = true;
  const screen = $("#tech-order");
  screen.replaceChildren($("#order-template").content.cloneNode(true));
  screen.hidden = false;
  wireOrder(screen);
  renderOrder();
  window.scrollTo(0, 0);
}

function stopOf(id) {
  return view.stops.find((stop) => stop.order.id === id);
}

function field(name) {
  return $(`#tech-order [data-field="${name}"]`);
}

function statusButtons(order) {
  const buttons = {
    dispatched: [["en_route", gettext("On my way")]],
    en_route: [["on_site", gettext("Arrived (check in)")], ["paused", gettext("Pause")]],
    on_site: [["paused", gettext("Pause")]],
    paused: [["en_route", gettext("Back on my way")], ["on_site", gettext("Back on site")]],
  }[order.status] || [];
  if (order.status === "scheduled") {
    return [element("p", { className: "muted", text: gettext("Waiting for the office to dispatch this order.") })];
  }
  return buttons.map(([to, label]) => element("button", {
    type: "button", className: to === "paused" ? "" : "primary big", "data-to": to,
    onclick: () => changeStatus(order, to),
  }, label));
}

function renderOrder() {
  const stop = stopOf(openOrder);
  if (!stop) return;
  const order = stop.order;
  const closed = CLOSED.includes(order.status);
  const none = (tag = "p") => element(tag, { className: "muted", text: gettext("None yet.") });
  const [lon, lat] = order.point;
  field("status").textContent = STATUS_LABELS[order.status] || order.status_label;
  field("status").className = `chip status-${order.status}`;
  field("sequence").textContent = `${stop.sequence}.`;
  field("number").textContent = order.number;
  field("type").textContent = order.type_label;
  field("priority").textContent = order.priority_label;
  field("client").textContent = order.client;
  field("phone").replaceChildren(order.client_phone ? element("a", { href: `tel:${order.client_phone}`, text: formatPhone(order.client_phone) }) : "—");
  field("address").textContent = order.address_text || "—";
  field("window").textContent = `${time(order.window_start)}–${time(order.window_end)}`;
  field("eta").textContent = time(stop.eta);
  field("description").textContent = order.description || "—";
  const label = encodeURIComponent(`${order.client} ${order.address_text}`);
  $('#tech-order [data-link="geo"]').href = `geo:${lat},${lon}?q=${lat},${lon}(${label})`;
  $('#tech-order [data-link="google"]').href = `https://www.google.com/maps/dir/?api=1&destination=${lat},${lon}`;
  $('#tech-order [data-link="waze"]').href = `https://waze.com/ul?ll=${lat},${lon}&navigate=yes`;
  field("actions").replaceChildren(...statusButtons(order));

  // Ticked in place, never rebuilt: a redraw must not swallow the next tap.
  const checklist = field("checklist");
  if (!checklist.children.length) {
    checklist.append(...stop.checklist.map((item) => element("li", {},
      element("label", { className: "check" },
        element("input", { type: "checkbox", "data-code": item.code,
          onchange: (event) => enqueue(stopOf(openOrder).order, "checklist", { code: item.code, done: event.target.checked }, { label: item.label }) }),
        element("span", { text: item.label })))));
  }
  for (const item of stop.checklist) {
    const box = $(`input[data-code="${item.code}"]`, checklist);
    box.checked = item.done;
    box.disabled = closed;
  }

  field("materials").replaceChildren(...(order.materials_used.length ? order.materials_used.map((used) => element("li", { className: used.queued ? "queued-item" : "" },
    `${used.material_name} × ${formatNumber(used.quantity)}`)) : [none("li")]));
  const select = $('#tech-order [data-form="material"] select');
  if (!select.options.length) {
    select.append(...view.materials.map((material) => element("option", { value: material.id, text: material.name })));
  }
  $('#tech-order [data-form="material"]').hidden = closed;

  const photos = order.attachments.filter((file) => file.kind === "photo");
  field("photos").replaceChildren(...(photos.length ? photos.map((file) => element("img", { src: file.url, alt: gettext("Photo"), className: file.queued ? "queued-item" : "" })) : [none()]));
  $('#tech-order .file-button').hidden = closed;
  const signature = order.attachments.find((file) => file.kind === "signature");
  field("signature").replaceChildren(signature ? element("img", { src: signature.url, alt: gettext("Client signature"), className: `signature-image ${signature.queued ? "queued-item" : ""}` }) : closed ? none() : "");
  field("pad").hidden = closed || Boolean(signature);

  field("notes").replaceChildren(...(order.notes.length ? order.notes.map((note) => element("li", { className: note.queued ? "queued-item" : "" },
    element("span", { className: "muted", text: `${time(note.at)} ${note.actor}` }), " ", note.text)) : [none("li")]));
  $('#tech-order [data-form="note"]').hidden = closed;

  field("complete").hidden = order.status !== "on_site";
  const installation = order.order_type === "installation";
  field("installation").hidden = !installation;
  const boxes = $('#tech-order [name="cto_box"]');
  if (installation && !boxes.options.length) {
    boxes.append(...stop.boxes.map((box) => element("option", {
      value: box.id, selected: box.id === order.contract_box,
      text: box.free_ports === null ? box.code : interpolate(gettext("%s (%s ports free)"), [box.code, box.free_ports]),
    })));
    if (order.contract_port) $('#tech-order [name="cto_port"]').value = order.contract_port;
  }
}

function wireOrder(screen) {
  $('[data-action="back"]', screen).addEventListener("click", () => showTab("list"));
  $('[data-form="pause"]', screen).addEventListener("submit", async (event) => {
    event.preventDefault();
    const order = stopOf(openOrder).order;
    await enqueue(order, "transition", { to: "paused", version: order.version, reason: event.target.reason.value.trim() });
    event.target.hidden = true;
  });
  $('[data-form="material"]', screen).addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const material = view.materials.find((item) => String(item.id) === form.material.value);
    await enqueue(stopOf(openOrder).order, "material", { material: material.id, quantity: form.quantity.value }, { label: material.name });
  });
  $('[data-input="photo"]', screen).addEventListener("change", async (event) => {
    const order = stopOf(openOrder).order;
    for (const file of event.target.files) {
      try {
        const blob = await compressPhoto(file);
        await enqueue(order, "attachment", { id: uuid(), kind: "photo" }, { blob });
      } catch {
        showMessage(gettext("This file is not a photo the phone can read."));
      }
    }
    event.target.value = "";
  });
  const pad = signaturePad($(".signature-canvas", screen));
  $('[data-action="clear-signature"]', screen).addEventListener("click", () => pad.clear());
  $('[data-action="save-signature"]', screen).addEventListener("click", async () => {
    if (pad.isEmpty()) return showMessage(gettext("Ask the client to sign in the box first."));
    await enqueue(stopOf(openOrder).order, "attachment", { id: uuid(), kind: "signature" }, { blob: await pad.png() });
  });
  $('[data-form="note"]', screen).addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = event.target.text.value.trim();
    if (!text) return;
    await enqueue(stopOf(openOrder).order, "note", { text });
    event.target.reset();
  });
  $('[data-form="complete"]', screen).addEventListener("submit", (event) => {
    event.preventDefault();
    complete(event.target);
  });
}

async function changeStatus(order, to) {
  if (to === "paused") {
    const form = $('#tech-order [data-form="pause"]');
    form.hidden = false;
    form.reason.focus();
    return;
  }
  const body = { to, version: order.version };
  if (to === "on_site") {
    const position = await currentPoint();
    if (position) body.point = asPoint(position);
    else showMessage(gettext("No GPS fix: the check-in is recorded without a position."), "info");
  }
  await enqueue(order, "transition", body);
}

// The server checks the same rules; checking here too tells the technician now, even offline.
async function complete(form) {
  const stop = stopOf(openOrder);
  const order = stop.order;
  const error = field("complete-error");
  const missing = stop.checklist.filter((item) => !item.done).map((item) => item.label);
  let problem = missing.length ? interpolate(gettext("Tick every checklist item first: %s."), [missing.join("; ")]) : "";
  const body = { to: "completed", version: order.version, note: form.note.value.trim() };
  if (!problem && order.order_type === "installation") {
    body.cto_box = Number(form.cto_box.value) || null;
    body.cto_port = Number(form.cto_port.value) || null;
    if (!body.cto_box || !body.cto_port) problem = gettext("Give the box and the port the client was connected to.");
  }
  error.textContent = problem;
  error.hidden = !problem;
  if (problem) return;
  const position = await currentPoint(3000);
  if (position) body.point = asPoint(position);
  await enqueue(order, "transition", body);
  showMessage(navigator.onLine ? "" : gettext("Saved on the phone: it will be sent when there is a signal."), "info");
  window.scrollTo(0, 0);
}

// ------------------------------------------------------------------ start

for (const button of document.querySelectorAll(".tech-tabs [data-tab]")) {
  button.addEventListener("click", () => showTab(button.dataset.tab));
}
// Send what waits, then read the day again (the office may have changed it).
$("#tech-sync").addEventListener("click", async () => {
  retryDelay = 2000;
  await sync();
  await fetchDay();
});
window.addEventListener("online", () => { retryDelay = 2000; render(); sync(); sendPosition(); });
window.addEventListener("offline", render);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(config.urls.worker).catch(() => {});
}
loadDay().then(sync);
