// Persons and vehicles of interest (涉案人员/车辆) and evidence references (证据) on a case's
// workspace. Parties come masked from the server; "show in full" is a personal-data read
// named by the case (the server checks the reader is a member of the open case and audits
// it, so the read appears on the timeline). A revealed value is kept only in this page's
// memory until the next reload.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { $, fmtLocal, fromShanghaiInput, shanghaiInput, showError, tr, withButton } from "./common.js";

const KINDS = ["phone", "ebike", "plate", "person"];
const ROLES = ["suspect", "victim", "witness", "other"];
const EVIDENCE = ["photo", "clip", "document"];
const ctx = { session: null, detail: null, refresh: null, revealed: new Map() };

const call = (path, body) => api(`/api/v1/cases/${encodeURIComponent(ctx.detail.id)}${path}`, {
  method: "POST", body, token: ctx.session.token,
});

function options(select, keys, prefix) {
  const current = select.value || keys[0];
  select.replaceChildren(...keys.map((k) => el("option", { value: k, selected: k === current }, tr(`${prefix}${k}`))));
}

/** Show only the inputs the chosen kind needs. */
function showFields(attr, kind) {
  for (const node of document.querySelectorAll(`[data-${attr}]`)) {
    node.hidden = !node.dataset[attr].split(" ").includes(kind);
  }
}

function subject(p) {
  const full = ctx.revealed.get(p.id);
  if (full) {
    const parts = [full.plate, full.name, full.id_number, full.phone].filter(Boolean);
    return el("span", { class: "revealed", dataset: { revealed: "1" } }, parts.join(" · "),
      el("span", { class: "muted" }, ` ${tr("revealed", { n: full.case_number })}`));
  }
  return el("span", {}, [p.plate, p.name, p.id_number, p.phone].filter(Boolean).join(" · "));
}

function reason() {
  const text = $("party-reason").value.trim();
  if (!text) showError("party-error", tr("need_party_reason"));
  return text;
}

function reveal(p) {
  const purpose = reason();
  if (!purpose) return;
  withButton(null, "party-error", async () => {
    ctx.revealed.set(p.id, await call(`/parties/${encodeURIComponent(p.id)}/reveal`, { purpose }));
    await ctx.refresh();
  });
}

function remove(p) {
  const why = reason();
  if (!why) return;
  withButton(null, "party-error", async () => {
    await call(`/parties/${encodeURIComponent(p.id)}/remove`, { reason: why });
    await ctx.refresh();
  });
}

function partyRow(p, canWork, isMember) {
  const gone = Boolean(p.removed_at);
  return el("tr", { class: gone ? "removed" : "", dataset: { kind: p.kind, partyId: p.id } },
    el("td", {}, tr(`pkind_${p.kind}`)),
    el("td", {}, tr(`prole_${p.role}`)),
    el("td", {}, subject(p)),
    el("td", {}, gone ? tr("removed_by", { who: p.removed_by, why: p.removed_reason }) : p.note),
    el("td", { class: "muted" }, `${p.added_by} · ${fmtLocal(p.added_at).slice(5)}`),
    el("td", {},
      isMember && !gone && p.kind !== "plate" && p.kind !== "ebike" && !ctx.revealed.has(p.id)
        ? el("button", { type: "button", class: "btn btn-small", dataset: { action: "reveal" }, onclick: () => reveal(p) }, tr("reveal"))
        : null,
      // An e-bike on the case: its owner is one lookup away (the search card, bound to the case).
      isMember && !gone && p.kind === "ebike"
        ? el("button", { type: "button", class: "btn btn-small", dataset: { action: "owner" }, onclick: () => {
          $("owner-plate").value = p.plate;
          $("owner-purpose").focus();
        } }, tr("use_plate"))
        : null,
      canWork && !gone
        ? el("button", { type: "button", class: "btn btn-small", dataset: { action: "remove" }, onclick: () => remove(p) }, tr("remove"))
        : null));
}

