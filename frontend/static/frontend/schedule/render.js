// Drawing the day board from its state: the picks list, a timeline per technician with its
// cards, the pool of orders not placed, the conflicts and totals, the numbered stops and
// routes on the map, and the optimiser's comparison. `actions` are the board's handlers
// (pick, place, unplace, openAssign) that the cards and rows call back.
import * as maplibregl from "maplibre-gl";
import { $, element } from "../dom.js";
import { formatDate } from "../format.js";
import {
  SLOT_MINUTES, changes, clockOf, colorOf, conflictsOf, minuteAt, minutesOf, placementOf, poolOrders,
  reportLine, sequenceOf, shiftMinutes, shortNumber, technicianLanes,
} from "./state.js";

export function boardMessage(text) {
  $("#board-message").textContent = text || "";
  $("#board-message").hidden = !text;
}

export function progress(text) {
  $("#schedule-optimise-progress").textContent = text;
  $("#schedule-optimise-progress").hidden = !text;
}

export function showMode(active) {
  $("#schedule-toggle").setAttribute("aria-pressed", String(active));
  $("#schedule-toggle").classList.toggle("active", active);
  $("#schedule-tools").hidden = !active;
  $("#schedule-board").hidden = !active;
  document.querySelector(".map-wrap").classList.toggle("with-board", active);
}

export function showBoardTitle(date) {
  $("#board-title").textContent = interpolate(gettext("Day board, %s"), [formatDate(date)]);
}

export function fillTechnicianSelects(state) {
  for (const select of [$("#schedule-sequence-technician"), $("#board-assign-technician")]) {
    select.replaceChildren(...state.technicians.map((t) => element("option", { value: String(t.id), text: t.name })));
  }
}

function renderPicks(state, actions) {
  $("#schedule-picks").replaceChildren(...state.picks.map((id, index) => {
    const order = state.orders.get(id);
    const remove = element("button", { type: "button", className: "link", "aria-label": interpolate(gettext("Remove %s"), [order.number]), text: "×" });
    remove.addEventListener("click", () => actions.pick(id));
    return element("li", { "data-order": String(id) },
      element("span", { className: "pick-number", text: String(index + 1) }), " ",
      element("span", { text: `${order.number} · ${order.type_label} · ${order.client}` }), " ", remove);
  }));
  $("#schedule-assign-sequence").disabled = !state.picks.length || !state.technicians.length;
  $("#schedule-clear-picks").disabled = !state.picks.length;
}

function card(state, actions, order, { number, placed }) {
  const conflicts = conflictsOf(state, order.id);
  const severity = conflicts.some((c) => c.severity === "error") ? "error" : conflicts.length ? "warning" : "";
  const classes = ["board-card", severity && `conflict-${severity}`, order.movable ? "" : "fixed"].filter(Boolean).join(" ");
  const window = `${order.window_start.slice(11, 16)}–${order.window_end.slice(11, 16)}`;
  const line = reportLine(state, order.id);
  const eta = line?.eta && interpolate(gettext("Arrives %(eta)s after %(minutes)s min driving (%(km)s km)"),
    { eta: line.eta.slice(11, 16), minutes: Math.round(line.travel_minutes), km: line.travel_km }, true);
  const title = [`${order.number} · ${order.type_label} · ${order.client}`, `${gettext("Window")} ${window}`,
    eta, ...conflicts.map((c) => c.message)].filter(Boolean).join("\n");
  const node = element("div", { className: classes, "data-order": String(order.id), title, draggable: order.movable ? "true" : "false" },
    number ? element("span", { className: "card-number", text: String(number) }) : null,
    element("span", { className: "card-label", text: shortNumber(order.number) }));
  if (placed) {
    const [from, to] = state.span;
    const start = minutesOf(placed.start) - from;
    node.style.left = `${(100 * start) / (to - from)}%`;
    node.style.width = `${(100 * order.estimated_minutes) / (to - from)}%`;
    node.style.setProperty("--technician", colorOf(state, placed.technician));
    node.style.setProperty("--lane", String(placed.lane || 0));
  }
  if (order.movable) {
    node.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/plain", String(order.id));
      event.dataTransfer.effectAllowed = "move";
    });
    const assign = element("button", { type: "button", className: "card-assign", text: "⋯",
      "aria-label": interpolate(gettext("Assign %s to…"), [order.number]) });
    assign.addEventListener("click", () => actions.openAssign(order));
    node.append(assign);
  }
  return node;
}

