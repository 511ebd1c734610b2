// Unit tests of the shared frontend modules (format.js, http.js's error mapping), run with
// Node's own test runner by tests/frontend/test_client_layer.py: no browser, no npm package.
import assert from "node:assert/strict";
import { test } from "node:test";

import { errorText } from "../../frontend/static/frontend/dom.js";
import * as format from "../../frontend/static/frontend/format.js";
import { failureMessage, fetchJson, request } from "../../frontend/static/frontend/http.js";

const NBSP = "\u00a0";

test("numbers and money in pt-BR", () => {
  assert.equal(format.LOCALE, "pt-BR");
  assert.equal(format.formatNumber(1234567.891), "1.234.567,891");
  assert.equal(format.formatNumber(0.126, 2), "0,13");
  assert.equal(format.formatNumber("41.6", 0), "42");
  assert.equal(format.formatMoney("1234.56"), `R$${NBSP}1.234,56`);
  assert.equal(format.formatMoney(0), `R$${NBSP}0,00`);
});

test("dates and times on the operation's clock (America/Sao_Paulo)", () => {
  assert.equal(format.formatDate("2026-12-04"), "04/12/2026"); // a calendar day never shifts
  assert.equal(format.formatDate("2026-12-04T01:30:00Z"), "03/12/2026"); // 22:30 the day before in São Paulo
  assert.equal(format.formatDateTime("2026-12-04T15:30:00Z"), "04/12/2026, 12:30");
  assert.equal(format.formatTime("2026-12-04T15:30:00-03:00"), "15:30");
  assert.equal(format.formatLongDate("2026-12-04"), "sexta-feira, 4 de dezembro");
  assert.equal(format.formatDateTime("not a date"), "not a date");
  assert.equal(format.formatDate(null), "");
});

test("phones, CPF, CNPJ and CEP", () => {
  assert.equal(format.formatPhone("+5551998765432"), "(51) 99876-5432");
  assert.equal(format.formatPhone("51998765432"), "(51) 99876-5432");
  assert.equal(format.formatPhone("+55 51 3333-4444"), "(51) 3333-4444");
  assert.equal(format.formatPhone("+14155550100"), "+14155550100");
  assert.equal(format.formatPhone(""), "");
  assert.equal(format.formatCpf("52998224725"), "529.982.247-25");
  assert.equal(format.formatCpf("529.982.247-25"), "529.982.247-25");
  assert.equal(format.formatCnpj("11222333000181"), "11.222.333/0001-81");
  assert.equal(format.formatDocument("11222333000181"), "11.222.333/0001-81");
  assert.equal(format.formatDocument("52998224725"), "529.982.247-25");
  assert.equal(format.formatCep("90010000"), "90010-000");
  assert.equal(format.formatCep("123"), "123");
});

test("an API error body as one sentence", () => {
  assert.equal(errorText({ detail: "Não encontrado." }), "Não encontrado.");
  assert.equal(errorText({ message: "Endereço fora da área." }), "Endereço fora da área.");
  assert.equal(errorText({ non_field_errors: ["Geral."], name: ["Obrigatório."], address: { cep: ["CEP inválido."] } }),
    "Geral. Obrigatório. CEP inválido.");
  assert.equal(errorText({ detail: "Conflito.", code: "conflict" }), "Conflito.");
  assert.equal(errorText({ email: ["Inválido."], code: "invalid" }), "Inválido.");
  assert.equal(errorText({ message: ["Longo demais."], email: ["Inválido."] }), "Longo demais. Inválido."); // a field named message
  assert.equal(errorText(null), "");
});

test("failure messages: network, throttled, error bodies and bare statuses", () => {
  assert.equal(failureMessage(0), "The server could not be reached. Try again.");
  assert.equal(failureMessage(429, { detail: "Throttled." }, 30), "Too many tries. Please wait 30 seconds.");
  assert.equal(failureMessage(429, null, null), "Too many tries. Please wait 60 seconds.");
  assert.equal(failureMessage(400, { name: ["Obrigatório."] }), "Obrigatório.");
  assert.equal(failureMessage(502, null), "The server answered with an error (502). Try again.");
});

function stubFetch(answer) {
  const calls = [];
  globalThis.fetch = async (url, init) => {
    calls.push({ url, init });
    if (answer instanceof Error) throw answer;
    return answer();
  };
  return calls;
}

const json = (status, body, headers = {}) => () => new Response(JSON.stringify(body), {
  status, headers: { "Content-Type": "application/json", ...headers },
});

test("request sends JSON with the CSRF cookie and exposes the status", async () => {
  globalThis.document = { cookie: "sessionid=x; csrftoken=t%3Dk" };
  const calls = stubFetch(json(409, { detail: "Alterado por outra pessoa." }));
  const result = await request("/api/x/", { method: "POST", body: { a: 1 } });
  assert.equal(calls[0].init.headers["X-CSRFToken"], "t=k");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.equal(calls[0].init.credentials, "same-origin");
  assert.equal(calls[0].init.body, '{"a":1}');
  assert.deepEqual([result.ok, result.status, result.message], [false, 409, "Alterado por outra pessoa."]);
});

test("a GET and the public widget's calls carry no CSRF token", async () => {
  const calls = stubFetch(json(200, { ok: true }));
  await request("/api/x/");
  await request("/api/public/x/", { method: "POST", credentials: "omit", body: {} });
  assert.equal(calls[0].init.headers["X-CSRFToken"], undefined);
  assert.equal(calls[1].init.headers["X-CSRFToken"], undefined);
  assert.equal(calls[1].init.credentials, "omit");
});

test("429 with Retry-After, 403 as a lapsed session, network failure as status 0", async () => {
  stubFetch(json(429, { detail: "Throttled." }, { "Retry-After": "12" }));
  const throttled = await request("/api/x/");
  assert.deepEqual([throttled.retryAfter, throttled.message], [12, "Too many tries. Please wait 12 seconds."]);
  stubFetch(json(403, { detail: "Credenciais não fornecidas." }));
  const lapsed = await request("/api/x/");
  assert.equal(lapsed.sessionLapsed, true);
  stubFetch(new TypeError("Failed to fetch"));
  const offline = await request("/api/x/");
  assert.deepEqual([offline.ok, offline.status, offline.message], [false, 0, "The server could not be reached. Try again."]);
});

test("fetchJson returns the data or throws the same message", async () => {
  stubFetch(json(200, { id: 7 }));
  assert.deepEqual(await fetchJson("/api/x/"), { id: 7 });
  stubFetch(json(400, { code: ["Já existe."] }));
  await assert.rejects(fetchJson("/api/x/"), (error) => error.status === 400 && error.message === "Já existe.");
  stubFetch(() => new Response("<h1>Server Error</h1>", { status: 500, headers: { "Content-Type": "text/html" } }));
  await assert.rejects(fetchJson("/api/x/"), /server answered with an error \(500\)/);
});

test("the gettext of Django's catalogue translates the messages when the page has it", () => {
  globalThis.gettext = (text) => (text === "The server could not be reached. Try again." ? "Sem conexão." : text);
  try {
    assert.equal(failureMessage(0), "Sem conexão.");
  } finally {
    delete globalThis.gettext;
  }
});
