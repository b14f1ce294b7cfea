/* The Mini App's service worker: the page, the programme and the person's agenda stay
 * readable offline. Network first (a fresh programme when there is a connection), the last
 * good answer when there is none, marked with X-Offline-Copy so the page can say so. */
'use strict';

const CACHE = 'forum-app-v1';
const PAGE = ['./', 'app.js', 'app.css', 'manifest.webmanifest'];
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PAGE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

async function offlineCopy(request, navigation) {
  const cache = await caches.open(CACHE);
  const scope = self.registration.scope;
  const cached = navigation
    ? await cache.match(scope, { ignoreSearch: true })
    : await cache.match(request);
  if (!cached) return Response.error();
  const headers = new Headers(cached.headers);
  headers.set('X-Offline-Copy', '1');
  const body = await cached.blob();
  return new Response(body, { status: cached.status, statusText: cached.statusText, headers });
}

async function networkFirst(request, navigation) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    // Only good answers are kept: a 401 must never replace the person's saved copy.
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(navigation ? self.registration.scope : request, response.clone());
    }
    return response;
  } catch (error) {
    return offlineCopy(request, navigation);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Saving and removing stars go straight to the server; the page queues them when offline.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.href.startsWith(self.registration.scope)) return;
  event.respondWith(networkFirst(request, request.mode === 'navigate'));
});