// A row that takes dropped cards: a technician's timeline (placed at the snapped minute under
// the pointer), or the pool (technician null: off the board).
function dropTarget(state, actions, node, technician) {
  node.addEventListener("dragover", (event) => { event.preventDefault(); node.classList.add("drop-here"); });
  node.addEventListener("dragleave", () => node.classList.remove("drop-here"));
  node.addEventListener("drop", (event) => {
    event.preventDefault();
    node.classList.remove("drop-here");
    const id = Number(event.dataTransfer.getData("text/plain"));
    if (!state.orders.has(id)) return;
    if (technician === null) {
      actions.unplace(id);
      return;
    }
    const rect = node.getBoundingClientRect();
    const minutes = minuteAt(state, (event.clientX - rect.left) / rect.width);
    actions.place(id, technician, `${$("#schedule-date").value}T${clockOf(minutes)}`);
  });
}

function hoursRow(state) {
  const [from, to] = state.span;
  const hours = element("div", { className: "board-timeline" });
  for (let minutes = Math.ceil(from / 60) * 60; minutes < to; minutes += 60) {
    const label = element("span", { text: clockOf(minutes) });
    label.style.left = `${(100 * (minutes - from)) / (to - from)}%`;
    hours.append(label);
  }
  return element("div", { className: "board-row board-hours" }, element("div", { className: "board-name" }), hours);
}

function technicianRow(state, actions, technician) {
  const [from, to] = state.span;
  const timeline = element("div", { className: "board-timeline", "data-technician": String(technician.id) });
  timeline.style.setProperty("--slots", String(Math.max(1, Math.round((to - from) / SLOT_MINUTES))));
  const [shiftFrom, shiftTo] = [technician.shift_start, technician.shift_end].map(shiftMinutes);
  timeline.style.setProperty("--shift-from", `${(100 * (shiftFrom - from)) / (to - from)}%`);
  timeline.style.setProperty("--shift-to", `${(100 * (shiftTo - from)) / (to - from)}%`);
  dropTarget(state, actions, timeline, technician.id);
  const { placed, lanes } = technicianLanes(state, technician.id);
  for (const [order, placement] of placed) {
    timeline.append(card(state, actions, order, { number: sequenceOf(state, order.id), placed: placement }));
  }
  timeline.style.setProperty("--lanes", String(lanes));
  const day = state.report?.technicians.find((line) => line.technician === technician.id);
  const name = element("div", { className: "board-name" },
    element("span", { className: "swatch", style: `background:${colorOf(state, technician.id)}` }), " ",
    element("span", { text: technician.name }),
    day ? element("span", { className: "muted small", text: interpolate(gettext("%(km)s km · %(minutes)s min driving"),
      { km: day.km, minutes: Math.round(day.driving_hours * 60) }, true) }) : null);
  return element("div", { className: "board-row", "data-technician-row": String(technician.id) }, name, timeline);
}

// Picked orders (numbered) and those waiting for a time, to drag onto a row.
function poolRow(state, actions) {
  const pool = element("div", { className: "board-timeline board-pool", "data-technician": "" });
  dropTarget(state, actions, pool, null);
  for (const [order, number] of poolOrders(state)) pool.append(card(state, actions, order, { number }));
  if (!pool.children.length) pool.append(element("span", { className: "muted small", text: gettext("Click orders on the map to pick them; drag them here to take them off the board.") }));
  return element("div", { className: "board-row" }, element("div", { className: "board-name", text: gettext("Not placed") }), pool);
}

