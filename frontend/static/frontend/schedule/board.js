// Scheduling mode of the dispatcher map: pick the day's open orders on the map in the order a
// technician should go, place them on the day board (drag and drop, or the "Assign" form),
// see the conflicts the server finds before saving, save the whole board at once, and run the
// optimiser for the same day to compare and accept its plan. This module wires the pieces:
// state.js (the board and its rules), render.js (the DOM and the map), api.js (the server).
import { $ } from "../dom.js";
import { scheduleApi } from "./api.js";
import {
  boardMessage, fillTechnicianSelects, mapDrawing, progress, renderBoard, renderComparison, showBoardTitle, showMode,
} from "./render.js";
import * as board from "./state.js";

const CHECK_DELAY_MS = 250;
const PLAN_POLL_MS = 2000;

/**
 * `helpers` are the map page's: showMessage(text), setOrderFilters(filters|null) and
 * refreshOrders(). Returns what the map page asks of the board.
 */
export function setupSchedule(map, config, helpers) {
  const { showMessage, setOrderFilters, refreshOrders } = helpers;
  const api = scheduleApi(config);
  const state = board.createState();
  const drawing = mapDrawing(map);
  let checkTimer = null;
  let checkTicket = 0;

  $("#schedule-date").value = config.today;
  const day = () => $("#schedule-date").value;

  // ------------------------------------------------------------ mode, filters, board data

  function filters() {
    const types = [...document.querySelectorAll("#schedule-types input:checked")].map((box) => box.value);
    return { date: day(), types, priority: $("#schedule-priority").value };
  }

  function applyMapFilters() {
    const { date, types, priority } = filters();
    setOrderFilters(state.active ? {
      status: ["open", "reopened"], date, type: types, priority: priority ? [priority] : [],
    } : null);
  }

  async function toggle() {
    state.active = !state.active;
    showMode(state.active);
    map.resize();
    applyMapFilters();
    if (state.active) {
      await loadBoard();
    } else {
      state.picks = [];
      drawing.clear(state);
    }
  }

  async function loadBoard() {
    let data;
    try {
      data = await api.board(filters());
    } catch (error) {
      boardMessage(error.message);
      return;
    }
    boardMessage("");
    board.loadBoard(state, data);
    showBoardTitle(day());
    fillTechnicianSelects(state);
    render();
    check();
  }

  function render() {
    renderBoard(state, actions);
    drawing.drawMarkers(state);
  }

  // ------------------------------------------------------------ changing the board

  const actions = {
    pick(orderId) {
      if (!board.togglePick(state, orderId)) {
        boardMessage(gettext("This order cannot be scheduled on this day: choose an open or reopened order of the day."));
        return;
      }
      boardMessage("");
      render();
    },
    place(id, technician, start) {
      board.place(state, id, technician, start);
      render();
      check();
    },
    unplace(id) {
      board.unplace(state, id);
      render();
      check();
    },
    openAssign,
  };

  function assignSequence() {
    board.assignPicks(state, Number($("#schedule-sequence-technician").value));
    render();
    check();
  }

  // ------------------------------------------------------------ check and save

  function check() {
    clearTimeout(checkTimer);
    $("#schedule-board").dataset.checking = "true"; // until the answer is drawn
    checkTimer = setTimeout(runCheck, CHECK_DELAY_MS);
  }

  async function runCheck() {
    const ticket = ++checkTicket;
    const placements = board.boardPlacements(state);
    let report = null;
    if (placements.length) {
      try {
        report = await api.check(day(), placements);
      } catch (error) {
        if (ticket === checkTicket) boardMessage(error.message);
        delete $("#schedule-board").dataset.checking;
        return;
      }
    }
    if (ticket !== checkTicket) return; // a newer board is being checked
    boardMessage("");
    board.applyReport(state, report);
    drawing.drawRoutes(state, report?.routes);
    render();
    delete $("#schedule-board").dataset.checking;
  }

  async function save() {
    const changed = new Set(board.changes(state));
    const placements = board.boardPlacements(state).filter((placement) => changed.has(placement.order));
    $("#board-save").disabled = true;
    try {
      await api.apply(day(), placements);
    } catch (error) {
      boardMessage(error.message);
      $("#board-save").disabled = false;
      return;
    }
    showMessage(interpolate(ngettext("Saved: %s order scheduled.", "Saved: %s orders scheduled.", placements.length), [placements.length]));
    refreshOrders();
    await loadBoard();
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
    actions.place(assigning.id, Number($("#board-assign-technician").value), `${day()}T${time}`);
    $("#board-assign").hidden = true;
  });
  $("#board-assign-unplace").addEventListener("click", () => { actions.unplace(assigning.id); $("#board-assign").hidden = true; });
  $("#board-assign-cancel").addEventListener("click", () => { $("#board-assign").hidden = true; });

  // ------------------------------------------------------------ the optimiser

  async function optimise() {
    $("#schedule-compare").hidden = true;
    progress(gettext("Asking the optimiser…"));
    $("#schedule-optimise").disabled = true;
    let plan;
    try {
      plan = await api.optimise(day(), Number($("#schedule-optimise-seconds").value));
    } catch (error) {
      progress(error.message);
      $("#schedule-optimise").disabled = false;
      return;
    }
    state.plan = plan.id;
    follow(plan.id);
  }

  // Progress over the WebSocket; if it cannot open (or drops), poll the plan instead.
  function follow(id) {
    let finished = false;
    let pollTimer = null;
    const done = () => { finished = true; clearTimeout(pollTimer); showPlan(id); };
    const poll = async () => {
      if (finished) return;
      try {
        const plan = await api.plan(id);
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
      socket = api.planSocket(id);
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
    const plan = await api.plan(id);
    if (plan.status !== "solved") {
      progress(plan.error_message || interpolate(gettext("The optimiser ended: %s."), [plan.status_label]));
      return;
    }
    progress(gettext("The optimiser's plan is ready: compare it with the board."));
    renderComparison(board.boardTotals(state), plan.totals);
    const lines = await api.planRoutes(id);
    const routes = lines.features.filter((feature) => feature.properties.kind === "route");
    routes.forEach((feature) => { feature.properties.kind = "plan"; });
    drawing.drawRoutes(state, { type: "FeatureCollection", features: [...(state.report?.routes.features || []), ...routes] });
  }

  async function decide(action) {
    try {
      await (action === "accept" ? api.accept(state.plan) : api.discard(state.plan));
    } catch (error) {
      progress(error.message);
      return;
    }
    $("#schedule-compare").hidden = true;
    progress(action === "accept" ? gettext("The optimiser's plan was accepted.") : gettext("The optimiser's plan was discarded."));
    state.plan = null;
    if (action === "accept") refreshOrders();
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
    pick: actions.pick,
    // A live order change: an order on the board moved on elsewhere, so its version is stale.
    orderChanged(message) {
      const order = state.orders.get(message.id);
      if (state.active && order && order.version !== message.version) {
        boardMessage(interpolate(gettext("Order %s was changed elsewhere: reload the board before saving."), [order.number]));
      }
    },
  };
}
