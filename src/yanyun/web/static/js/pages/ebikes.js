// The e-bike register (电动车登记) for the stations that keep it: register, transfer,
// cancel, a plate's history, and the import of an old register (CSV or XLSX) that loads
// whole or not at all, every bad row named. Owners come masked from the server; an owner
// in full is a separate lookup that names a case the user works on, audited.

import { api, ApiError, goToLogin, loadSession, sessionHeaders } from "../lib/api.js";
import { getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import { el } from "../lib/dom.js";
import { TEXT } from "../text/ebikes.js";
import { $, fmtLocal, showError, withButton } from "./cases/common.js";

const tr = makeTranslator(TEXT);
const REG = "/api/v1/intel/registrations";
const state = { session: null, rows: [], plate: null, history: null, imported: null };

const post = (path, body) => api(path, { method: "POST", body, token: state.session.token });
const plateUrl = (plate, tail = "") => `${REG}/${encodeURIComponent(plate)}${tail}`;

function applyTexts() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = tr(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-placeholder]")) node.placeholder = tr(node.dataset.tPlaceholder);
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  document.title = `${tr("app")} · ${tr("title")}`;
}

function renderList() {
  const rows = state.rows.map((r) => el("tr", { dataset: { plate: r.plate, status: r.status } },
    el("td", {}, r.plate), el("td", {}, r.owner_name), el("td", {}, r.owner_phone),
    el("td", {}, `${r.brand} / ${r.colour}`), el("td", {}, tr(`status_${r.status}`)),
    el("td", {}, fmtLocal(r.registered_at)),
    el("td", {}, el("button", { type: "button", class: "btn btn-small", onclick: () => openPlate(r.plate) }, tr("open_plate")))));
  $("reg-table").querySelector("tbody").replaceChildren(...(rows.length ? rows
    : [el("tr", {}, el("td", { colspan: "7", class: "muted" }, tr("no_rows")))]));
}

function renderPlate() {
  const h = state.history;
  $("plate-card").hidden = !h;
  if (!h) return;
  const r = h.registration;
  $("plate-title").textContent = r.plate;
  $("plate-status").textContent = tr(`status_${r.status}`);
  const pairs = [["owner_name", r.owner_name], ["owner_id", r.owner_id_number], ["owner_phone", r.owner_phone],
    ["address", r.address], ["vehicle", `${r.brand} / ${r.colour}`]];
  $("plate-owner").replaceChildren(...pairs.flatMap(([k, v]) => [el("dt", {}, tr(k)), el("dd", {}, v)]));
  $("history").replaceChildren(...h.changes.map((c) => el("li", { dataset: { kind: c.kind } },
    el("span", { class: "muted" }, fmtLocal(c.at)),
    el("span", { class: "kind" }, tr(`change_${c.kind}`)),
    el("span", {}, `${c.owner_name} ${c.owner_id_number}`),
    el("span", { class: "muted" }, ` — ${c.by}${c.note ? ` · ${c.note}` : ""}`))));
  const active = r.status === "active";
  $("transfer-form").hidden = !active;
  $("cancel-form").hidden = !active;
}

function renderImport() {
  const result = state.imported;
  const summary = $("import-summary");
  $("import-errors").hidden = !result || !result.errors.length;
  if (!result) return;
  summary.dataset.state = result.error_count ? "refused" : "loaded";
  summary.textContent = result.error_count
    ? tr("import_refused", { r: result.rows, e: result.error_count }) : tr("import_loaded", { n: result.loaded });
  const en = getLang() === "en";
  $("import-errors").querySelector("tbody").replaceChildren(...result.errors.map((e) =>
    el("tr", { dataset: { line: String(e.line), field: e.field } },
      el("td", {}, String(e.line)), el("td", {}, tr(`field_${e.field}`)),
      el("td", {}, en ? e.reason_en : e.reason_zh))));
}

function render() {
  applyTexts();
  renderList();
  renderPlate();
  renderImport();
}

async function loadList() {
  const params = new URLSearchParams({ limit: "30", kind: "ebike" });
  if ($("filter-plate").value.trim()) params.set("plate", $("filter-plate").value.trim());
  if ($("filter-status").value) params.set("status", $("filter-status").value);
  state.rows = await api(`${REG}?${params}`, { token: state.session.token });
  renderList();
}