function renderConflicts(state) {
  const report = state.report;
  const lines = (report?.orders || []).flatMap((line) => line.conflicts.map((conflict) =>
    element("li", { className: `conflict-${conflict.severity}`, "data-order": String(line.order), "data-kind": conflict.kind },
      element("strong", { text: line.number }), " ", conflict.message)));
  $("#board-conflicts").replaceChildren(...lines);
  const status = $("#board-status");
  if (!report) status.textContent = "";
  else if (report.errors) status.textContent = interpolate(ngettext("%s conflict to fix before saving", "%s conflicts to fix before saving", report.errors), [report.errors]);
  else if (report.warnings) status.textContent = interpolate(ngettext("No conflicts; %s warning", "No conflicts; %s warnings", report.warnings), [report.warnings]);
  else status.textContent = gettext("No conflicts");
  status.className = `board-status ${report?.errors ? "has-errors" : ""}`;
  if (report) {
    const t = report.totals;
    $("#board-totals").textContent = interpolate(gettext("%(km)s km · %(hours)s h driving · %(late)s min late · %(unassigned)s not scheduled"),
      { km: t.km, hours: t.driving_hours, late: t.lateness_minutes, unassigned: t.unassigned }, true);
  }
  $("#board-save").disabled = !report || report.errors > 0 || !changes(state).length;
}

// The picks, the board's rows and its conflicts; the map's markers are drawn by `mapDrawing`.
export function renderBoard(state, actions) {
  renderPicks(state, actions);
  const grid = $("#board-grid");
  const [from, to] = state.span;
  grid.replaceChildren(hoursRow(state), ...state.technicians.map((technician) => technicianRow(state, actions, technician)),
    poolRow(state, actions));
  Object.assign(grid.dataset, { from: String(from), to: String(to) }); // the rows' time span, in minutes
  renderConflicts(state);
}

// The optimiser's totals beside the board's, the better of each in its own colour.
export function renderComparison(current, planTotals) {
  const rows = [
    [gettext("Distance (km)"), current.km, planTotals.km],
    [gettext("Driving (h)"), current.driving_hours, planTotals.driving_hours],
    [gettext("Lateness (min)"), current.lateness_minutes, planTotals.lateness_minutes],
    [gettext("Not scheduled"), current.unassigned, planTotals.unassigned],
  ];
  $("#schedule-compare tbody").replaceChildren(...rows.map(([label, board, optimiser]) => element("tr", {},
    element("th", { text: label }), element("td", { text: String(board) }),
    element("td", { className: optimiser < board ? "better" : optimiser > board ? "worse" : "", text: String(optimiser) }))));
  $("#schedule-compare").hidden = false;
}

// The map's side of the board: numbered stops (picks, placed orders) and the routes.
export function mapDrawing(map) {
  let markers = [];
  const clearMarkers = () => {
    markers.forEach((marker) => marker.remove());
    markers = [];
  };

  function drawMarkers(state) {
    clearMarkers();
    const add = (order, label, color, className) => {
      const node = element("div", { className: `schedule-marker ${className}`, "data-order": String(order.id), text: String(label) });
      node.style.background = color;
      markers.push(new maplibregl.Marker({ element: node }).setLngLat(order.point).addTo(map));
    };
    if (!state.active) return;
    state.picks.forEach((id, index) => add(state.orders.get(id), index + 1, "#37474f", "pick"));
    for (const order of state.orders.values()) {
      const placed = placementOf(state, order);
      const number = sequenceOf(state, order.id);
      if (placed?.technician && number) add(order, number, colorOf(state, placed.technician), "placed");
    }
  }

  function drawRoutes(state, collection) {
    const data = collection || { type: "FeatureCollection", features: [] };
    for (const feature of data.features) feature.properties.color = colorOf(state, feature.properties.technician);
    const source = map.getSource("schedule-routes");
    if (source) {
      source.setData(data);
      return;
    }
    map.addSource("schedule-routes", { type: "geojson", data });
    const isPlan = ["==", ["get", "kind"], "plan"];
    const look = { type: "line", source: "schedule-routes", layout: { "line-join": "round", "line-cap": "round" } };
    map.addLayer({ id: "schedule-routes", ...look, filter: ["!", isPlan],
      paint: { "line-color": ["coalesce", ["get", "color"], "#1565c0"], "line-width": 4, "line-opacity": 0.8 } });
    // The optimiser's proposal, dashed, to compare with the board's routes.
    map.addLayer({ id: "schedule-plan-routes", ...look, filter: isPlan,
      paint: { "line-color": ["coalesce", ["get", "color"], "#1565c0"], "line-width": 3, "line-dasharray": [1, 1.5] } });
  }

  function clear(state) {
    clearMarkers();
    drawRoutes(state, null);
  }

  return { drawMarkers, drawRoutes, clear };
}
