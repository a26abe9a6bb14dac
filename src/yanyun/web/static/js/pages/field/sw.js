// The field app's service worker: the app shell is kept on the phone, so the
// page opens with no network and its outbox (IndexedDB) can be worked and sent
// later. Network first (a deployed update arrives at once), the kept copy when
// the network fails. API calls are never answered from here: an action is kept
// by the page's outbox, not by a cached answer.

const CACHE = "yanyun-field-v2";
const SHELL = [
  "/m",
  "/static/css/base.css",
  "/static/css/field.css",
  "/static/field.webmanifest",
  "/static/img/field-icon.svg",
  "/static/js/lib/api.js",
  "/static/js/lib/dom.js",
  "/static/js/lib/gcj02.js",
  "/static/js/lib/i18n.js",
  "/static/js/lib/live.js",
  "/static/js/lib/page.js",
  "/static/js/pages/field/actions.js",
  "/static/js/pages/field/dispatches.js",
  "/static/js/pages/field/outbox.js",
  "/static/js/pages/field/ring.js",
  "/static/js/pages/field/sos.js",
  "/static/js/pages/field/state.js",
  "/static/js/pages/field.js",
  "/static/js/text/common.js",
  "/static/js/text/field.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname !== "/m" && !url.pathname.startsWith("/static/")) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())),
  );
});
