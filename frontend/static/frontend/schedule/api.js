// The scheduling endpoints the day board calls (fieldops' schedule and plan API), each one
// answering the data or throwing an ApiError with the server's message.
import { fetchJson, fill } from "../http.js";

const socketUrl = (path) => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;

export function scheduleApi(config) {
  const post = (url, body) => fetchJson(url, { method: "POST", body });
  return {
    board({ date, types, priority }) {
      const params = new URLSearchParams({ date });
      types.forEach((type) => params.append("type", type));
      if (priority) params.append("priority", priority);
      return fetchJson(`${config.board}?${params}`);
    },
    check: (date, placements) => post(config.check, { date, placements }),
    apply: (date, placements) => post(config.apply, { date, placements }),
    optimise: (date, seconds) => post(config.plans, { date, time_budget_s: seconds }),
    plan: (id) => fetchJson(fill(config.plan, id)),
    planRoutes: (id) => fetchJson(fill(config.plan_geojson, id)),
    accept: (id) => post(fill(config.plan_accept, id), {}),
    discard: (id) => post(fill(config.plan_discard, id), {}),
    planSocket: (id) => new WebSocket(socketUrl(fill(config.plan_socket, id))),
  };
}
