// Scheduling mode of the dispatcher map: pick the day's open orders on the map in the order a
// technician should go, place them on the day board (drag and drop, or the "Assign" form),
// see the conflicts the server finds before saving, save the whole board at once, and run the
// optimiser for the same day to compare and accept its plan.
// Times are the operation's wall clock as the server writes them ("YYYY-MM-DDTHH:MM"): the
// board never converts them to the browser's time zone.
import * as maplibregl from "maplibre-gl";

const TECHNICIAN_COLORS = ["#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#5d4037", "#283593", "#558b2f", "#c62828"];
const SLOT_MINUTES = 30;
const SNAP_MINUTES = 15;
const CHECK_DELAY_MS = 250;
const PLAN_POLL_MS = 2000;

const minutesOf = (iso) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
const clockOf = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const wallClock = (iso) => (iso ? iso.slice(0, 16) : null);
// "OS-000042" reads "OS-42" on a card an hour wide; the card's title has the whole number.
const shortNumber = (number) => number.replace(/^([^0-9]*)0+(?=[0-9])/, "$1");

export function setupSchedule(map, config, helpers) {
  const { element, fetchJson, showMessage, setOrderFilters } = helpers;
  const $ = (selector) => document.querySelector(selector);
  const state = {
    active: false,
    technicians: [],
    orders: new Map(), // id -> the board's order
    placements: new Map(), // id -> {technician, start}
    original: new Map(), // id -> {technician, start} as loaded
    picks: [],
    report: null,
    span: [8 * 60, 18 * 60],
    plan: null,
  };
  let checkTimer = null;
  let checkTicket = 0;
  let markers = [];

  $("#schedule-date").value = config.today;

  // ------------------------------------------------------------ mode, filters, board data

  function filters() {
    const types = [...document.querySelectorAll("#schedule-types input:checked")].map((box) => box.value);
    const priority = $("#schedule-priority").value;
    return { date: $("#schedule-date").value, types, priority };
  }

  function applyMapFilters() {
    const { date, types, priority } = filters();
    setOrderFilters(state.active ? {
      status: ["open", "reopened"], date, type: types, priority: priority ? [priority] : [],
    } : null);
  }

  async function toggle() {
    state.active = !state.active;
    $("#schedule-toggle").setAttribute("aria-pressed", String(state.active));
    $("#schedule-toggle").classList.toggle("active", state.active);
    $("#schedule-tools").hidden = !state.active;
    $("#schedule-board").hidden = !state.active;
    document.querySelector(".map-wrap").classList.toggle("with-board", state.active);
    map.resize();
    applyMapFilters();
    if (state.active) await loadBoard();
    else clearMapDrawing();
  }

  async function loadBoard() {
    const { date, types, priority } = filters();
    const params = new URLSearchParams({ date });
    types.forEach((type) => params.append("type", type));
    if (priority) params.append("priority", priority);
    let data;
    try {
      data = await fetchJson(`${config.board}?${params}`);
    } catch (error) {
      boardMessage(error.message);
      return;
    }
    boardMessage("");
    state.technicians = data.technicians;
    state.orders = new Map(data.orders.map((order) => [order.id, order]));
    state.placements = new Map();
    state.original = new Map();
    for (const order of data.orders) {
      if (order.assignee && order.scheduled_start && order.movable) {
        const placed = { technician: order.assignee, start: wallClock(order.scheduled_start) };
        state.placements.set(order.id, placed);
        state.original.set(order.id, { ...placed });
      }
    }
    state.picks = [];
    state.report = null;
    const shifts = data.technicians.flatMap((t) => [minutesOf(`0000-00-00T${t.shift_start}`), minutesOf(`0000-00-00T${t.shift_end}`)]);
    state.span = shifts.length ? [Math.min(...shifts), Math.max(...shifts)] : [8 * 60, 18 * 60];
    $("#board-title").textContent = interpolate(gettext("Day board, %s"), [new Date(`${date}T12:00`).toLocaleDateString(document.documentElement.lang || "pt-BR")]);
    fillTechnicianSelects();
    render();
    check();
  }

  function fillTechnicianSelects() {
    for (const select of [$("#schedule-sequence-technician"), $("#board-assign-technician")]) {
      select.replaceChildren(...state.technicians.map((t) => element("option", { value: String(t.id), text: t.name })));
    }
  }

  const colorOf = (technicianId) => {
    const index = state.technicians.findIndex((t) => t.id === technicianId);
    return TECHNICIAN_COLORS[(index < 0 ? 0 : index) % TECHNICIAN_COLORS.length];
  };

  // ------------------------------------------------------------ picking on the map

  function pick(orderId) {
    const order = state.orders.get(orderId);
    if (!order || !order.movable) {
      boardMessage(gettext("This order cannot be scheduled on this day: choose an open or reopened order of the day."));
      return;
    }
    boardMessage("");
    const at = state.picks.indexOf(orderId);
    if (at >= 0) state.picks.splice(at, 1);
    else state.picks.push(orderId);
    render();
  }

  function renderPicks() {
    $("#schedule-picks").replaceChildren(...state.picks.map((id, index) => {
      const order = state.orders.get(id);
      const remove = element("button", { type: "button", className: "link", "aria-label": interpolate(gettext("Remove %s"), [order.number]), text: "×" });
      remove.addEventListener("click", () => pick(id));
      return element("li", { "data-order": String(id) },
        element("span", { className: "pick-number", text: String(index + 1) }), " ",
        element("span", { text: `${order.number} · ${order.type_label} · ${order.client}` }), " ", remove);
    }));
    $("#schedule-assign-sequence").disabled = !state.picks.length || !state.technicians.length;
    $("#schedule-clear-picks").disabled = !state.picks.length;
  }

  // The picked orders go to the technician in the order they were clicked, after the stops they
  // already have; the server fills in each start from the drive (the check below).
  function assignSequence() {
    const technician = Number($("#schedule-sequence-technician").value);
    for (const id of state.picks) state.placements.set(id, { technician, start: null });
    state.picks = [];
    render();
    check();
  }

  // ------------------------------------------------------------ the board

  function placementOf(order) {
    if (state.placements.has(order.id)) return state.placements.get(order.id);
    if (!order.movable && order.assignee && order.scheduled_start) return { technician: order.assignee, start: wallClock(order.scheduled_start) };
    return null;
  }

  const reportLine = (orderId) => state.report?.orders.find((line) => line.order === orderId);
  const conflictsOf = (orderId) => reportLine(orderId)?.conflicts || [];

  function sequenceOf(orderId) {
    for (const day of state.report?.technicians || []) {
      const at = day.stops.indexOf(orderId);
      if (at >= 0) return at + 1;
    }
    return null;
  }

  function card(order, { number, placed }) {
    const conflicts = conflictsOf(order.id);
    const severity = conflicts.some((c) => c.severity === "error") ? "error" : conflicts.length ? "warning" : "";
    const classes = ["board-card", severity && `conflict-${severity}`, order.movable ? "" : "fixed"].filter(Boolean).join(" ");
    const window = `${order.window_start.slice(11, 16)}–${order.window_end.slice(11, 16)}`;
    const line = reportLine(order.id);
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
      node.style.setProperty("--technician", colorOf(placed.technician));
      node.style.setProperty("--lane", String(placed.lane || 0));
    }
    if (order.movable) {
      node.addEventListener("dragstart", (event) => {
        event.dataTransfer.setData("text/plain", String(order.id));
        event.dataTransfer.effectAllowed = "move";
      });
      const assign = element("button", { type: "button", className: "card-assign", text: "⋯",
        "aria-label": interpolate(gettext("Assign %s to…"), [order.number]) });
      assign.addEventListener("click", () => openAssign(order));
      node.append(assign);
    }
    return node;
  }

  function dropTarget(node, technician) {
    node.addEventListener("dragover", (event) => { event.preventDefault(); node.classList.add("drop-here"); });
    node.addEventListener("dragleave", () => node.classList.remove("drop-here"));
    node.addEventListener("drop", (event) => {
      event.preventDefault();
      node.classList.remove("drop-here");
      const id = Number(event.dataTransfer.getData("text/plain"));
      if (!state.orders.has(id)) return;
      if (technician === null) {
        unplace(id);
        return;
      }
      const rect = node.getBoundingClientRect();
      const [from, to] = state.span;
      const raw = from + ((event.clientX - rect.left) / rect.width) * (to - from);
      const minutes = Math.min(Math.max(Math.round(raw / SNAP_MINUTES) * SNAP_MINUTES, from), to - SNAP_MINUTES);
      place(id, technician, `${$("#schedule-date").value}T${clockOf(minutes)}`);
    });
  }

  function place(id, technician, start) {
    state.placements.set(id, { technician, start });
    state.picks = state.picks.filter((pickId) => pickId !== id);
    render();
    check();
  }

  function unplace(id) {
    if (state.original.has(id)) state.placements.set(id, { technician: null, start: null });
    else state.placements.delete(id);
    render();
    check();
  }

  function render() {
    renderPicks();
    const grid = $("#board-grid");
    const [from, to] = state.span;
    const slots = Math.max(1, Math.round((to - from) / SLOT_MINUTES));
    const header = element("div", { className: "board-row board-hours" }, element("div", { className: "board-name" }));
    const hours = element("div", { className: "board-timeline" });
    for (let minutes = Math.ceil(from / 60) * 60; minutes < to; minutes += 60) {
      const label = element("span", { text: clockOf(minutes) });
      label.style.left = `${(100 * (minutes - from)) / (to - from)}%`;
      hours.append(label);
    }
    header.append(hours);
    const rows = [header];
    for (const technician of state.technicians) {
      const timeline = element("div", { className: "board-timeline", "data-technician": String(technician.id) });
      timeline.style.setProperty("--slots", String(slots));
      const [shiftFrom, shiftTo] = [technician.shift_start, technician.shift_end].map((time) => minutesOf(`0000-00-00T${time}`));
      timeline.style.setProperty("--shift-from", `${(100 * (shiftFrom - from)) / (to - from)}%`);
      timeline.style.setProperty("--shift-to", `${(100 * (shiftTo - from)) / (to - from)}%`);
      dropTarget(timeline, technician.id);
      // Overlapping orders (a conflict) go in lanes one under the other, so each stays readable.
      const placedHere = [...state.orders.values()]
        .map((order) => [order, placementOf(order)])
        .filter(([, placed]) => placed?.technician === technician.id && placed.start)
        .sort(([, a], [, b]) => a.start.localeCompare(b.start));
      const laneEnds = [];
      for (const [order, placed] of placedHere) {
        const start = minutesOf(placed.start);
        let lane = laneEnds.findIndex((end) => end <= start);
        if (lane < 0) lane = laneEnds.length;
        laneEnds[lane] = start + order.estimated_minutes;
        timeline.append(card(order, { number: sequenceOf(order.id), placed: { ...placed, lane } }));
      }
      timeline.style.setProperty("--lanes", String(Math.max(1, laneEnds.length)));
      const day = state.report?.technicians.find((line) => line.technician === technician.id);
      const name = element("div", { className: "board-name" },
        element("span", { className: "swatch", style: `background:${colorOf(technician.id)}` }), " ",
        element("span", { text: technician.name }),
        day ? element("span", { className: "muted small", text: interpolate(gettext("%(km)s km · %(minutes)s min driving"),
          { km: day.km, minutes: Math.round(day.driving_hours * 60) }, true) }) : null);
      rows.push(element("div", { className: "board-row", "data-technician-row": String(technician.id) }, name, timeline));
    }
    // Picked orders (numbered) and those waiting for a time, to drag onto a row.
    const pool = element("div", { className: "board-timeline board-pool", "data-technician": "" });
    dropTarget(pool, null);
    const waiting = [...state.picks, ...[...state.placements].filter(([, p]) => p.technician && !p.start).map(([id]) => id)];
    waiting.forEach((id, index) => pool.append(card(state.orders.get(id), { number: index < state.picks.length ? index + 1 : null })));
    for (const [id, placed] of state.placements) {
      if (placed.technician === null) pool.append(card(state.orders.get(id), {}));
    }
    if (!pool.children.length) pool.append(element("span", { className: "muted small", text: gettext("Click orders on the map to pick them; drag them here to take them off the board.") }));
    rows.push(element("div", { className: "board-row" }, element("div", { className: "board-name", text: gettext("Not placed") }), pool));
    grid.replaceChildren(...rows);
    Object.assign(grid.dataset, { from: String(from), to: String(to) }); // the rows' time span, in minutes
    renderConflicts();
    drawMarkers();
  }

  function renderConflicts() {
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
    $("#board-save").disabled = !report || report.errors > 0 || !changes().length;
  }

  // ------------------------------------------------------------ the map: numbered stops and routes

  function drawMarkers() {
    markers.forEach((marker) => marker.remove());
    markers = [];
    const add = (order, label, color, className) => {
      const node = element("div", { className: `schedule-marker ${className}`, "data-order": String(order.id), text: String(label) });
      node.style.background = color;
      markers.push(new maplibregl.Marker({ element: node }).setLngLat(order.point).addTo(map));
    };
    if (!state.active) return;
    state.picks.forEach((id, index) => add(state.orders.get(id), index + 1, "#37474f", "pick"));
    for (const order of state.orders.values()) {
      const placed = placementOf(order);
      const number = sequenceOf(order.id);
      if (placed?.technician && number) add(order, number, colorOf(placed.technician), "placed");
    }
  }

  function drawRoutes(collection) {
    const data = collection || { type: "FeatureCollection", features: [] };
    for (const feature of data.features) feature.properties.color = colorOf(feature.properties.technician);
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

  function clearMapDrawing() {
    state.picks = [];
    markers.forEach((marker) => marker.remove());
    markers = [];
    drawRoutes(null);
  }

  // ------------------------------------------------------------ check and save

  function boardPlacements() {
    return [...state.placements].map(([id, placed]) => ({
      order: id, version: state.orders.get(id).version, technician: placed.technician, scheduled_start: placed.start,
    }));
  }

  function changes() {
    return [...state.placements].filter(([id, placed]) => {
      const before = state.original.get(id);
      return !before || before.technician !== placed.technician || before.start !== placed.start;
    }).map(([id]) => id);
  }

  function check() {
    clearTimeout(checkTimer);
    $("#schedule-board").dataset.checking = "true"; // until the answer is drawn
    checkTimer = setTimeout(runCheck, CHECK_DELAY_MS);
  }

  async function runCheck() {
    const ticket = ++checkTicket;
    const placements = boardPlacements();
    let report = null;
    if (placements.length) {
      try {
        report = await fetchJson(config.check, postOptions({ date: $("#schedule-date").value, placements }));
      } catch (error) {
        if (ticket === checkTicket) boardMessage(error.message);
        delete $("#schedule-board").dataset.checking;
        return;
      }
    }
    if (ticket !== checkTicket) return; // a newer board is being checked
    boardMessage("");
    state.report = report;
    // Starts the server filled in become the board's own, so what is saved is what was shown.
    for (const line of report?.orders || []) {
      const placed = state.placements.get(line.order);
      if (placed && placed.technician && !placed.start) placed.start = wallClock(line.scheduled_start);
    }
    drawRoutes(report?.routes);
    render();
    delete $("#schedule-board").dataset.checking;
  }

  function postOptions(body) {
    return { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": helpers.csrfToken }, body: JSON.stringify(body) };
  }

  async function save() {
    const changed = new Set(changes());
    const placements = boardPlacements().filter((placement) => changed.has(placement.order));
    $("#board-save").disabled = true;
    try {
      await fetchJson(config.apply, postOptions({ date: $("#schedule-date").value, placements }));
    } catch (error) {
      boardMessage(error.message);
      $("#board-save").disabled = false;
      return;
    }
    showMessage(interpolate(ngettext("Saved: %s order scheduled.", "Saved: %s orders scheduled.", placements.length), [placements.length]));
    helpers.refreshOrders();
    await loadBoard();
  }

  function boardMessage(text) {
    $("#board-message").textContent = text || "";
    $("#board-message").hidden = !text;
  }

  // ------------------------------------------------------------ the "Assign" form (keyboard and tests)

  let assigning = null;
  function openAssign(order) {
    assigning = order;
    const placed = state.placements.get(order.id);
    $("#board-assign-title").textContent = interpolate(gettext("Assign %s"), [order.number]);
    if (placed?.technician) $("#board-assign-technician").value = String(placed.technician);
    $("#board-assign-time").value = placed?.start ? placed.start.slice(11, 16) : order.window_start.slice(11, 16);
    $("#board-assign").hidden = false;
    $("#board-assign-technician").focus();
  }

  $("#board-assign").addEventListener("submit", (event) => {
    event.preventDefault();
    const time = $("#board-assign-time").value;
    if (!assigning || !time) return;
    place(assigning.id, Number($("#board-assign-technician").value), `${$("#schedule-date").value}T${time}`);
    $("#board-assign").hidden = true;
  });
  $("#board-assign-unplace").addEventListener("click", () => { unplace(assigning.id); $("#board-assign").hidden = true; });
  $("#board-assign-cancel").addEventListener("click", () => { $("#board-assign").hidden = true; });

  // ------------------------------------------------------------ the optimiser

  const planUrl = (template, id) => template.replace("{id}", id);

  async function optimise() {
    $("#schedule-compare").hidden = true;
    progress(gettext("Asking the optimiser…"));
    $("#schedule-optimise").disabled = true;
    let plan;
    try {
      plan = await fetchJson(config.plans, postOptions({
        date: $("#schedule-date").value, time_budget_s: Number($("#schedule-optimise-seconds").value),
      }));
    } catch (error) {
      progress(error.message);
      $("#schedule-optimise").disabled = false;
      return;
    }
    state.plan = plan.id;
    follow(plan.id);
  }

  function progress(text) {
    $("#schedule-optimise-progress").textContent = text;
    $("#schedule-optimise-progress").hidden = !text;
  }

  // Progress over the WebSocket; if it cannot open (or drops), poll the plan instead.
  function follow(id) {
    let finished = false;
    let pollTimer = null;
    const done = () => { finished = true; clearTimeout(pollTimer); showPlan(id); };
    const poll = async () => {
      if (finished) return;
      try {
        const plan = await fetchJson(planUrl(config.plan, id));
        $("#schedule-optimise-progress").dataset.via = "polling";
        if (!["queued", "solving"].includes(plan.status)) { done(); return; }
        progress(interpolate(gettext("Optimising… (%s)"), [plan.status_label]));
      } catch (error) {
        progress(error.message);
      }
      pollTimer = setTimeout(poll, PLAN_POLL_MS);
    };
    let socket;
    try {
      socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${planUrl(config.plan_socket, id)}`);
    } catch (error) {
      poll();
      return;
    }
    socket.addEventListener("message", (event) => {
      $("#schedule-optimise-progress").dataset.via = "socket";
      const message = JSON.parse(event.data);
      if (message.type === "progress") {
        progress(interpolate(gettext("Optimising… %(elapsed)s s, %(served)s orders served, %(unassigned)s left out"),
          { elapsed: message.elapsed_s, served: message.served, unassigned: message.unassigned }, true));
      } else if (message.type === "done") {
        socket.close();
        done();
      }
    });
    socket.addEventListener("close", () => { if (!finished) poll(); });
  }

  async function showPlan(id) {
    $("#schedule-optimise").disabled = false;
    const plan = await fetchJson(planUrl(config.plan, id));
    if (plan.status !== "solved") {
      progress(plan.error_message || interpolate(gettext("The optimiser ended: %s."), [plan.status_label]));
      return;
    }
    progress(gettext("The optimiser's plan is ready: compare it with the board."));
    const current = state.report?.totals || { km: 0, driving_hours: 0, lateness_minutes: 0, unassigned: [...state.orders.values()].filter((o) => o.movable && !o.assignee).length };
    const rows = [
      [gettext("Distance (km)"), current.km, plan.totals.km],
      [gettext("Driving (h)"), current.driving_hours, plan.totals.driving_hours],
      [gettext("Lateness (min)"), current.lateness_minutes, plan.totals.lateness_minutes],
      [gettext("Not scheduled"), current.unassigned, plan.totals.unassigned],
    ];
    $("#schedule-compare tbody").replaceChildren(...rows.map(([label, board, optimiser]) => element("tr", {},
      element("th", { text: label }), element("td", { text: String(board) }),
      element("td", { className: optimiser < board ? "better" : optimiser > board ? "worse" : "", text: String(optimiser) }))));
    $("#schedule-compare").hidden = false;
    const lines = await fetchJson(planUrl(config.plan_geojson, id));
    const routes = lines.features.filter((feature) => feature.properties.kind === "route");
    routes.forEach((feature) => { feature.properties.kind = "plan"; });
    drawRoutes({ type: "FeatureCollection", features: [...(state.report?.routes.features || []), ...routes] });
  }

  async function decide(action) {
    const url = planUrl(action === "accept" ? config.plan_accept : config.plan_discard, state.plan);
    try {
      await fetchJson(url, postOptions({}));
    } catch (error) {
      progress(error.message);
      return;
    }
    $("#schedule-compare").hidden = true;
    progress(action === "accept" ? gettext("The optimiser's plan was accepted.") : gettext("The optimiser's plan was discarded."));
    state.plan = null;
    if (action === "accept") helpers.refreshOrders();
    await loadBoard();
  }

  // ------------------------------------------------------------ wiring

  $("#schedule-toggle").addEventListener("click", toggle);
  for (const control of ["#schedule-date", "#schedule-types", "#schedule-priority"]) {
    $(control).addEventListener("change", () => { applyMapFilters(); loadBoard(); });
  }
  $("#schedule-assign-sequence").addEventListener("click", assignSequence);
  $("#schedule-clear-picks").addEventListener("click", () => { state.picks = []; render(); });
  $("#board-save").addEventListener("click", save);
  $("#board-reload").addEventListener("click", loadBoard);
  $("#schedule-optimise").addEventListener("click", optimise);
  $("#schedule-plan-accept").addEventListener("click", () => decide("accept"));
  $("#schedule-plan-discard").addEventListener("click", () => decide("discard"));

  return {
    capturesClicks: () => state.active,
    pick,
    // A live order change: an order on the board moved on elsewhere, so its version is stale.
    orderChanged(message) {
      const order = state.orders.get(message.id);
      if (state.active && order && order.version !== message.version) {
        boardMessage(interpolate(gettext("Order %s was changed elsewhere: reload the board before saving."), [order.number]));
      }
    },
  };
}
