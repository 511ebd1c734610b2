// The dispatcher's map: vector tile layers from /tiles/, search, polygon selection.
// Strings go through Django's JavaScript catalogue (gettext), loaded by the template.
import * as maplibregl from "maplibre-gl";
import { TerraDraw, TerraDrawPolygonMode } from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import { setupPlantEdit } from "./plant-edit.js";
import { setupCampaignForm } from "./campaign-form.js";
import { setupSchedule } from "./schedule/board.js";
import { absoluteUrl, baseStyle } from "./basemap.js";
import { $, element, readConfig } from "./dom.js";
import { formatDateTime, formatNumber } from "./format.js";
import { fetchJson, fill, request } from "./http.js";

const config = readConfig("map-config");

const CONTRACT_COLORS = {
  active: "#2e7d32", suspended: "#c62828", awaiting_installation: "#1565c0", cancelled: "#9aa5b1",
};
const ORDER_COLORS = {
  open: "#f57c00", scheduled: "#1565c0", dispatched: "#6a1b9a", en_route: "#00838f",
  on_site: "#2e7d32", paused: "#8d6e63", completed: "#9aa5b1", cancelled: "#616161", reopened: "#d81b60",
};
const CABLE_COLORS = { backbone: "#b71c1c", feeder: "#e65100", distribution: "#1565c0", drop: "#546e7a" };
const NEUTRAL = "#78909c";

// How each layer is drawn: one colour, or a colour per value of a feature property.
const LAYER_LOOKS = {
  clients: { property: "status", palette: CONTRACT_COLORS, radius: 4 },
  contracts: { property: "status", palette: CONTRACT_COLORS, radius: 4 },
  orders: { property: "status", palette: ORDER_COLORS, radius: 6 },
  technicians: { color: "#6a1b9a", radius: 7 },
  boxes: { color: "#455a64" },
  cables: { property: "kind", palette: CABLE_COLORS },
  coverage: { color: "#0b6e4f" },
};
// Boxes are coloured by how many ports they still have free.
const BOX_COLORS = [
  ["#c62828", gettext("No free port")],
  ["#f9a825", gettext("1 or 2 free ports")],
  ["#2e7d32", gettext("3 or more free ports")],
];
// Boxes are drawn as squares so they never pass for clients: one square image per colour.
const boxImage = (index) => `box-${index}`;
const BOX_IMAGE_EXPRESSION = [
  "step", ["to-number", ["get", "ports_free"], 0], boxImage(0), 1, boxImage(1), 3, boxImage(2),
];

function addBoxImages(map) {
  const size = 14 * window.devicePixelRatio;
  BOX_COLORS.forEach(([color], index) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    context.fillStyle = "#263238";
    context.fillRect(0, 0, size, size);
    context.fillStyle = color;
    const border = 2 * window.devicePixelRatio;
    context.fillRect(border, border, size - 2 * border, size - 2 * border);
    map.addImage(boxImage(index), context.getImageData(0, 0, size, size), { pixelRatio: window.devicePixelRatio });
  });
}
const FILTER_LABELS = {
  status: gettext("Status"), plan: gettext("Plan"), type: gettext("Type"), priority: gettext("Priority"),
  date: gettext("Day"), free: gettext("Only boxes with free ports"),
};
// Kinds the tile index has no filter for, hence no labels.
const KIND_LABELS = {
  cables: { backbone: gettext("Backbone"), feeder: gettext("Feeder"), distribution: gettext("Distribution"), drop: gettext("Drop") },
  boxes: { cto: gettext("CTO (termination box)"), splitter: gettext("Splitter box (CEO)") },
};
// Tiles past this zoom are drawn from this zoom's tiles (overzoomed): fewer requests, same detail.
const SOURCE_MAX_ZOOM = 16;
const SHOWN_AT_START = new Set(["coverage", "boxes", "clients", "orders", "technicians"]);
// Aggregates are one colour per layer: their per-status counts are in the details on click.
const CLUSTER_COLORS = { clients: "#37474f", contracts: "#37474f", orders: "#e65100" };
// A city's worth of boxes is noise: they appear once streets can be told apart.
const BOXES_MIN_ZOOM = 14;
const DRAWING_ORDER = ["coverage", "cables", "contracts", "clients", "boxes", "orders", "technicians"];
// Which tile layer holds what a search result points at.
const SEARCH_KIND_LAYERS = { client: "clients", contract: "contracts", order: "orders", box: "boxes" };

