// The cases list: the user's cases by status, and a form to open one.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import { el } from "../lib/dom.js";
import { $, applyTexts, fmtLocal, showError, tr, withButton } from "./cases/common.js";

const KINDS = ["criminal", "traffic", "public_order", "fraud", "special"];
const state = { session: null, cases: [] };

function render() {
  applyTexts("list_title");
  const kind = $("kind").value || "criminal";
  $("kind").replaceChildren(...KINDS.map((k) => el("option", { value: k, selected: k === kind }, tr(`kind_${k}`))));
  const body = $("case-table").querySelector("tbody");
  body.replaceChildren(...state.cases.map((c) => el("tr", { dataset: { caseId: c.id } },
    el("td", {}, el("a", { href: `/cases/${encodeURIComponent(c.id)}` }, c.number)),
    el("td", {}, tr(`kind_${c.kind}`)),
    el("td", {}, c.title),
    el("td", {}, tr(`status_${c.status}`)),
    el("td", {}, c.owner),
    el("td", {}, fmtLocal(c.opened_at)))));
  $("empty").hidden = state.cases.length > 0;
  document.body.dataset.cases = String(state.cases.length);
}

async function load() {
  const status = $("status-filter").value;
  const query = status ? `?status=${encodeURIComponent(status)}` : "";
  state.cases = await api(`/api/v1/cases${query}`, { token: state.session.token });
  render();
}

async function create(event) {
  event.preventDefault();
  const title = $("title").value.trim();
  if (title.length < 2) return showError("form-error", tr("need_title"));
  await withButton($("create-btn"), "form-error", async () => {
    const body = { kind: $("kind").value, title, summary: $("summary").value.trim() || null };
    const made = await api("/api/v1/cases", { method: "POST", body, token: state.session.token });
    location.assign(`/cases/${encodeURIComponent(made.id)}`);
  });
}

async function main() {
  state.session = loadSession();
  if (!state.session) return goToLogin();
  mountLangToggle($("lang-toggle"));
  onLangChange(render);
  render();
  $("logout").addEventListener("click", () => logout(state.session, null));
  $("status-filter").addEventListener("change", () => load().catch((e) => showError("form-error", e.message)));
  $("create-form").addEventListener("submit", create);
  await load();
  document.body.dataset.ready = "1";
}

main().catch((err) => {
  showError("form-error", err instanceof ApiError ? err.text() : tr("load_failed"));
  throw err;
});
