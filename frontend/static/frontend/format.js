// Numbers, money, dates, phones and Brazilian documents as people read them in Brazil, in the
// page's language (pt-BR unless the user chose another). Dates and times are shown on the
// operation's clock (America/Sao_Paulo), whatever the browser's own time zone.

export const LOCALE = (typeof document !== "undefined" && document.documentElement.lang) || "pt-BR";
export const TIME_ZONE = "America/Sao_Paulo";

const numberFormats = new Map();
// 1234.5 -> "1.234,5"; `digits` fixes the decimals shown at most (0 rounds to a whole number).
export function formatNumber(value, digits = 3) {
  if (!numberFormats.has(digits)) numberFormats.set(digits, new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits }));
  return numberFormats.get(digits).format(Number(value));
}

const money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "BRL" });
// 1234.56 or the API's "1234.56" -> "R$ 1.234,56".
export const formatMoney = (value) => money.format(Number(value));

const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: "short", timeZone: TIME_ZONE });
const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: "short", timeStyle: "short", timeZone: TIME_ZONE });
const clock = new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE });
const longDate = new Intl.DateTimeFormat(LOCALE, { weekday: "long", day: "numeric", month: "long", timeZone: TIME_ZONE });
const noonUtc = new Intl.DateTimeFormat(LOCALE, { dateStyle: "short", timeZone: "UTC" });
const longNoonUtc = new Intl.DateTimeFormat(LOCALE, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });

const isCalendarDate = (value) => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
const asDate = (value) => (value instanceof Date ? value : new Date(value));

// A calendar day ("2026-12-04", no time zone to shift it) or an instant -> "04/12/2026".
export function formatDate(value) {
  if (!value) return "";
  return isCalendarDate(value) ? noonUtc.format(new Date(`${value}T12:00:00Z`)) : dateOnly.format(asDate(value));
}

// "2026-12-04" -> "sexta-feira, 4 de dezembro".
export function formatLongDate(value) {
  if (!value) return "";
  return isCalendarDate(value) ? longNoonUtc.format(new Date(`${value}T12:00:00Z`)) : longDate.format(asDate(value));
}

// An instant -> "04/12/2026, 13:49"; what cannot be read as a date is returned as it came.
export function formatDateTime(value) {
  if (!value) return "";
  const date = asDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

// An instant -> "13:49".
export function formatTime(value) {
  if (!value) return "";
  const date = asDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : clock.format(date);
}

const digitsOf = (value) => String(value ?? "").replace(/\D/g, "");

// "+5551998765432" or "51998765432" -> "(51) 99876-5432", "5133334444" -> "(51) 3333-4444";
// a number from another country ("+1 415 ...") is returned as written.
export function formatPhone(value) {
  if (!value) return "";
  const text = String(value).trim();
  let digits = digitsOf(text);
  if (text.startsWith("+")) {
    if (!digits.startsWith("55")) return text;
    digits = digits.slice(2);
  }
  const match = /^(\d{2})(\d{4,5})(\d{4})$/.exec(digits);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : text;
}

// "52998224725" -> "529.982.247-25"; anything not 11 digits is returned as written.
export function formatCpf(value) {
  const digits = digitsOf(value);
  return digits.length === 11 ? digits.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, "$1.$2.$3-$4") : String(value ?? "");
}

// "11222333000181" -> "11.222.333/0001-81".
export function formatCnpj(value) {
  const digits = digitsOf(value);
  return digits.length === 14 ? digits.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, "$1.$2.$3/$4-$5") : String(value ?? "");
}

// A CPF or a CNPJ, told apart by their length.
export const formatDocument = (value) => (digitsOf(value).length === 14 ? formatCnpj(value) : formatCpf(value));

// "90010000" -> "90010-000".
export function formatCep(value) {
  const digits = digitsOf(value);
  return digits.length === 8 ? `${digits.slice(0, 5)}-${digits.slice(5)}` : String(value ?? "");
}
