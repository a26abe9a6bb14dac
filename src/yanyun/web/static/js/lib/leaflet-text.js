// Leaflet writes a tooltip's or popup's string content as HTML. Every string
// these pages put there comes from data (names, call signs, post titles), so
// strings are shown as text; markup is built with DOM nodes (dom.js `el`).
// Imported for its effect by every page that draws a map.
const overlay = globalThis.L?.DivOverlay?.prototype;
if (overlay && !overlay.yyTextOnly) {
  overlay.yyTextOnly = true;
  overlay._updateContent = function updateContentAsText() {
    if (!this._content) return;
    const node = this._contentNode;
    const content = typeof this._content === "function"
      ? this._content(this._source || this) : this._content;
    if (typeof content === "string") {
      node.textContent = content;
    } else {
      node.replaceChildren(content);
    }
    this.fire("contentupdate");
  };
}
