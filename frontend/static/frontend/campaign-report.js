// A campaign's delivery report: totals by status live from the WebSocket (the poll of the
// report endpoint every 3 s when the socket cannot be opened), failures with the gateway's
// error, and "Resend failed". Strings come from Django's JavaScript catalogue (gettext).
import { $, element, readConfig } from "./dom.js";
import { formatNumber } from "./format.js";
import { fetchJson, request } from "./http.js";

const config = readConfig("report-config");
const POLL_MS = 3000;

let socket = null;
let pollTimer = null;
let failuresShown = null; // the failed total the failures table was loaded for

function showError(text) {
  $("#report-error").textContent = text || "";
  $("#report-error").hidden = !text;
}

function buildTotals() {
  for (const [status, label] of config.statuses) {
    $("#report-totals").append(element("section", { className: `card stat total-${status}`, "data-status": status },
      element("h2", { text: label }), element("div", { className: "value", id: `report-total-${status}`, text: "0" })));
  }
}

function isRunning(report) {
  return report.status === "queued" || report.status === "sending";
}

function renderSummary(report) {
  $("#report-status").dataset.status = report.status;
  $("#report-status").textContent = config.campaign_statuses[report.status] || report.status;
  $("#report-recipients").textContent = formatNumber(report.recipients);
  for (const [status] of config.statuses) {
    $(`#report-total-${status}`).textContent = formatNumber(report.totals[status] || 0);
  }
  $("#report-excluded").replaceChildren(...config.exclusions.map(([reason, label]) => element("li", { "data-reason": reason },
    element("span", { text: label }), element("span", { text: formatNumber(report.excluded?.[reason] || 0) }))));
  const resend = $("#report-resend");
  if (resend) resend.disabled = isRunning(report) || !report.totals.failed;
  // The socket carries totals only: the failures come from the report endpoint when their number moves.
  if (report.totals.failed !== failuresShown) loadReport();
  if (!isRunning(report)) stopLive();
}

function renderFailures(failures) {
  $("#report-failures tbody").replaceChildren(...failures.map((delivery) => element("tr", { "data-delivery": String(delivery.id) },
    element("td", { text: delivery.person_name }), element("td", { text: delivery.destination }),
    element("td", { className: "number", text: String(delivery.attempts) }), element("td", { text: delivery.error }))));
  $("#report-no-failures").hidden = failures.length > 0;
}

async function loadReport() {
  let report;
  try {
    report = await fetchJson(config.report);
  } catch (error) {
    showError(error.message);
    return;
  }
  showError("");
  failuresShown = report.totals.failed;
  renderFailures(report.failures);
  renderSummary(report);
}

function setLiveBadge(text) {
  $("#report-live").textContent = text;
  $("#report-live").hidden = !text;
}

function startPolling() {
  if (pollTimer) return;
  setLiveBadge(gettext("updating every 3 s"));
  pollTimer = setInterval(loadReport, POLL_MS);
}

function startLive() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let opened = false;
  try {
    socket = new WebSocket(`${scheme}://${window.location.host}${config.live}`);
  } catch (error) {
    startPolling();
    return;
  }
  socket.addEventListener("open", () => { opened = true; setLiveBadge(gettext("live")); });
  socket.addEventListener("message", (event) => renderSummary(JSON.parse(event.data)));
  // A socket that never opened, or dropped while sending: the poll takes over.
  socket.addEventListener("close", () => {
    socket = null;
    if (!opened || $("#report-status").dataset.status !== "finished") startPolling();
  });
}

function stopLive() {
  clearInterval(pollTimer);
  pollTimer = null;
  socket?.close();
  socket = null;
  setLiveBadge("");
}

async function resendFailed() {
  const button = $("#report-resend");
  button.disabled = true;
  const { ok, message, data } = await request(config.resend_failed, { method: "POST" });
  if (!ok) {
    showError(message);
    button.disabled = false;
    return;
  }
  $("#report-resend-result").textContent = interpolate(
    ngettext("%s message queued again.", "%s messages queued again.", data.requeued), [formatNumber(data.requeued)]);
  $("#report-resend-result").hidden = false;
  startLive();
}

buildTotals();
$("#report-resend")?.addEventListener("click", resendFailed);
await loadReport();
if (isRunning({ status: $("#report-status").dataset.status })) startLive();
