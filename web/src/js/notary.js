// The page's one Notary client: the npm package's Web Worker client, vendored into /vendor/notary-client/
// by web/build.sh. The key is made and kept inside that worker; this page only ever holds the address
// and the key's fingerprint.

import { createWorkerClient } from "/vendor/notary-client/worker-client.js";

/** @type {ReturnType<typeof createWorkerClient> | null} */
let client = null;

/** The client, started on first use. Throws `{ code: "worker_unavailable" }` where it cannot run. */
export function notary() {
  if (client) return client;
  if (typeof Worker !== "function" || typeof WebAssembly !== "object") {
    throw Object.assign(new Error("Web Workers or WebAssembly are not available"), { code: "worker_unavailable" });
  }
  // The server's public URI is this page's origin: pages and API are served together.
  client = createWorkerClient({ baseUrl: window.location.origin });
  return client;
}

/** Has the worker zeroise the keys, then stops it: for signing out and after disabling. */
export async function forgetAndClose() {
  const current = client;
  if (!current) return;
  try {
    await current.forget();
  } catch {
    /* the worker is gone already: its memory went with it */
  }
  closeNotary();
}

/** Stops the worker at once (the keys go with its memory): for leaving the page. */
export function closeNotary() {
  const current = client;
  client = null;
  if (!current) return;
  try {
    current.terminate();
  } catch {
    /* already gone */
  }
}

// Leaving the page ends the worker, so that no key outlives the page, not even in the back/forward
// cache; a page restored from that cache starts again from its signed-out state.
window.addEventListener("pagehide", closeNotary);
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});
