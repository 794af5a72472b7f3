// The questionnaires' offline worker (served at /questionnaires/sw.js, scope /questionnaires/): network first, and
// the last good copy of each fill page, xlsform.js and the stylesheets when there is no signal. Answers are never
// kept here: the outbox is IndexedDB on the page (static/js/xlsform.js).
var CACHE = "qform-v1";
self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  var cacheable = url.origin === self.location.origin &&
    (/^\/questionnaires\/[^/]+\/fill\/$/.test(url.pathname) || /^\/static\/(js\/xlsform|css\/(xlsform|app))/.test(url.pathname));
  if (!cacheable) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) { return hit || cache.match(request, { ignoreSearch: true }); });
    });
  }));
});