let tileIndex = null;
let plantEdit = null; // the plant editor, for users who may add or change the network plant
let campaignForm = null; // "Notify these clients", for users who may create campaigns
let schedule = null; // scheduling mode and the day board, for dispatchers
const layerState = {}; // name -> {visible, filters: {filterName: value}}
const choiceLabels = {}; // "layer.filter" -> {value: label}

function showMessage(text) {
  const box = $("#map-message");
  box.textContent = text || "";
  box.hidden = !text;
}


// ---------------------------------------------------------------- the map and its style


// Orders recoloured live keep their new status as feature state until their tile reloads.
const LIVE_PROPERTIES = { orders: "status" };

function colorExpression(name) {
  const look = LAYER_LOOKS[name] || {};
  if (!look.palette) return look.color || NEUTRAL;
  const value = LIVE_PROPERTIES[name] === look.property
    ? ["coalesce", ["feature-state", look.property], ["get", look.property]] : ["get", look.property];
  return ["match", ["to-string", value], ...Object.entries(look.palette).flat(), NEUTRAL];
}

const isCluster = ["to-boolean", ["get", "cluster"]];

// MapLibre layer ids drawing one tile layer, by role: what a click may hit, and all of them.
function styleLayersFor(layer) {
  const name = layer.name;
  const common = { source: name, "source-layer": name, layout: { visibility: "none" } };
  const color = colorExpression(name);
  if (layer.geometry === "line") {
    return [{ id: `${name}-lines`, type: "line", ...common, paint: { "line-color": color, "line-width": ["interpolate", ["linear"], ["zoom"], 10, 1, 18, 4] } }];
  }
  if (layer.geometry === "polygon") {
    return [
      { id: `${name}-fill`, type: "fill", ...common, paint: { "fill-color": color, "fill-opacity": 0.12 } },
      { id: `${name}-outline`, type: "line", ...common, paint: { "line-color": color, "line-width": 1.5, "line-dasharray": [3, 2] } },
    ];
  }
  const radius = LAYER_LOOKS[name]?.radius || 5;
  const clusterColor = CLUSTER_COLORS[name] || color;
  const countRadius = ["interpolate", ["linear"], ["sqrt", ["to-number", ["get", "count"], 1]], 1, 9, 30, 24, 300, 40];
  return [
    // Aggregates below the layer's aggregation zoom: hex cells (polygons) or cluster points, with a count.
    { id: `${name}-cells`, type: "fill", ...common, filter: ["all", isCluster, ["==", ["geometry-type"], "Polygon"]],
      paint: { "fill-color": clusterColor, "fill-opacity": ["interpolate", ["linear"], ["to-number", ["get", "count"], 1], 1, 0.2, 500, 0.65], "fill-outline-color": "#ffffff" } },
    { id: `${name}-clusters`, type: "circle", ...common, filter: ["all", isCluster, ["==", ["geometry-type"], "Point"]],
      paint: { "circle-color": clusterColor, "circle-opacity": 0.8, "circle-radius": countRadius, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
    { id: `${name}-counts`, type: "symbol", ...common, filter: isCluster,
      layout: { visibility: "none", "text-field": ["number-format", ["to-number", ["get", "count"], 0], {}], "text-size": 11, "text-allow-overlap": false },
      paint: { "text-color": "#ffffff", "text-halo-color": "rgba(0,0,0,.45)", "text-halo-width": 1.2 } },
    name === "boxes"
      ? { id: `${name}-points`, type: "symbol", ...common, minzoom: BOXES_MIN_ZOOM, filter: ["!", isCluster],
        layout: { visibility: "none", "icon-image": BOX_IMAGE_EXPRESSION, "icon-allow-overlap": true,
          "icon-size": ["interpolate", ["linear"], ["zoom"], 14, 0.7, 18, 1.2] } }
      : { id: `${name}-points`, type: "circle", ...common, filter: ["!", isCluster],
        paint: {
          "circle-color": color,
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, radius * 0.7, 18, radius * 1.8],
          "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
        } },
  ];
}

function tileUrl(layer) {
  const params = new URLSearchParams();
  for (const [filter, value] of Object.entries(layerState[layer.name].filters)) {
    if (Array.isArray(value)) value.forEach((item) => params.append(filter, item));
    else if (value) params.append(filter, value);
  }
  const query = params.toString();
  const url = absoluteUrl(layer.url);
  return query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url;
}

function overlayLayers() {
  return tileIndex.layers
    .filter((layer) => layer.name !== "streets")
    .sort((a, b) => DRAWING_ORDER.indexOf(a.name) - DRAWING_ORDER.indexOf(b.name));
}

function addOverlays(map) {
  for (const layer of overlayLayers()) {
    if (layer.name === "technicians" && config.live) {
      live.addTechnicians(map);
    } else {
      map.addSource(layer.name, {
        type: "vector", tiles: [tileUrl(layer)], minzoom: layer.minzoom,
        maxzoom: Math.min(layer.maxzoom, SOURCE_MAX_ZOOM), promoteId: "id",
      });
      for (const styleLayer of styleLayersFor(layer)) map.addLayer(styleLayer);
    }
    setLayerVisible(map, layer.name, layerState[layer.name].visible);
  }
}

function styleLayerIds(map, name) {
  return map.getStyle().layers.filter((styleLayer) => styleLayer.source === name).map((styleLayer) => styleLayer.id);
}

function setLayerVisible(map, name, visible) {
  layerState[name].visible = visible;
  applyVisibility(map, name);
}

function applyVisibility(map, name) {
  const { visible, nothingChosen } = layerState[name];
  for (const id of styleLayerIds(map, name)) {
    map.setLayoutProperty(id, "visibility", visible && !nothingChosen ? "visible" : "none");
  }
}

function refreshLayerTiles(map, layer) {
  map.getSource(layer.name).setTiles([tileUrl(layer)]);
}

function refreshNamedLayer(map, name) {
  const layer = tileIndex.layers.find((item) => item.name === name);
  if (layer && map.getSource(name)?.setTiles) refreshLayerTiles(map, layer);
}

// Another mode's filters over a layer (scheduling shows only the orders it can place), or back to
// the switcher's own with null; the layer is shown while they apply.
const savedFilters = {};
function setLayerFilters(map, name, filters) {
  const state = layerState[name];
  if (!state) return;
  if (filters) {
    savedFilters[name] ??= { filters: state.filters, visible: state.visible };
    state.filters = filters;
    setLayerVisible(map, name, true);
  } else if (savedFilters[name]) {
    state.filters = savedFilters[name].filters;
    setLayerVisible(map, name, savedFilters[name].visible);
    delete savedFilters[name];
  }
  refreshNamedLayer(map, name);
}

// ---------------------------------------------------------------- layer switcher, filters, legend

function filterChoices(filter) {
  return filter.values || [];
}

function filterControl(map, layer, filter) {
  const state = layerState[layer.name].filters;
  const changed = () => {
    refreshLayerTiles(map, layer);
    selection.refresh();
  };
  const choices = filterChoices(filter);
  const label = FILTER_LABELS[filter.name] || filter.name;
  if (filter.kind === "date") {
    const input = element("input", { type: "date", "data-filter": `${layer.name}.${filter.name}` });
    input.addEventListener("change", () => { state[filter.name] = input.value; changed(); });
    return element("label", {}, label, input);
  }
  if (filter.kind === "boolean") {
    const input = element("input", { type: "checkbox", "data-filter": `${layer.name}.${filter.name}` });
    input.addEventListener("change", () => { state[filter.name] = input.checked ? "true" : ""; changed(); });
    return element("label", {}, input, label);
  }
  // A box per choice, all ticked at first: nothing is filtered out until the dispatcher says so.
  const palette = LAYER_LOOKS[layer.name]?.property === filter.name ? LAYER_LOOKS[layer.name].palette : null;
  const fieldset = element("fieldset", { "data-filter": `${layer.name}.${filter.name}` }, element("legend", { text: label }));
  const boxes = choices.map((choice) => {
    const input = element("input", { type: "checkbox", value: String(choice.value) });
    input.checked = true;
    const swatch = palette ? element("span", { className: "swatch", style: `background:${palette[String(choice.value)] || NEUTRAL}` }) : null;
    fieldset.append(element("label", {}, input, swatch, choice.label));
    return input;
  });
  fieldset.addEventListener("change", () => {
    const ticked = boxes.filter((box) => box.checked).map((box) => box.value);
    // All ticked: no filter. None ticked: nothing to ask the server for, the layer shows nothing.
    state[filter.name] = ticked.length === boxes.length ? [] : ticked;
    layerState[layer.name].nothingChosen = !ticked.length;
    applyVisibility(map, layer.name);
    if (ticked.length) changed();
    else selection.refresh();
  });
  return fieldset;
}

function layerLegend(layer) {
  const entries = [];
  if (layer.name === "boxes") {
    for (const [color, label] of BOX_COLORS) entries.push([color, label, "square"]);
  } else if (layer.name === "technicians" || layer.name === "coverage") {
    entries.push([LAYER_LOOKS[layer.name].color, layer.title, layer.name === "coverage" ? "area" : ""]);
  } else if (layer.name === "cables") {
    for (const [kind, color] of Object.entries(CABLE_COLORS)) entries.push([color, KIND_LABELS.cables[kind], "line"]);
  }
  if (CLUSTER_COLORS[layer.name]) {
    entries.push([CLUSTER_COLORS[layer.name], gettext("Grouped when zoomed out: the number is how many"), ""]);
  }
  if (!entries.length) return null;
  return element("div", { className: "layer-legend" }, ...entries.map(([color, label, shape]) =>
    element("span", {}, element("span", { className: `swatch ${shape}`, style: `background:${color}` }), " ", label)));
}

function buildLayerSwitcher(map) {
  const container = $("#map-layers");
  container.replaceChildren();
  for (const layer of overlayLayers()) {
    const checkbox = element("input", { type: "checkbox", "data-layer": layer.name });
    checkbox.checked = layerState[layer.name].visible;
    const filters = element("div", { className: "layer-filters" },
      ...(layer.filters || []).map((filter) => filterControl(map, layer, filter)));
    filters.hidden = !checkbox.checked;
    checkbox.addEventListener("change", () => {
      setLayerVisible(map, layer.name, checkbox.checked);
      filters.hidden = !checkbox.checked;
    });
    container.append(element("div", { className: "layer", "data-layer-row": layer.name },
      element("label", {}, checkbox, layer.title), layerLegend(layer), filters));
  }
}

// ---------------------------------------------------------------- popups and details

function labelFor(layerName, filterName, value) {
  const labels = filterName === "kind" ? KIND_LABELS[layerName] : choiceLabels[`${layerName}.${filterName}`];
  return labels?.[String(value)] ?? value;
}

// The key facts of a feature, as [title, [[term, value], ...]].
function featureFacts(layerName, props) {
  const status = props.status !== undefined ? labelFor(layerName, "status", props.status) : undefined;
  switch (layerName) {
    case "clients":
      return [props.name, [[gettext("Status"), status], [gettext("Contracts"), props.contracts]]];
    case "contracts":
      return [interpolate(gettext("Contract %s"), [props.number]), [
        [gettext("Client"), props.client], [gettext("Plan"), props.plan], [gettext("Status"), status]]];
    case "orders":
      return [interpolate(gettext("Order %s"), [props.number]), [
        [gettext("Type"), labelFor(layerName, "type", props.type)], [gettext("Status"), status],
        [gettext("Priority"), labelFor(layerName, "priority", props.priority)],
        [gettext("Window"), props.window_start && `${formatDateTime(props.window_start)} – ${formatDateTime(props.window_end)}`],
        [gettext("Technician"), props.assignee || gettext("not assigned")]]];
    case "boxes":
      return [props.code, [
        [gettext("Kind"), labelFor(layerName, "kind", props.kind)],
        [gettext("Ports used"), `${props.ports_used} / ${props.ports_total}`], [gettext("Free ports"), props.ports_free]]];
    case "cables":
      return [props.code || props.name, [[gettext("Kind"), labelFor(layerName, "kind", props.kind)],
        [gettext("Fibres"), props.fiber_count], [gettext("Length (m)"), props.length_m && formatNumber(props.length_m, 0)]]];
    case "coverage":
      return [props.name, [[gettext("Status"), props.active ? gettext("In service") : gettext("Inactive")]]];
    default:
      return [props.name || props.code || props.number || props.id, []];
  }
}

function factsElement(layerName, props) {
  const [title, facts] = featureFacts(layerName, props);
  const list = element("dl");
  for (const [term, value] of facts) {
    if (value === undefined || value === null || value === "") continue;
    list.append(element("dt", { text: term }), element("dd", { text: String(value) }));
  }
  const detailUrl = config.urls.detail[layerName];
  const link = detailUrl && props.id !== undefined
    ? element("a", { href: fill(detailUrl, props.id), target: "_blank", rel: "noopener", text: gettext("Open record") })
    : null;
  const finance = layerName === "clients" && config.urls.finance && props.id !== undefined
    ? element("a", { href: fill(config.urls.finance, props.id), className: "popup-finance", text: gettext("Financial panel") })
    : null;
  return element("div", { className: "map-popup", "data-popup-layer": layerName },
    element("h3", { text: title ?? "" }), list, link, finance ? " · " : null, finance);
}

// An aggregate: how many, by status.
function clusterElement(layerName, props) {
  const title = tileIndex.layers.find((layer) => layer.name === layerName)?.title;
  const list = element("dl");
  for (const [status, label] of Object.entries(choiceLabels[`${layerName}.status`] || {})) {
    if (props[status]) list.append(element("dt", { text: label }), element("dd", { text: formatNumber(props[status]) }));
  }
  return element("div", { className: "map-popup", "data-popup-layer": layerName },
    element("h3", { text: `${title}: ${formatNumber(props.count)}` }), list,
    element("p", { className: "muted small", text: gettext("Zoom in to see each one.") }));
}

function showDetails(content) {
  $("#map-details-body").replaceChildren(content);
  $("#map-details").hidden = false;
  $("#map-details").open = true;
}

let popup = null;
function openPopup(map, lngLat, content) {
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: "320px" }).setLngLat(lngLat).setDOMContent(content).addTo(map);
}

