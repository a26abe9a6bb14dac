// What the cases pages share: their text, Beijing-time inputs and error lines.

import { ApiError } from "../../lib/api.js";
import { getLang } from "../../lib/i18n.js";
import { TEXT } from "../../text/cases.js";

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

export const $ = (id) => document.getElementById(id);

/** The text for a key in the current language, with {name} placeholders filled. */
export function tr(key, vars = {}) {
  const entry = TEXT[key];
  let text = entry ? entry[getLang() === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

/** Fill every [data-t] node and [data-t-placeholder] input of the page. */
export function applyTexts(titleKey) {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = tr(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-placeholder]")) {
    node.placeholder = tr(node.dataset.tPlaceholder);
  }
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  document.title = `${tr("app")} · ${tr(titleKey)}`;
}

/** A datetime-local value for an instant, in Beijing time whatever the browser's zone. */
export function shanghaiInput(ms) {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

export function fromShanghaiInput(value) {
  return value ? `${value}:00+08:00` : null;
}

/** An ISO instant shown as Beijing date and time. */
export function fmtLocal(iso) {
  return iso ? shanghaiInput(Date.parse(iso)).replace("T", " ") : "";
}

/** Show an error line (empty text hides it). */
export function showError(id, text) {
  const box = $(id);
  box.textContent = text || "";
  box.hidden = !text;
}

/** Show an API error on a line, or rethrow anything else. */
export function reportError(id, err) {
  if (err instanceof ApiError) showError(id, err.text());
  else throw err;
}

/** Run an action with its button disabled, reporting API errors on a line. */
export async function withButton(button, errorId, action) {
  showError(errorId, "");
  if (button) button.disabled = true;
  try {
    await action();
  } catch (err) {
    reportError(errorId, err);
  } finally {
    if (button) button.disabled = false;
  }
}