async function openPlate(plate) {
  await withButton(null, "plate-error", async () => {
    state.history = await api(plateUrl(plate, "/history"), { token: state.session.token });
    state.plate = plate;
    $("owner-plate").value = plate;
    renderPlate();
    document.body.dataset.plate = plate;
  });
}

const owner = (prefix) => ({
  owner_name: $(`${prefix}-name`).value.trim(), owner_id_number: $(`${prefix}-id`).value.trim().toUpperCase(),
  owner_phone: $(`${prefix}-phone`).value.trim(), address: $(`${prefix}-address`).value.trim(),
});

async function register() {
  await withButton($("reg-btn"), "reg-error", async () => {
    const made = await post(REG, { plate: $("reg-plate").value.trim(), brand: $("reg-brand").value.trim(),
      colour: $("reg-colour").value.trim(), ...owner("reg") });
    $("reg-done").textContent = tr("registered", { p: made.plate });
    for (const node of $("register-form").querySelectorAll("input")) node.value = "";
    await loadList();
    await openPlate(made.plate);
  });
}

async function transfer() {
  await withButton($("tr-btn"), "plate-error", async () => {
    await post(plateUrl(state.plate, "/transfer"), owner("tr"));
    for (const id of ["tr-name", "tr-id", "tr-phone", "tr-address"]) $(id).value = "";
    await openPlate(state.plate);
    await loadList();
  });
}

async function cancel() {
  await withButton($("cancel-btn"), "plate-error", async () => {
    await post(plateUrl(state.plate, "/cancel"), { reason: $("cancel-reason").value.trim() });
    await openPlate(state.plate);
    await loadList();
  });
}

async function importFile() {
  const file = $("import-file").files[0];
  if (!file) return showError("import-error", tr("need_file"));
  await withButton($("import-btn"), "import-error", async () => {
    const resp = await fetch(`${REG}/import`, {
      method: "POST", credentials: "same-origin", body: file,
      headers: { ...sessionHeaders(), "Content-Type": "application/octet-stream", Accept: "application/json" },
    });
    const data = await resp.json().catch(() => null);
    if (!resp.ok) {
      throw new ApiError({ status: resp.status, code: data?.error?.code || `http_${resp.status}`,
        message: data?.error?.message || null, field: data?.error?.field });
    }
    state.imported = data;
    renderImport();
    document.body.dataset.imported = data.error_count ? "refused" : "loaded";
    if (!data.error_count) await loadList();
  });
}

async function lookupOwner() {
  const plate = $("owner-plate").value.trim();
  const caseNumber = $("owner-case").value.trim();
  const purpose = $("owner-purpose").value.trim();
  if (!plate || !caseNumber || !purpose) return showError("owner-error", tr("need_lookup"));
  await withButton($("owner-btn"), "owner-error", async () => {
    const o = await post(`${REG}/owner`, { plate, case_number: caseNumber, purpose });
    const pairs = [["plate", o.plate], ["owner_name", o.owner_name], ["owner_id", o.owner_id_number],
      ["owner_phone", o.owner_phone], ["address", o.address]];
    $("owner-card").replaceChildren(...pairs.flatMap(([k, v]) => [el("dt", {}, tr(k)), el("dd", {}, v)]),
      el("dd", { class: "muted" }, tr("owner_bound", { n: o.case_number })));
    $("owner-card").hidden = false;
  });
}

function onSubmit(id, handler) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    handler();
  });
}

async function main() {
  state.session = loadSession();
  if (!state.session) return goToLogin();
  mountLangToggle($("lang-toggle"));
  onLangChange(render);
  render();
  $("logout").addEventListener("click", () => logout(state.session, null));
  onSubmit("register-form", register);
  onSubmit("transfer-form", transfer);
  onSubmit("cancel-form", cancel);
  onSubmit("import-form", importFile);
  onSubmit("owner-form", lookupOwner);
  onSubmit("filter-form", () => withButton(null, "list-error", loadList));
  await loadList();
  document.body.dataset.ready = "1";
}

main().catch((err) => {
  showError("list-error", err instanceof ApiError ? err.text() : tr("load_failed"));
  throw err;
});