function showFeature(map, feature, lngLat) {
  const layerName = feature.source;
  const content = factsElement(layerName, feature.properties);
  plantEdit?.addPopupActions(content, layerName, feature.properties);
  openPopup(map, lngLat, content);
  showDetails(factsElement(layerName, feature.properties));
}

function clickableLayerIds(map) {
  return map.getStyle().layers
    .filter((styleLayer) => layerState[styleLayer.source] && /-(points|clusters|cells|lines|fill)$/.test(styleLayer.id))
    .map((styleLayer) => styleLayer.id);
}

function onMapClick(map, event) {
  if (selection.drawing || selection.justFinished() || plantEdit?.capturesClicks()) return;
  const features = map.queryRenderedFeatures(event.point, { layers: clickableLayerIds(map) });
  if (schedule?.capturesClicks()) {
    const order = features.find((item) => item.layer.id === "orders-points");
    if (order) schedule.pick(order.properties.id);
    return;
  }
  if (!features.length) return;
  // Points first: a click on a box inside a coverage area means the box.
  const feature = features.find((item) => item.geometry.type === "Point") || features[0];
  if (feature.properties.cluster) {
    showDetails(clusterElement(feature.source, feature.properties));
    map.easeTo({ center: event.lngLat, zoom: Math.min(map.getZoom() + 2, 18) });
    return;
  }
  showFeature(map, feature, event.lngLat);
}

