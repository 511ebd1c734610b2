// What the desktop sales pages (board, leads map) share beyond the site-wide dom/http/format
// modules: the filter form as query parameters, the stage colours and the overdue rule.

// The filter form's values as query parameters (empty ones left out).
export function filterParams(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value).trim()) params.append(name, String(value).trim());
  return params;
}

// Stage colours, shared by the board's columns and the map's points.
export const STAGE_COLORS = {
  new: "#1565c0", contacted: "#6a1b9a", proposal_sent: "#f57c00", won: "#2e7d32", lost: "#9aa5b1",
};
export const OPEN_STAGES = new Set(["new", "contacted", "proposal_sent"]);

export function isOverdue(lead, now = new Date()) {
  return Boolean(lead.next_action_at) && OPEN_STAGES.has(lead.stage) && new Date(lead.next_action_at) < now;
}
