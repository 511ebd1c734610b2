// The day board's state and the rules over it, without the DOM or the network: which orders
// are on the board, where each is placed, what was picked on the map, and the server's last
// check report. Times are the operation's wall clock as the server writes them
// ("YYYY-MM-DDTHH:MM"): the board never converts them to the browser's time zone.

export const TECHNICIAN_COLORS = ["#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#5d4037", "#283593", "#558b2f", "#c62828"];
export const SLOT_MINUTES = 30;
export const SNAP_MINUTES = 15;
const DEFAULT_SPAN = [8 * 60, 18 * 60];

export const minutesOf = (iso) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
export const clockOf = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
export const wallClock = (iso) => (iso ? iso.slice(0, 16) : null);
// A shift time ("08:00") as minutes of the day.
export const shiftMinutes = (time) => minutesOf(`0000-00-00T${time}`);
// "OS-000042" reads "OS-42" on a card an hour wide; the card's title has the whole number.
export const shortNumber = (number) => number.replace(/^([^0-9]*)0+(?=[0-9])/, "$1");

export function createState() {
  return {
    active: false,
    technicians: [],
    orders: new Map(), // id -> the board's order
    placements: new Map(), // id -> {technician, start}
    original: new Map(), // id -> {technician, start} as loaded
    picks: [],
    report: null,
    span: DEFAULT_SPAN,
    plan: null,
  };
}

// The board as the server sent it: movable orders already placed start where they are.
export function loadBoard(state, data) {
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
  const shifts = data.technicians.flatMap((t) => [shiftMinutes(t.shift_start), shiftMinutes(t.shift_end)]);
  state.span = shifts.length ? [Math.min(...shifts), Math.max(...shifts)] : DEFAULT_SPAN;
}

export function colorOf(state, technicianId) {
  const index = state.technicians.findIndex((t) => t.id === technicianId);
  return TECHNICIAN_COLORS[(index < 0 ? 0 : index) % TECHNICIAN_COLORS.length];
}

// Picks or unpicks an order; false when it cannot be scheduled on this day.
export function togglePick(state, orderId) {
  const order = state.orders.get(orderId);
  if (!order || !order.movable) return false;
  const at = state.picks.indexOf(orderId);
  if (at >= 0) state.picks.splice(at, 1);
  else state.picks.push(orderId);
  return true;
}

// The picked orders go to the technician in the order they were clicked, after the stops they
// already have; the server fills in each start from the drive (the check).
export function assignPicks(state, technician) {
  for (const id of state.picks) state.placements.set(id, { technician, start: null });
  state.picks = [];
}

export function place(state, id, technician, start) {
  state.placements.set(id, { technician, start });
  state.picks = state.picks.filter((pickId) => pickId !== id);
}

// Off the board: an order that was placed when loaded is saved as unassigned.
export function unplace(state, id) {
  if (state.original.has(id)) state.placements.set(id, { technician: null, start: null });
  else state.placements.delete(id);
}

export function placementOf(state, order) {
  if (state.placements.has(order.id)) return state.placements.get(order.id);
  if (!order.movable && order.assignee && order.scheduled_start) return { technician: order.assignee, start: wallClock(order.scheduled_start) };
  return null;
}

export const reportLine = (state, orderId) => state.report?.orders.find((line) => line.order === orderId);
export const conflictsOf = (state, orderId) => reportLine(state, orderId)?.conflicts || [];

export function sequenceOf(state, orderId) {
  for (const day of state.report?.technicians || []) {
    const at = day.stops.indexOf(orderId);
    if (at >= 0) return at + 1;
  }
  return null;
}

// A technician's placed orders by start, each in a lane: overlapping orders (a conflict) go
// one under the other, so each stays readable. Returns {placed: [[order, placement]], lanes}.
export function technicianLanes(state, technicianId) {
  const placedHere = [...state.orders.values()]
    .map((order) => [order, placementOf(state, order)])
    .filter(([, placed]) => placed?.technician === technicianId && placed.start)
    .sort(([, a], [, b]) => a.start.localeCompare(b.start));
  const laneEnds = [];
  const placed = placedHere.map(([order, placement]) => {
    const start = minutesOf(placement.start);
    let lane = laneEnds.findIndex((end) => end <= start);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = start + order.estimated_minutes;
    return [order, { ...placement, lane }];
  });
  return { placed, lanes: Math.max(1, laneEnds.length) };
}

// Orders off the timelines: the picks (numbered), those waiting for a start, and those taken off.
export function poolOrders(state) {
  const waiting = [...state.picks, ...[...state.placements].filter(([, p]) => p.technician && !p.start).map(([id]) => id)];
  const cards = waiting.map((id, index) => [state.orders.get(id), index < state.picks.length ? index + 1 : null]);
  for (const [id, placed] of state.placements) {
    if (placed.technician === null) cards.push([state.orders.get(id), null]);
  }
  return cards;
}

// The minute a drop at `fraction` (0..1) of a row lands on, snapped and kept inside the span.
export function minuteAt(state, fraction) {
  const [from, to] = state.span;
  const raw = from + fraction * (to - from);
  return Math.min(Math.max(Math.round(raw / SNAP_MINUTES) * SNAP_MINUTES, from), to - SNAP_MINUTES);
}

export function boardPlacements(state) {
  return [...state.placements].map(([id, placed]) => ({
    order: id, version: state.orders.get(id).version, technician: placed.technician, scheduled_start: placed.start,
  }));
}

export function changes(state) {
  return [...state.placements].filter(([id, placed]) => {
    const before = state.original.get(id);
    return !before || before.technician !== placed.technician || before.start !== placed.start;
  }).map(([id]) => id);
}

// The server's check: starts it filled in become the board's own, so what is saved is what was shown.
export function applyReport(state, report) {
  state.report = report;
  for (const line of report?.orders || []) {
    const placed = state.placements.get(line.order);
    if (placed && placed.technician && !placed.start) placed.start = wallClock(line.scheduled_start);
  }
}

// The board's totals to compare with the optimiser's (an unchecked board: nothing driven yet).
export function boardTotals(state) {
  return state.report?.totals || {
    km: 0, driving_hours: 0, lateness_minutes: 0,
    unassigned: [...state.orders.values()].filter((o) => o.movable && !o.assignee).length,
  };
}