// ---------------------------------------------------------------- search

function setupSearch(map) {
  const input = $("#map-search-input");
  const list = $("#map-search-results");
  let timer = null;
  let latest = 0;
  const kindLabels = {
    client: gettext("Client"), contract: gettext("Contract"), address: gettext("Address"),
    order: gettext("Service order"), box: gettext("CTO box"),
  };

  async function run({ goToOnlyResult = false } = {}) {
    const query = input.value.trim();
    if (query.length < 2) { list.hidden = true; return; }
    const ticket = ++latest;
    let data;
    try {
      data = await fetchJson(`${config.urls.search}?${new URLSearchParams({ q: query })}`);
    } catch (error) {
      showMessage(error.message);
      return;
    }
    if (ticket !== latest) return; // an older answer arriving late
    showMessage("");
    if (goToOnlyResult && data.results.length === 1) { goToResult(map, data.results[0]); return; }
    list.replaceChildren(...(data.results.length ? data.results.map((result) => {
      const button = element("button", { type: "button", "data-kind": result.kind },
        element("span", { className: "kind", text: kindLabels[result.kind] || result.kind }), " ",
        element("span", { className: "label", text: result.label }),
        result.detail ? element("span", { className: "detail", text: result.detail }) : null);
      button.addEventListener("click", () => goToResult(map, result));
      return element("li", {}, button);
    }) : [element("li", { className: "empty", text: gettext("Nothing found.") })]));
    list.hidden = false;
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  $("#map-search").addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); run(); });
  // Links from other pages (a converted sale, a report) open the map at /map/?q=<what to find>.
  const linked = new URLSearchParams(window.location.search).get("q");
  if (linked) { input.value = linked; run({ goToOnlyResult: true }); }
}

