// The technician app's service worker (scope /tech/). The shell (page, scripts, styles,
// MapLibre, the translations) is precached so the app opens without a signal; the day's data
// and photos answer from the network first and fall back to the cache; street tiles are kept
// as they are seen. Writes (POST) are never touched here: the page queues them in IndexedDB.
const VERSION = "{{ version }}";
const SHELL_CACHE = `tech-shell-${VERSION}`;
const DATA_CACHE = "tech-data";
const TILE_CACHE = "tech-tiles";
const SHELL = {{ shell|safe }};
const PAGE = SHELL[0];
const [DAY_URL, MEDIA_PREFIX] = {{ data_urls|safe }};
const TILES_PREFIX = {{ tiles_url|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "same-origin", cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("tech-shell-") && key !== SHELL_CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, cacheKey = request) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(cacheKey, { ignoreSearch: cacheName === SHELL_CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(networkFirst(request, SHELL_CACHE, PAGE));
  } else if (SHELL.includes(url.pathname + url.search)) {
    // Fresh when online (a new translation, a new page), the precached copy otherwise.
    event.respondWith(networkFirst(request, SHELL_CACHE, url.pathname + url.search));
  } else if (url.pathname === DAY_URL || url.pathname.startsWith(MEDIA_PREFIX)) {
    event.respondWith(networkFirst(request, DATA_CACHE));
  } else if (url.pathname.startsWith(`${TILES_PREFIX}streets/`)) {
    event.respondWith(cacheFirst(request, TILE_CACHE));
  }
});
