// Building DOM nodes without HTML strings: text is never parsed as markup.

/**
 * An element with attributes and children. `class`, `text` (the text content),
 * `style` (set through the CSSOM, which the page's CSP allows where a style
 * attribute is refused), `dataset` and `on<event>` keys are special; attributes that are null,
 * undefined or false are left out, true gives an empty (present) attribute, and
 * null, undefined and false children are left out too (arrays are flattened).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "style") node.style.cssText = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Text for a widget that would read a string as HTML (a Leaflet tooltip): a text node. */
export function textOf(value) {
  return document.createTextNode(String(value ?? ""));
}