function goToResult(map, result) {
  const layerName = SEARCH_KIND_LAYERS[result.kind];
  const summary = element("div", { className: "map-popup" },
    element("h3", { text: result.label }), result.detail ? element("p", { text: result.detail }) : null);
  if (!result.point) { // a client whose address was never located: its facts, nowhere to fly to
    summary.append(element("p", { className: "muted", text: gettext("Not on the map: no location recorded.") }));
    showDetails(summary);
    return;
  }
  const [lon, lat] = result.point;
  map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 17) });
  openPopup(map, [lon, lat], summary);
  showDetails(summary.cloneNode(true));
  if (!layerName || !layerState[layerName]) return;
  // Once there, swap the summary for the entity's own facts from its tile feature.
  map.once("moveend", () => map.once("idle", () => {
    const around = map.project([lon, lat]);
    const box = [[around.x - 8, around.y - 8], [around.x + 8, around.y + 8]];
    const feature = map.queryRenderedFeatures(box, { layers: [`${layerName}-points`] })
      .find((item) => String(item.properties.id) === String(result.id));
    if (feature) showFeature(map, feature, [lon, lat]);
  }));
}

// ---------------------------------------------------------------- polygon selection

const selection = {
  draw: null,
  finishedAt: -Infinity,
  geometry: null,
  drawing: false,
  map: null,

  setup(map) {
    if (!config.can_select) return;
    this.map = map;
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map }),
      modes: [new TerraDrawPolygonMode({
        styles: { fillColor: "#0b6e4f", fillOpacity: 0.15, outlineColor: "#0b6e4f", outlineWidth: 2 },
      })],
    });
    this.draw.start();
    this.draw.on("finish", (id, context) => {
      if (context?.action && context.action !== "draw") return;
      this.geometry = this.draw.getSnapshotFeature(id).geometry;
      this.finishedAt = performance.now();
      this.stopDrawing();
      this.run(1);
    });
    $("#selection-draw").addEventListener("click", () => (this.drawing ? this.stopDrawing() : this.startDrawing()));
    $("#selection-clear").addEventListener("click", () => this.clear());
    $("#selection-export").addEventListener("click", () => this.exportCsv());
    window.malhaDraw = this.draw;
  },

  startDrawing() {
    this.clear();
    this.drawing = true;
    popup?.remove();
    this.draw.setMode("polygon");
    $("#selection-draw").classList.add("active");
    $("#selection-draw").textContent = gettext("Cancel drawing");
  },

  // The click that closes the polygon reaches the map too: it must not open a popup.
  justFinished() {
    return performance.now() - this.finishedAt < 500;
  },

  stopDrawing() {
    this.drawing = false;
    this.draw.setMode("static");
    $("#selection-draw").classList.remove("active");
    $("#selection-draw").textContent = gettext("Draw polygon");
  },

  clear() {
    this.draw.clear();
    this.geometry = null;
    $("#selection-result").hidden = true;
    $("#selection-error").hidden = true;
    $("#selection-clear").disabled = true;
    $("#selection-export").disabled = true;
    campaignForm?.close();
  },

  // The selection counts what the map shows: the filters of the contracts layer when it is on,
  // else those of the clients layer.
  filters() {
    const layer = layerState.contracts?.visible ? layerState.contracts : layerState.clients;
    return layer || { filters: {} };
  },

  body() {
    const { status = [], plan = [] } = this.filters().filters;
    const body = { geometry: this.geometry };
    if (status.length) body.status = status;
    if (plan.length) body.plan = plan.map(Number);
    return body;
  },

  refresh() {
    if (this.geometry) this.run(1);
  },

  showError(text) {
    $("#selection-error").textContent = text;
    $("#selection-error").hidden = false;
    $("#selection-result").hidden = true;
    $("#selection-export").disabled = true;
  },

  async run(page) {
    $("#selection-clear").disabled = false;
    $("#selection-error").hidden = true;
    if (this.filters().nothingChosen) {
      this.showError(gettext("Tick at least one status and one plan in the filters to select contracts."));
      return;
    }
    const { ok, message, data } = await request(`${config.urls.selection}?page=${page}`, { method: "POST", body: this.body() });
    if (!ok) {
      this.showError(message);
      return;
    }
    this.render(data, page);
  },

  render(data, page) {
    const counts = data.counts;
    $("#selection-summary").textContent = interpolate(
      gettext("%(clients)s clients, %(contracts)s contracts in %(area)s km²"),
      { clients: formatNumber(counts.clients), contracts: formatNumber(counts.contracts),
        area: formatNumber(data.area_km2, 2) }, true);
    for (const message of data.messages || []) {
      $("#selection-summary").append(element("span", { className: "detail muted small", text: message }));
    }
    const rows = (items, key) => items.map((item) => element("tr", { "data-key": String(item[key]) },
      element("td", {}, item.status ? element("span", { className: "swatch", style: `background:${CONTRACT_COLORS[item.status] || NEUTRAL}` }) : null, " ", item.label ?? item.name),
      element("td", { text: formatNumber(item.count) })));
    $("#selection-by-status tbody").replaceChildren(...rows(counts.by_status, "status"));
    $("#selection-by-plan tbody").replaceChildren(...rows(counts.by_plan, "id"));

    $("#selection-list").replaceChildren(...(data.results.length ? data.results.map((contract) => {
      const button = element("button", { type: "button", "data-contract": String(contract.id) },
        element("span", { className: "label", text: `${contract.number} · ${contract.client_name}` }),
        element("span", { className: "detail", text: `${contract.plan_name} · ${contract.status_label}` }),
        element("span", { className: "detail", text: contract.address }));
      button.addEventListener("click", () => this.map.flyTo({ center: contract.point, zoom: 18 }));
      return element("li", {}, button);
    }) : [element("li", { className: "empty", text: gettext("No contract in this area.") })]));

    if (page === 1) this.pageSize = Math.max(data.results.length, 1);
    const pages = Math.ceil(data.count / this.pageSize);
    $("#selection-page").textContent = pages > 1 ? interpolate(gettext("page %(page)s of %(pages)s"), { page, pages }, true) : "";
    for (const [id, url, target] of [["#selection-previous", data.previous, page - 1], ["#selection-next", data.next, page + 1]]) {
      $(id).disabled = !url;
      $(id).onclick = () => this.run(target);
    }
    $("#selection-result").hidden = false;
    $("#selection-export").disabled = !counts.contracts;
    campaignForm?.selectionChanged();
  },

  async exportCsv() {
    const { ok, message, response } = await request(config.urls.selection_export, {
      method: "POST", body: this.body(), headers: { Accept: "text/csv, application/json" },
    });
    if (!ok) {
      this.showError(message);
      return;
    }
    const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "selection.csv";
    const link = element("a", { href: URL.createObjectURL(await response.blob()), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  },
};

// ---------------------------------------------------------------- live board

// Technicians move and orders change colour as `ws/fieldops/live/` reports them (fieldops.live):
// technicians are a GeoJSON source updated in place, orders keep their new status as feature
// state. A dropped socket reconnects with growing pauses; meanwhile the map polls.
const LIVE_RETRY_MS = [1000, 2000, 5000, 10000, 30000];
const LIVE_POLL_MS = 15000;

const live = {
  map: null,
  technicians: { type: "FeatureCollection", features: [] },
  byId: new Map(),
  failures: 0,
  pollTimer: null,
  messages: 0, // how many arrived, for the browser tests

  addTechnicians(map) {
    map.addSource("technicians", { type: "geojson", data: this.technicians });
    map.addLayer({
      id: "technicians-points", type: "circle", source: "technicians", layout: { visibility: "none" },
      paint: {
        "circle-color": LAYER_LOOKS.technicians.color, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 6, 18, 11],
      },
    });
  },

  async loadTechnicians() {
    const data = await fetchJson(`${config.live.technicians}?active=true&page_size=1000`);
    this.byId = new Map();
    this.technicians.features = data.features.map((feature) => {
      const id = feature.id ?? feature.properties.id;
      const where = feature.properties.last_position?.coordinates || feature.geometry.coordinates;
      const item = { type: "Feature", geometry: { type: "Point", coordinates: where }, properties: { id, name: feature.properties.name } };
      this.byId.set(id, item);
      return item;
    });
    this.map.getSource("technicians").setData(this.technicians);
  },

  connect(map) {
    this.map = map;
    this.loadTechnicians().catch((error) => console.error(error));
    this.open();
  },

  open() {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.live.socket}`);
    socket.addEventListener("open", () => {
      this.failures = 0;
      this.stopPolling();
      document.getElementById("map").dataset.live = "open";
    });
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      document.getElementById("map").dataset.live = "closed";
      this.startPolling();
      const pause = LIVE_RETRY_MS[Math.min(this.failures, LIVE_RETRY_MS.length - 1)];
      this.failures += 1;
      setTimeout(() => this.open(), pause);
    });
  },

  receive(message) {
    this.messages += 1;
    if (message.type === "position") {
      const technician = this.byId.get(message.technician);
      if (!technician) return;
      technician.geometry.coordinates = message.point;
      this.map.getSource("technicians").setData(this.technicians);
    } else if (message.type === "order") {
      this.map.setFeatureState({ source: "orders", sourceLayer: "orders", id: message.id }, { status: message.status });
      schedule?.orderChanged(message);
    }
  },

  // While the socket is down: technicians and order tiles every LIVE_POLL_MS (tiles revalidate by ETag).
  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      this.loadTechnicians().catch(() => {});
      refreshNamedLayer(this.map, "orders");
    }, LIVE_POLL_MS);
  },

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  },
};

// ---------------------------------------------------------------- start

async function start() {
  try {
    tileIndex = await fetchJson(config.urls.tiles);
  } catch (error) {
    showMessage(interpolate(gettext("The map layers could not be loaded: %s"), [error.message]));
    return;
  }
  for (const layer of tileIndex.layers) {
    layerState[layer.name] = { visible: SHOWN_AT_START.has(layer.name), filters: {} };
    for (const filter of layer.filters || []) {
      choiceLabels[`${layer.name}.${filter.name}`] = Object.fromEntries(
        filterChoices(filter).map((choice) => [String(choice.value), choice.label]));
    }
  }
  const map = new maplibregl.Map({
    container: "map",
    style: baseStyle(tileIndex, SOURCE_MAX_ZOOM),
    center: config.center,
    zoom: 13,
    maxZoom: 19,
    attributionControl: false,
  });
  window.malhaMap = map; // for the browser tests
  window.malhaLive = live;
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({
    compact: false, customAttribution: tileIndex.attribution || "© OpenStreetMap contributors",
  }));
  map.on("load", () => {
    addBoxImages(map);
    addOverlays(map);
    buildLayerSwitcher(map);
    selection.setup(map);
    if (config.campaign) {
      campaignForm = setupCampaignForm(config.campaign, { currentSelection: () => selection.body() });
    }
    if (config.schedule) {
      schedule = setupSchedule(map, config.schedule, {
        showMessage,
        setOrderFilters: (filters) => setLayerFilters(map, "orders", filters),
        refreshOrders: () => refreshNamedLayer(map, "orders"),
      });
      window.malhaSchedule = schedule; // for the browser tests
    }
    if (config.live) live.connect(map);
    if (config.plant_edit) {
      plantEdit = setupPlantEdit(map, config.plant_edit, { showMessage, closePopup: () => popup?.remove() });
    }
    map.on("click", (event) => onMapClick(map, event));
    map.on("mousemove", (event) => {
      const hit = !selection.drawing && map.queryRenderedFeatures(event.point, { layers: clickableLayerIds(map) }).length;
      map.getCanvas().style.cursor = hit ? "pointer" : "";
    });
    map.once("idle", () => { document.getElementById("map").dataset.ready = "true"; });
  });
  map.on("error", (event) => {
    // Listening to errors silences MapLibre's own console report: keep it for developers.
    console.error(event.error);
    const layer = tileIndex.layers.find((item) => item.name === event.sourceId);
    if (layer) showMessage(interpolate(gettext("The “%s” layer could not be loaded."), [layer.title]));
  });
  setupSearch(map);
}

start();