function evidenceItem(e) {
  let ref = e.document_number || "";
  if (e.kind === "photo") ref = `SHA-256 ${e.photo_digest.slice(0, 16)}…`;
  if (e.kind === "clip") ref = `${e.camera_code} ${fmtLocal(e.clip_start)} – ${fmtLocal(e.clip_end).slice(11)}`;
  return el("li", { dataset: { kind: e.kind } },
    el("span", { class: "badge" }, tr(`ekind_${e.kind}`)),
    el("span", {}, e.title),
    el("span", { class: "muted" }, `${ref} · ${e.added_by} · ${fmtLocal(e.added_at).slice(5)}`));
}

/** Draw the parties and the evidence of the case (called on every refresh). */
export function renderParties(detail) {
  ctx.detail = detail;
  const canWork = detail.status !== "closed";
  const isMember = Boolean(detail.my_role) && detail.status === "open";
  options($("party-kind"), KINDS, "pkind_");
  options($("party-role"), ROLES, "prole_");
  options($("evidence-kind"), EVIDENCE, "ekind_");
  showFields("pfield", $("party-kind").value);
  showFields("efield", $("evidence-kind").value);
  const rows = detail.parties.map((p) => partyRow(p, canWork, isMember));
  $("party-table").querySelector("tbody").replaceChildren(...(rows.length ? rows
    : [el("tr", {}, el("td", { colspan: "6", class: "muted" }, tr("no_parties")))]));
  const items = detail.evidence.map(evidenceItem);
  $("evidence-list").replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, tr("no_evidence"))]));
  $("party-form").hidden = !canWork;
  $("evidence-form").hidden = !canWork;
  document.body.dataset.parties = String(detail.parties.filter((p) => !p.removed_at).length);
  document.body.dataset.evidence = String(detail.evidence.length);
}

async function addParty() {
  const kind = $("party-kind").value;
  const value = (id) => $(id).value.trim() || null;
  const body = { kind, role: $("party-role").value, note: $("party-note").value.trim() };
  if (kind === "plate" || kind === "ebike") body.plate = value("party-plate");
  if (kind === "phone" || kind === "person") body.phone = value("party-phone");
  if (kind === "person") Object.assign(body, { name: value("party-name"), id_number: value("party-id-number") });
  await withButton($("party-btn"), "party-error", async () => {
    await call("/parties", body);
    for (const id of ["party-plate", "party-phone", "party-name", "party-id-number", "party-note"]) $(id).value = "";
    await ctx.refresh();
  });
}

async function addEvidence() {
  const kind = $("evidence-kind").value;
  const body = { kind, title: $("evidence-title").value.trim() };
  if (kind === "photo") body.photo_digest = $("evidence-digest").value.trim() || null;
  if (kind === "document") body.document_number = $("evidence-document").value.trim() || null;
  if (kind === "clip") {
    Object.assign(body, { camera_code: $("evidence-camera").value.trim() || null,
      clip_start: fromShanghaiInput($("evidence-start").value), clip_end: fromShanghaiInput($("evidence-end").value) });
  }
  await withButton($("evidence-btn"), "evidence-error", async () => {
    await call("/evidence", body);
    for (const id of ["evidence-title", "evidence-digest", "evidence-document"]) $(id).value = "";
    await ctx.refresh();
  });
}

/** Wire the forms; ``refresh`` reloads the case and redraws the page. */
export function mountParties({ session, detail, refresh }) {
  Object.assign(ctx, { session, detail, refresh });
  const bind = (id, fn) => $(id).addEventListener("submit", (e) => { e.preventDefault(); fn(); });
  bind("party-form", addParty);
  bind("evidence-form", addEvidence);
  $("party-kind").addEventListener("change", () => showFields("pfield", $("party-kind").value));
  $("evidence-kind").addEventListener("change", () => showFields("efield", $("evidence-kind").value));
  const at = detail.occurred_at ? Date.parse(detail.occurred_at) : Date.now() - 3_600_000;
  $("evidence-start").value = shanghaiInput(at - 300_000);
  $("evidence-end").value = shanghaiInput(at + 300_000);
  renderParties(detail);
}
