// Labels in zh-CN (first) and English; the choice is remembered in localStorage.

import { TEXT } from "../text/common.js";

const STORAGE_KEY = "yanyun.lang";
const LANGS = { zh: "zh-CN", en: "en" };

const listeners = new Set();
let chosen = null;

export function getLang() {
  if (chosen) return chosen;
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  return saved === "en" ? "en" : "zh";
}

export function htmlLang(lang = getLang()) {
  return LANGS[lang];
}

/** The message of an API error, or of a {zh-CN, en} pair, in the current language. */
export function pick(pair) {
  if (!pair) return "";
  if (typeof pair === "string") return pair;
  return getLang() === "en" ? pair.en || pair["zh-CN"] : pair["zh-CN"] || pair.en;
}

/**
 * A label lookup over a page's own table of [zh, en] pairs: the returned
 * function takes a key and {name} placeholder values, in the current language.
 */
export function makeTranslator(table) {
  return (key, vars = {}) => {
    const entry = table[key];
    let text = entry ? entry[getLang() === "en" ? 1 : 0] : key;
    for (const [name, value] of Object.entries(vars)) {
      text = text.split(`{${name}}`).join(String(value));
    }
    return text;
  };
}

export const t = makeTranslator(TEXT);

export function fmtNumber(value, digits = 0) {
  return new Intl.NumberFormat(getLang() === "en" ? "en-US" : "zh-CN", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** Fill every [data-i18n] element's text and [data-i18n-<attr>] attribute. */
export function applyI18n(root = document) {
  document.documentElement.lang = htmlLang();
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const attr of ["placeholder", "title", "aria-label"]) {
    const key = `data-i18n-${attr}`;
    for (const el of root.querySelectorAll(`[${key}]`)) {
      el.setAttribute(attr, t(el.getAttribute(key)));
    }
  }
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function setLang(lang) {
  chosen = lang === "en" ? "en" : "zh";
  try {
    localStorage.setItem(STORAGE_KEY, lang === "en" ? "en" : "zh");
  } catch {
    // Private modes may refuse storage; the choice then lasts for this page only.
  }
  applyI18n();
  for (const fn of listeners) fn(getLang());
}

/** Wire a 中文/English segmented toggle: buttons carry data-lang="zh" or "en". */
export function mountLangToggle(container) {
  const buttons = [...container.querySelectorAll("button[data-lang]")];
  const sync = () => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.lang === getLang()));
  };
  for (const b of buttons) {
    b.addEventListener("click", () => {
      setLang(b.dataset.lang);
      sync();
    });
  }
  sync();
}
