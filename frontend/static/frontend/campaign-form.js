// "Notify these clients": a campaign to the clients of the map's polygon selection, in the
// side panel. Preview (nothing is written), then Send: create the draft, confirm it and open
// its delivery report. Only set up for users the server gave a `campaign` config (crm.add_campaign).
import { $, element, errorText } from "./dom.js";
import { formatNumber } from "./format.js";
import { fill, request } from "./http.js";

// The map's selection request body ({geometry, status, plan}) as the campaign API names it.
function campaignSelection({ geometry, status = [], plan = [] }) {
  return { area: geometry, contract_statuses: status, plan_ids: plan };
}

// A datetime-local value (the browser's time zone) as an ISO instant; empty: no window.
function isoOrNull(value) {
  return value ? new Date(value).toISOString() : null;
}

export function setupCampaignForm(campaign, { currentSelection }) {
  const panel = $("#campaign-panel");
  const form = $("#campaign-form");
  const sendButton = $("#campaign-send");
  const exclusionLabels = Object.fromEntries(campaign.exclusions);

  function fields() {
    const value = (name) => form.elements[name].value;
    return {
      channel: value("channel"), name: value("name").trim(), subject: value("subject").trim(), body: value("body"),
      window_start: isoOrNull(value("window_start")), window_end: isoOrNull(value("window_end")),
      protocol: value("protocol").trim(), ...campaignSelection(currentSelection()),
    };
  }

  // The answer's data, or null with its errors shown.
  async function post(url, body) {
    const result = await request(url, { method: "POST", body });
    if (!result.ok) showErrors(result.data ?? result.message);
    return result.ok ? result.data : null;
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach((node) => node.remove());
    $("#campaign-error").hidden = true;
  }

  // A 400's messages under the fields they name; the rest (selection, detail) above the buttons.
  function showErrors(data) {
    clearErrors();
    const general = [];
    for (const [field, messages] of Object.entries(data && typeof data === "object" ? data : { detail: data })) {
      const input = form.elements.namedItem(field);
      if (input instanceof HTMLElement) {
        input.closest("label").after(element("div", { className: "field-error", "data-error-for": field, text: errorText(messages) }));
      } else {
        general.push(errorText(messages));
      }
    }
    $("#campaign-error").textContent = general.join(" ");
    $("#campaign-error").hidden = !general.length;
  }

  function lengthText(rawLength, channel) {
    const length = Object.fromEntries(Object.entries(rawLength)
      .map(([key, value]) => [key, typeof value === "number" ? formatNumber(value) : value]));
    if (channel === "sms") {
      return interpolate(gettext("%(characters)s characters (%(encoding)s), %(segments)s of at most %(max_segments)s SMS segments"),
        length, true);
    }
    return length.max_characters
      ? interpolate(gettext("%(characters)s of at most %(max_characters)s characters"), length, true)
      : interpolate(gettext("%(characters)s characters"), length, true);
  }

  function renderPreview(preview, channel) {
    $("#campaign-recipients").textContent = interpolate(
      ngettext("%(recipients)s recipient (%(contacts)s clients, %(contracts)s contracts)",
        "%(recipients)s recipients (%(contacts)s clients, %(contracts)s contracts)", preview.recipients),
      { recipients: formatNumber(preview.recipients), contacts: formatNumber(preview.contacts),
        contracts: formatNumber(preview.contracts) }, true);
    $("#campaign-excluded tbody").replaceChildren(...Object.entries(preview.excluded)
      .filter(([, count]) => count)
      .map(([reason, count]) => element("tr", { "data-reason": reason },
        element("td", { text: exclusionLabels[reason] || reason }), element("td", { text: formatNumber(count) }))));
    $("#campaign-excluded").hidden = !$("#campaign-excluded tbody").children.length;
    $("#campaign-length").textContent = preview.length ? lengthText(preview.length, channel) : "";
    const sample = preview.sample || {};
    $("#campaign-sample-to").textContent = sample.to ? interpolate(gettext("Sample to %s"), [sample.to]) : "";
    $("#campaign-sample-subject").textContent = sample.subject || "";
    $("#campaign-sample-body").textContent = sample.body || "";
    $("#campaign-preview").hidden = false;
  }

  // Any change after a preview makes it stale: Send waits for a new one.
  function invalidatePreview() {
    sendButton.disabled = true;
    $("#campaign-preview").hidden = true;
  }

  async function preview() {
    const body = fields();
    const data = await post(campaign.preview, body);
    if (!data) return;
    clearErrors();
    renderPreview(data, body.channel);
    sendButton.disabled = data.recipients === 0;
  }

  async function send() {
    sendButton.disabled = true;
    const draft = await post(campaign.create, fields());
    if (!draft) return;
    const confirmed = await post(fill(campaign.confirm, draft.id));
    if (confirmed) window.location.assign(fill(campaign.report_page, draft.id));
  }

  function showChannelFields() {
    const channel = form.elements.channel.value;
    form.querySelectorAll("[data-channel-only]").forEach((node) => { node.hidden = node.dataset.channelOnly !== channel; });
  }

  // A chip puts its placeholder where the cursor is in the message.
  function insertPlaceholder(name) {
    const textarea = form.elements.body;
    const token = `{${name}}`;
    const { selectionStart: start, selectionEnd: end } = textarea;
    textarea.setRangeText(token, start, end, "end");
    textarea.focus();
    invalidatePreview();
  }

  function open() {
    panel.hidden = false;
    panel.open = true;
    invalidatePreview();
    clearErrors();
    panel.scrollIntoView({ block: "start" });
    form.elements.name.focus();
  }

  function close() {
    panel.hidden = true;
  }

  form.addEventListener("input", invalidatePreview);
  form.elements.channel.addEventListener("change", showChannelFields);
  form.querySelectorAll("[data-placeholder]").forEach((chip) => chip.addEventListener("click", () => insertPlaceholder(chip.dataset.placeholder)));
  $("#campaign-preview-button").addEventListener("click", preview);
  sendButton.addEventListener("click", send);
  $("#campaign-cancel").addEventListener("click", close);
  $("#selection-notify").addEventListener("click", open);
  showChannelFields();
  return { close, selectionChanged: invalidatePreview };
}
