// The sales pipeline board: a column per stage from /api/crm/leads/?stage=, counts from
// counts/, cards dragged between columns -> POST <id>/move/ with the version read.
// A stale version (409) says so and reloads the card where it really is.
import { $, element, readConfig } from "../dom.js";
import { formatDateTime } from "../format.js";
import { fill, request } from "../http.js";
import { filterParams, isOverdue } from "./common.js";

const config = readConfig("pipeline-config");
const PAGE_SIZE = 50;
const board = $("#pipeline-board");
const filters = $("#lead-filters");
const leads = new Map(); // id -> the lead as last read

function showMessage(text, kind = "error") {
  const box = $("#pipeline-message");
  box.textContent = text || "";
  box.dataset.kind = kind;
  box.hidden = !text;
}

function column(stage) {
  return board.querySelector(`ol.pipeline-cards[data-stage="${stage}"]`);
}

function card(lead) {
  leads.set(lead.id, lead);
  const overdue = isOverdue(lead);
  const facts = [
    lead.address_text && element("li", { className: "address", text: lead.address_text }),
    lead.plan_name && element("li", { className: "plan", text: lead.plan_name }),
    element("li", { className: "owner", text: lead.owner_name || gettext("No owner yet") }),
    lead.channel_name && element("li", { className: "channel", text: lead.channel_name }),
    lead.next_action_at && element("li", { className: `next-action${overdue ? " overdue" : ""}` },
      overdue ? interpolate(gettext("Overdue: %s"), [formatDateTime(lead.next_action_at)])
        : interpolate(gettext("Next action: %s"), [formatDateTime(lead.next_action_at)])),
    lead.stage === "lost" && lead.lost_reason && element("li", { className: "lost", text: lostLabel(lead) }),
  ];
  const item = element("li", {
    className: `pipeline-card${overdue ? " is-overdue" : ""}`, draggable: "true",
    "data-id": lead.id, "data-version": lead.version, "data-stage": lead.stage,
  },
  element("a", { href: fill(config.urls.lead_page, lead.id), className: "card-name", text: lead.name, draggable: "false" }),
  element("ul", { className: "card-facts" }, ...facts),
  mover(lead));
  item.addEventListener("dragstart", (event) => {
    event.dataTransfer.setData("text/plain", String(lead.id));
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("dragging");
  });
  item.addEventListener("dragend", () => item.classList.remove("dragging"));
  return item;
}

// The same move without dragging: for the keyboard and for touch screens.
function mover(lead) {
  const select = element("select", { className: "card-move", "aria-label": interpolate(gettext("Move %s to"), [lead.name]) },
    ...config.stages.map(([value, label]) => element("option", { value, text: label, selected: value === lead.stage })));
  select.addEventListener("change", async () => {
    await move(lead.id, select.value);
    select.value = leads.get(lead.id).stage; // still here when the move was cancelled or refused
  });
  return select;
}

function lostLabel(lead) {
  const reason = config.lost_reasons.find(([value]) => value === lead.lost_reason);
  return [reason ? reason[1] : lead.lost_reason, lead.lost_detail].filter(Boolean).join(": ");
}

async function loadCounts(params) {
  const { ok, data } = await request(`${config.urls.counts}?${params}`);
  if (!ok) return;
  for (const [stage, count] of Object.entries(data)) {
    const badge = board.querySelector(`[data-count="${stage}"]`);
    if (badge) badge.textContent = count;
    const more = board.querySelector(`[data-more="${stage}"]`);
    const shown = column(stage).children.length;
    more.hidden = count <= shown;
    more.textContent = interpolate(gettext("Showing %(shown)s of %(count)s: narrow the filters to see the rest."), { shown, count }, true);
  }
}

async function fetchColumn(stage, params) {
  const query = new URLSearchParams(params);
  query.set("stage", stage);
  query.set("page_size", PAGE_SIZE);
  const { ok, message, data } = await request(`${config.urls.leads}?${query}`);
  if (!ok) throw new Error(message);
  return [stage, data.results];
}

let latest = 0;

// Every column is redrawn at once, from the latest request only (filters typed fast).
async function load() {
  const params = filterParams(filters);
  const ticket = ++latest;
  board.setAttribute("aria-busy", "true");
  try {
    const columns = await Promise.all(config.stages.map(([stage]) => fetchColumn(stage, params)));
    if (ticket !== latest) return;
    showMessage("");
    for (const [stage, results] of columns) column(stage).replaceChildren(...results.map(card));
    await loadCounts(params);
  } catch (error) {
    showMessage(error.message || gettext("The leads could not be loaded."));
  }
  if (ticket === latest) board.setAttribute("aria-busy", "false");
}

// ---------------------------------------------------------------- moving

function askLostReason(lead) {
  const dialog = $("#lost-dialog");
  const form = $("#lost-form");
  form.reset();
  $("#lost-error").hidden = true;
  $("#lost-lead").textContent = lead.name;
  return new Promise((resolve) => {
    const onSubmit = (event) => {
      if (event.submitter?.value !== "confirm") return; // cancel closes the dialog
      if (!form.elements.lost_reason.value) {
        event.preventDefault();
        $("#lost-error").textContent = gettext("Choose why the lead was lost.");
        $("#lost-error").hidden = false;
      }
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", () => {
      form.removeEventListener("submit", onSubmit);
      resolve(dialog.returnValue === "confirm"
        ? { lost_reason: form.elements.lost_reason.value, lost_detail: form.elements.lost_detail.value.trim() }
        : null);
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

// The card as the server has it now, in its real column (after a refused move).
async function reloadCard(id) {
  const { ok, data } = await request(fill(config.urls.lead, id));
  const old = board.querySelector(`.pipeline-card[data-id="${id}"]`);
  if (!ok) { old?.remove(); return; }
  const fresh = card(data);
  fresh.classList.add("reloaded");
  old?.remove();
  column(data.stage).prepend(fresh);
}

async function move(id, stage) {
  const lead = leads.get(id);
  if (!lead || lead.stage === stage) return;
  const body = { stage, version: lead.version };
  if (stage === "lost") {
    const reason = await askLostReason(lead);
    if (!reason) return;
    Object.assign(body, reason);
  }
  const old = board.querySelector(`.pipeline-card[data-id="${id}"]`);
  old.classList.add("moving");
  const { ok, status, message, data } = await request(fill(config.urls.move, id), { method: "POST", body });
  if (ok) {
    showMessage("");
    old.remove();
    column(data.stage).prepend(card(data));
  } else if (status === 409) {
    showMessage(`${message} ${gettext("The card was reloaded.")}`);
    await reloadCard(id);
  } else {
    old.classList.remove("moving");
    showMessage(message);
  }
  await loadCounts(filterParams(filters));
}

$("#lost-form").elements.lost_reason.addEventListener("change", () => { $("#lost-error").hidden = true; });

for (const list of board.querySelectorAll("ol.pipeline-cards")) {
  const section = list.closest(".pipeline-column");
  section.addEventListener("dragover", (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    section.classList.add("drop-target");
  });
  section.addEventListener("dragleave", (event) => {
    if (!section.contains(event.relatedTarget)) section.classList.remove("drop-target");
  });
  section.addEventListener("drop", (event) => {
    event.preventDefault();
    section.classList.remove("drop-target");
    const id = Number(event.dataTransfer.getData("text/plain"));
    if (id) move(id, list.dataset.stage);
  });
}

let timer = null;
filters.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 300); });
filters.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); load(); });
load().then(() => { board.dataset.ready = "true"; });
