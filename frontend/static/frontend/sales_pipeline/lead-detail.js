// A lead's page: notes and next action (PATCH with the version), proposals (create, send by
// e-mail with the sending status followed, PDF, acceptance) and the conversion to a client.
// Field errors from the API show under the field they name.
import { $, element, errorText, readConfig } from "../dom.js";
import { formatDate, formatDateTime, formatMoney } from "../format.js";
import { fill, request } from "../http.js";

const config = readConfig("lead-config");
let version = config.version;
let pollTimer = null;
const IN_FLIGHT = new Set(["queued", "sending"]);
const label = (choices, value) => (choices.find(([key]) => key === value) || [value, value])[1];

// ---------------------------------------------------------------- field errors

function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) { node.hidden = true; node.textContent = ""; }
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// {"field": ["..."], "address": {"cep": ["..."]}} -> under each named input (or its
// data-error-for slot); what names no field of this form goes to the form's own slot.
function showErrors(form, data, prefix = "") {
  const rest = [];
  for (const [key, value] of Object.entries(data || {})) {
    if (key === "code") continue;
    const name = prefix + key;
    if (value && !Array.isArray(value) && typeof value === "object") {
      showErrors(form, value, `${name}.`);
      continue;
    }
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    const input = form.elements[name];
    const text = errorText(value);
    if (slot) {
      slot.textContent = text; slot.hidden = false;
    } else if (input instanceof Element) {
      input.setAttribute("aria-invalid", "true");
      const error = element("span", { className: "field-error", role: "alert", "data-field": name, text });
      input.closest("label").append(error);
    } else {
      rest.push(text);
    }
  }
  if (rest.length) {
    const slot = form.querySelector('[data-error-for="form"]');
    slot.textContent = rest.join(" "); slot.hidden = false;
  }
}

function formErrors(form, data) {
  for (const node of form.querySelectorAll("span.field-error")) node.remove();
  showErrors(form, data);
}

// ---------------------------------------------------------------- notes and next action

// An ISO instant as the value of a datetime-local input, in the browser's time zone.
function localInputValue(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function saveNotes(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const when = form.elements.next_action_at.value;
  const body = { notes: form.elements.notes.value, next_action_at: when ? new Date(when).toISOString() : null, version };
  const { ok, data, message } = await request(fill(config.urls.lead, config.lead), { method: "PATCH", body });
  if (!ok) { formErrors(form, data ?? { detail: message }); return; }
  version = data.version;
  $("#next-action-overdue")?.remove();
  $("#notes-saved").textContent = interpolate(gettext("Saved at %s."), [formatDateTime(new Date())]);
}

// ---------------------------------------------------------------- proposals

function proposalItem(proposal) {
  const actions = element("div", { className: "proposal-actions" },
    element("a", { href: fill(config.urls.pdf, proposal.id), target: "_blank", rel: "noopener", className: "pdf-link", text: gettext("PDF") }));
  const open = ["new", "contacted", "proposal_sent"].includes(config.stage);
  const offerable = open && ["draft", "sent"].includes(proposal.status) && !IN_FLIGHT.has(proposal.sending_status);
  if (offerable) {
    const send = element("button", { type: "button", "data-action": "send",
      text: proposal.sending_status ? gettext("Send again") : gettext("Send by e-mail") });
    send.addEventListener("click", () => sendProposal(proposal.id));
    const accept = element("button", { type: "button", "data-action": "accept", text: gettext("Client accepted") });
    accept.addEventListener("click", () => openAccept(item, proposal));
    actions.append(send, accept);
  }
  const sending = proposal.sending_status ? element("span", {
    className: `sending sending-${proposal.sending_status}`, "data-sending": proposal.sending_status,
    text: interpolate(gettext("E-mail: %s"), [label(config.sending_statuses, proposal.sending_status)]),
  }) : null;
  const item = element("li", { className: "proposal", "data-proposal": proposal.id, "data-status": proposal.status },
    element("div", { className: "proposal-head" },
      element("strong", { text: proposal.number }),
      element("span", { className: `proposal-status status-${proposal.status}`, text: label(config.proposal_statuses, proposal.status) }),
      sending),
    element("ul", { className: "proposal-items" }, ...proposal.items.map((line) => element("li", {},
      element("span", { text: line.plan_name }),
      element("span", { className: "price", text: interpolate(gettext("%s/month"), [formatMoney(line.price)]) }),
      Number(line.discount) > 0 ? element("span", { className: "muted small",
        text: interpolate(gettext("(list %s)"), [formatMoney(line.list_price)]) }) : null))),
    element("p", { className: "muted small", text: [
      interpolate(gettext("Valid %(from)s to %(until)s"), { from: formatDate(proposal.valid_from), until: formatDate(proposal.valid_until) }, true),
      proposal.email_to && interpolate(gettext("to %s"), [proposal.email_to]),
      proposal.sent_at && interpolate(gettext("sent %s"), [formatDateTime(proposal.sent_at)]),
      proposal.signed_at && interpolate(gettext("accepted by %(name)s on %(when)s"), { name: proposal.signed_name, when: formatDateTime(proposal.signed_at) }, true),
    ].filter(Boolean).join(" · ") }),
    proposal.sending_status === "failed" && proposal.sending_error
      ? element("p", { className: "field-error", text: interpolate(gettext("Sending failed: %s"), [proposal.sending_error]) }) : null,
    actions);
  return item;
}

function showProposalMessage(text) {
  const box = $("#proposal-message");
  box.textContent = text || "";
  box.hidden = !text;
}

async function loadProposals() {
  clearTimeout(pollTimer);
  const { ok, data, message } = await request(`${config.urls.proposals}?${new URLSearchParams({ lead: config.lead, page_size: 100 })}`);
  if (!ok) { showProposalMessage(message); return; }
  const proposals = data.results;
  $("#proposal-history").replaceChildren(...proposals.map(proposalItem));
  $("#proposal-none").hidden = proposals.length > 0;
  fillAcceptedProposals(proposals.filter((proposal) => proposal.status === "accepted"));
  // A send in flight: follow it until the worker says sent or failed.
  if (proposals.some((proposal) => IN_FLIGHT.has(proposal.sending_status))) pollTimer = setTimeout(loadProposals, 1500);
  // Sending moves the lead to "proposal sent".
  if (proposals.some((proposal) => proposal.sending_status === "sent") && config.stage !== "proposal_sent") refreshStage();
}

async function refreshStage() {
  const { ok, data } = await request(fill(config.urls.lead, config.lead));
  if (!ok) return;
  config.stage = data.stage;
  version = data.version;
  const badge = $("#lead-stage");
  badge.textContent = label(config.stages, data.stage);
  badge.className = `stage-badge stage-${data.stage}`;
}

async function sendProposal(id) {
  showProposalMessage("");
  const { ok, message } = await request(fill(config.urls.send, id), { method: "POST" });
  if (!ok) showProposalMessage(message);
  await loadProposals();
}

function openAccept(item, proposal) {
  if (item.querySelector(".accept-form")) return;
  const form = $("#accept-template").content.firstElementChild.cloneNode(true);
  form.elements.signed_name.value = config.name;
  form.querySelector("[data-cancel]").addEventListener("click", () => form.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { ok, message } = await request(fill(config.urls.accept, proposal.id), {
      method: "POST", body: { signed_name: form.elements.signed_name.value.trim() },
    });
    if (!ok) {
      const error = form.querySelector(".field-error");
      error.textContent = message; error.hidden = false;
      return;
    }
    await loadProposals();
  });
  item.append(form);
  form.elements.signed_name.focus();
}

