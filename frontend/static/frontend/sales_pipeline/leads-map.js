// The leads map: /api/crm/leads/geojson/?in_bbox= for the visible area (with the board's
// filters and the legend's stages), points coloured by stage, a popup linking to the lead.
import * as maplibregl from "maplibre-gl";
import { baseStyle } from "../basemap.js";
import { $, element, readConfig } from "../dom.js";
import { fill, request } from "../http.js";
import { STAGE_COLORS, filterParams } from "./common.js";

const config = readConfig("leads-map-config");
const SOURCE_MAX_ZOOM = 16;
const MAX_FEATURES = 1000;
const filters = $("#lead-filters");
const stageLabel = Object.fromEntries(config.stages);
let map = null;
let latest = 0;

function status(text) {
  $("#leads-map-status").textContent = text;
}

async function load() {
  const params = filterParams(filters);
  const stages = params.getAll("stage");
  const counts = Object.fromEntries(config.stages.map(([stage]) => [stage, 0]));
  const ticket = ++latest;
  let features = [];
  if (stages.length) {
    const bounds = map.getBounds();
    params.set("in_bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((n) => n.toFixed(6)).join(","));
    params.set("page_size", MAX_FEATURES);
    const { ok, message, data } = await request(`${config.urls.geojson}?${params}`);
    if (ticket !== latest) return; // a later move already asked again
    if (!ok) { status(message); return; }
    features = data.features;
    status(data.count > features.length
      ? interpolate(gettext("Showing %(shown)s of %(count)s leads here: zoom in to see them all."), { shown: features.length, count: data.count }, true)
      : interpolate(ngettext("%s lead in this area.", "%s leads in this area.", data.count), [data.count]));
  } else {
    status(gettext("Choose at least one stage."));
  }
  for (const feature of features) counts[feature.properties.stage] += 1;
  for (const [stage, count] of Object.entries(counts)) {
    const badge = document.querySelector(`[data-legend-count="${stage}"]`);
    if (badge) badge.textContent = `(${count})`;
  }
  map.getSource("leads").setData({ type: "FeatureCollection", features });
}

function popup(feature) {
  const lead = feature.properties;
  const body = element("div", { className: "map-popup" },
    element("h3", {}, element("a", { href: fill(config.urls.lead_page, feature.id ?? lead.id), text: lead.name })),
    element("p", { className: "popup-stage", text: stageLabel[lead.stage] || lead.stage }),
    lead.address_text ? element("p", { text: lead.address_text }) : null,
    lead.owner_name ? element("p", { className: "muted", text: interpolate(gettext("Owner: %s"), [lead.owner_name]) }) : null);
  new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(feature.geometry.coordinates).setDOMContent(body).addTo(map);
}

async function start() {
  const tiles = await request(config.urls.tiles);
  const tileIndex = tiles.ok ? tiles.data : { layers: [] };
  map = new maplibregl.Map({
    container: "leads-map", style: baseStyle(tileIndex, SOURCE_MAX_ZOOM),
    center: config.center, zoom: 13, maxZoom: 19, attributionControl: false,
  });
  window.malhaMap = map; // for the browser tests
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: tileIndex.attribution || "© OpenStreetMap contributors" }));
  map.on("load", async () => {
    map.addSource("leads", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: "leads", type: "circle", source: "leads",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 4, 17, 9],
        "circle-color": ["match", ["get", "stage"], ...Object.entries(STAGE_COLORS).flat(), "#78909c"],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
      },
    });
    map.on("click", "leads", (event) => popup(event.features[0]));
    map.on("mouseenter", "leads", () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "leads", () => { map.getCanvas().style.cursor = ""; });
    map.on("moveend", load);
    await load();
    map.once("idle", () => { $("#leads-map").dataset.ready = "true"; });
  });
  let timer = null;
  filters.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 300); });
  $("#leads-legend").addEventListener("change", load);
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
}

start();
