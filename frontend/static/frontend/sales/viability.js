// The sales rep's viability view: an address, the GPS or a pin -> POST /api/crm/viability/,
// the answer on the map (point, boxes, walking path) and in cards; then the lead form.
// Strings go through Django's JavaScript catalogue (gettext), loaded by the template.
import * as maplibregl from "maplibre-gl";
import { baseStyle } from "../basemap.js";
import { $, element, readConfig } from "../dom.js";
import { formatMoney, formatNumber } from "../format.js";
import { fill, request } from "../http.js";

const config = readConfig("viability-config");
const SOURCE_MAX_ZOOM = 16;
const EMPTY = { type: "FeatureCollection", features: [] };

let map = null;
let answer = null;

function showMessage(text) {
  const box = $("#viability-message");
  box.textContent = text || "";
  box.hidden = !text;
}

// ---------------------------------------------------------------- the map

function setData(name, data) {
  map.getSource(name)?.setData(data);
}

function addResultLayers() {
  map.addSource("walk", { type: "geojson", data: EMPTY });
  map.addSource("boxes", { type: "geojson", data: EMPTY });
  map.addSource("point", { type: "geojson", data: EMPTY });
  map.addLayer({
    id: "walk-other", type: "line", source: "walk", filter: ["!", ["get", "chosen"]],
    layout: { "line-join": "round", "line-cap": "round" },
    paint: { "line-color": "#78909c", "line-width": 3, "line-dasharray": [1, 2] },
  });
  map.addLayer({
    id: "walk-chosen", type: "line", source: "walk", filter: ["get", "chosen"],
    layout: { "line-join": "round", "line-cap": "round" },
    paint: { "line-color": "#1565c0", "line-width": 5 },
  });
  map.addLayer({
    id: "boxes", type: "circle", source: "boxes",
    paint: {
      "circle-radius": ["case", ["get", "chosen"], 9, 6],
      "circle-color": ["case", ["get", "chosen"], "#2e7d32", "#f9a825"],
      "circle-stroke-color": "#263238", "circle-stroke-width": 2,
    },
  });
  map.addLayer({
    id: "point", type: "circle", source: "point",
    paint: { "circle-radius": 9, "circle-color": "#c62828", "circle-stroke-color": "#ffffff", "circle-stroke-width": 3 },
  });
}

function drawAnswer(result) {
  const chosenId = result.chosen_box?.id;
  const point = [result.point.lon, result.point.lat];
  setData("point", { type: "FeatureCollection", features: [{ type: "Feature", geometry: { type: "Point", coordinates: point }, properties: {} }] });
  setData("boxes", {
    type: "FeatureCollection",
    features: result.boxes.map((box) => ({
      type: "Feature", geometry: { type: "Point", coordinates: [box.point.lon, box.point.lat] },
      properties: { name: box.name, chosen: box.id === chosenId },
    })),
  });
  setData("walk", {
    type: "FeatureCollection",
    features: result.boxes.filter((box) => box.path.coordinates.length > 1).map((box) => ({
      type: "Feature", geometry: box.path, properties: { chosen: box.id === chosenId },
    })),
  });
  const bounds = new maplibregl.LngLatBounds(point, point);
  for (const coordinates of (result.chosen_box || result.boxes[0])?.path.coordinates || []) bounds.extend(coordinates);
  map.fitBounds(bounds, { padding: 50, maxZoom: result.boxes.length ? 18 : 16, duration: 0 });
}

function dropPin(lngLat) {
  check({ lon: lngLat.lng, lat: lngLat.lat }, "");
}

// ---------------------------------------------------------------- the answer

async function check(body, addressText) {
  showMessage("");
  $("#viability-result").dataset.state = "loading";
  const { ok, message, data } = await request(config.urls.viability, { method: "POST", body });
  if (!ok) {
    clearAnswer();
    $("#viability-result").dataset.state = "error";
    if (data?.code === "address_not_found") {
      showMessage(data.detail);
      if (data.suggestion) map.flyTo({ center: data.suggestion.point, zoom: 16 });
    } else {
      showMessage(message);
    }
    return;
  }
  answer = { ...data, address_text: data.geocode?.label || addressText };
  renderAnswer(answer);
  drawAnswer(answer);
  resetLeadForm();
}

// A failed check leaves nothing of the previous answer on screen (nor a lead to attach it to).
function clearAnswer() {
  answer = null;
  for (const name of ["point", "boxes", "walk"]) setData(name, EMPTY);
  $("#viability-result").hidden = true;
  $("#lead-section").hidden = true;
}