async function createProposal(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const items = [...form.querySelectorAll("input[name=plan]:checked")].map((box) => {
    const price = form.elements[`price-${box.value}`].value.trim();
    return { plan: Number(box.value), ...(price ? { price } : {}) };
  });
  if (!items.length) {
    showErrors(form, { items: [gettext("Choose at least one plan.")] });
    return;
  }
  const body = {
    lead: config.lead, items, valid_until: form.elements.valid_until.value || null,
    email_to: form.elements.email_to.value.trim(), message: form.elements.message.value.trim(),
  };
  if (!body.valid_until) delete body.valid_until;
  const { ok, data, message } = await request(config.urls.proposals, { method: "POST", body });
  if (!ok) { formErrors(form, data ?? { detail: message }); return; }
  form.reset();
  if (event.submitter?.value === "send") await sendProposal(data.id);
  else await loadProposals();
}

// ---------------------------------------------------------------- conversion

let acceptedProposals = [];

function fillAcceptedProposals(accepted) {
  const select = $("#convert-form select[name=proposal]");
  if (!select) return;
  acceptedProposals = accepted;
  const chosen = select.value;
  select.replaceChildren(select.options[0],
    ...accepted.map((proposal) => element("option", { value: proposal.id, text: `${proposal.number} · ${proposal.items.map((line) => line.plan_name).join(", ")}` })));
  select.value = accepted.some((proposal) => String(proposal.id) === chosen) ? chosen : (accepted[0]?.id ?? "");
  matchPlanToProposal();
}

// The plan signed must be one the chosen proposal offers (its price and discount apply).
function matchPlanToProposal() {
  const form = $("#convert-form");
  const proposal = acceptedProposals.find((item) => String(item.id) === form.elements.proposal.value);
  if (!proposal) return;
  const offered = proposal.items.map((line) => String(line.plan));
  if (!offered.includes(form.elements.plan.value)) form.elements.plan.value = offered[0];
}

async function convert(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const value = (name) => form.elements[name].value.trim();
  const address = {};
  for (const name of ["cep", "street", "number", "complement", "neighbourhood", "city", "state"]) address[name] = value(`address.${name}`);
  const body = {
    document: value("document"), person_type: value("person_type"), address,
    due_day: Number(value("due_day")), version,
    plan: value("plan") ? Number(value("plan")) : null,
    proposal: value("proposal") ? Number(value("proposal")) : null,
  };
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  const { ok, data, message } = await request(config.urls.convert, { method: "POST", body });
  button.disabled = false;
  if (!ok) { formErrors(form, data ?? { detail: message }); return; }
  form.hidden = true;
  $("#proposal-form")?.replaceWith(element("p", { className: "muted", text: gettext("The lead is won: no new proposal.") }));
  $("#contact-document").textContent = body.document;
  $("#convert-contract").textContent = data.contract_number;
  $("#convert-order").textContent = data.service_order_number;
  $("#convert-port").textContent = interpolate(gettext("%(box)s, port %(port)s"), { box: data.cto_box, port: data.cto_port }, true);
  $("#convert-map").href = `${config.urls.map}?${new URLSearchParams({ q: data.contract_number })}`;
  $("#convert-done").hidden = false;
  await Promise.all([refreshStage(), loadProposals()]);
}

// ---------------------------------------------------------------- start

if (config.next_action_at) $("#notes-form").elements.next_action_at.value = localInputValue(config.next_action_at);
$("#notes-form").addEventListener("submit", saveNotes);
$("#proposal-form")?.addEventListener("submit", createProposal);
$("#convert-form")?.addEventListener("submit", convert);
$("#convert-form select[name=proposal]")?.addEventListener("change", matchPlanToProposal);
loadProposals().then(() => { document.body.dataset.ready = "true"; });