function renderAnswer(result) {
  const verdict = $("#viability-verdict");
  verdict.textContent = result.viable ? gettext("Viable") : gettext("Not viable");
  verdict.className = `verdict ${result.viable ? "ok" : "no"}`;
  $("#viability-reasons").replaceChildren(...result.reasons.map((reason) => element("li", { text: reason.message, "data-code": reason.code })));
  const where = [];
  if (result.geocode) where.push(result.geocode.label);
  if (result.coverage_area) where.push(interpolate(gettext("Coverage area: %s"), [result.coverage_area.name]));
  $("#viability-where").textContent = where.join(" · ");
  $("#viability-boxes").replaceChildren(...result.boxes.map((box) => element(
    "li", { className: box.id === result.chosen_box?.id ? "chosen" : "" },
    element("span", { className: "box-name", text: box.name }),
    element("span", {
      className: "box-detail",
      text: interpolate(gettext("%(free)s free · %(walk)s m walking (%(straight)s m straight)"), {
        free: box.free_ports, walk: formatNumber(box.walking_distance_m, 0), straight: formatNumber(box.straight_distance_m, 0),
      }, true),
    }),
  )));
  $("#viability-boxes-block").hidden = !result.boxes.length;
  $("#viability-plans").replaceChildren(...result.plans.map((plan) => element(
    "li", {},
    element("span", { text: `${plan.name} · ${plan.download_mbps}/${plan.upload_mbps} Mbps` }),
    element("span", { className: "price", text: interpolate(gettext("%s/month"), [formatMoney(plan.price)]) }),
  )));
  $("#viability-plans-block").hidden = !result.plans.length;
  const planSelect = $("#lead-plan");
  planSelect.replaceChildren(element("option", { value: "", text: "—" }),
    ...result.plans.map((plan) => element("option", { value: plan.id, text: plan.name })));
  const section = $("#viability-result");
  section.hidden = false;
  section.dataset.state = result.viable ? "viable" : "not-viable";
  $("#lead-section").hidden = false;
}

// ---------------------------------------------------------------- address suggestions

let suggestTimer = null;
function suggest(text) {
  clearTimeout(suggestTimer);
  if (text.trim().length < 4) return;
  suggestTimer = setTimeout(async () => {
    const { ok, data } = await request(`${config.urls.geocode}?${new URLSearchParams({ q: text, limit: 5 })}`);
    if (!ok) return;
    const { results } = data;
    $("#viability-suggestions").replaceChildren(...results.map((result) => element("option", { value: result.label })));
  }, 350);
}

// ---------------------------------------------------------------- the lead

function resetLeadForm() {
  $("#lead-form").hidden = false;
  $("#lead-done").hidden = true;
  $("#lead-error").hidden = true;
}

async function registerLead(event) {
  event.preventDefault();
  const form = event.target;
  const error = $("#lead-error");
  const field = (name) => form.elements[name].value.trim();
  const problems = [];
  if (!field("name")) problems.push(gettext("Type the person's name."));
  if (!field("mobile_phone") && !field("email")) problems.push(gettext("Type a mobile phone or an e-mail."));
  if (!form.elements.consent_contact.checked) problems.push(gettext("The person must agree to be contacted."));
  if (problems.length) {
    error.textContent = problems.join(" ");
    error.hidden = false;
    return;
  }
  const body = {
    name: field("name"), mobile_phone: field("mobile_phone"), email: field("email"), document: field("document"),
    plan: field("plan") ? Number(field("plan")) : null, consent_contact: true, consent_text: config.consent_text,
    viability_check: answer.check_id, address_text: answer.address_text || "",
  };
  const { ok, message, data } = await request(config.urls.leads, { method: "POST", body });
  if (!ok) {
    error.textContent = message;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  form.hidden = true;
  form.reset();
  $("#lead-done-text").textContent = interpolate(gettext("Lead registered: %s."), [data.name]);
  $("#lead-proposal").href = fill(config.urls.lead_page, data.id);
  $("#lead-done").hidden = false;
}

// ---------------------------------------------------------------- start

async function start() {
  const tiles = await request(config.urls.tiles);
  const tileIndex = tiles.ok ? tiles.data : { layers: [] };
  map = new maplibregl.Map({
    container: "viability-map", style: baseStyle(tileIndex, SOURCE_MAX_ZOOM),
    center: config.center, zoom: 14, maxZoom: 19, attributionControl: false,
  });
  window.malhaMap = map; // for the browser tests
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: tileIndex.attribution || "© OpenStreetMap contributors" }));
  map.on("load", () => {
    addResultLayers();
    map.on("click", (event) => dropPin(event.lngLat));
    map.once("idle", () => { $("#viability-map").dataset.ready = "true"; });
  });

  $("#viability-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("#viability-address").value.trim();
    if (text) check({ address: text }, text);
  });
  $("#viability-address").addEventListener("input", (event) => suggest(event.target.value));
  $("#viability-gps").addEventListener("click", () => {
    if (!navigator.geolocation) {
      showMessage(gettext("This device cannot tell its location: type the address or tap the map."));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => check({ lon: position.coords.longitude, lat: position.coords.latitude }, ""),
      () => showMessage(gettext("Your location is not available: type the address or tap the map.")),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });
  $("#lead-form").addEventListener("submit", registerLead);
  $("#lead-again").addEventListener("click", () => {
    $("#viability-address").value = "";
    $("#viability-address").focus();
    window.scrollTo({ top: 0 });
  });
}

start();
