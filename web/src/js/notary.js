// The page's one Notary client: the npm package's Web Worker client, vendored into /vendor/notary-client/
// by web/build.sh. The keys are made and kept inside that worker (the device session's key also in
// IndexedDB, non-extractable); this page only ever holds the address and the keys' fingerprints.
// Every key derivation that starts is recorded as a User Timing mark, `notary-derivation`, whatever
// form asked for it: a signed-in reload must show none (tests/e2e/sessions.test.mjs counts them).

import { createWorkerClient } from "/vendor/notary-client/worker-client.js";

/** The User Timing mark of each derivation's start (`performance.getEntriesByName(DERIVATION_MARK)`). */
export const DERIVATION_MARK = "notary-derivation";

/** The client's methods that derive a key, and the index of their options argument. */
const DERIVING = new Map([
  ["deriveKey", 2],
  ["deriveNewKey", 1],
  ["signIn", 2],
]);

/** @type {ReturnType<typeof createWorkerClient> | null} */
let client = null;

/** `onProgress` that also marks each derivation's `start` (every derivation, with or without a form). */
function marking(onProgress) {
  return (event) => {
    if (event?.phase === "start") {
      try {
        performance.mark(DERIVATION_MARK, { detail: { kdfVersion: event.kdfVersion ?? 2 } });
      } catch {
        /* no User Timing: nothing to count with */
      }
    }
    onProgress?.(event);
  };
}

/** The worker client, with each deriving method's progress marked. */
function withDerivationMarks(inner) {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      const at = typeof property === "string" ? DERIVING.get(property) : undefined;
      if (at === undefined || typeof value !== "function") return value;
      return (...args) => {
        const options = args[at] && typeof args[at] === "object" ? args[at] : {};
        args[at] = { ...options, onProgress: marking(options.onProgress) };
        return value.apply(target, args);
      };
    },
  });
}

/** The client, started on first use. Throws `{ code: "worker_unavailable" }` where it cannot run. */
export function notary() {
  if (client) return client;
  if (typeof Worker !== "function" || typeof WebAssembly !== "object") {
    throw Object.assign(new Error("Web Workers or WebAssembly are not available"), { code: "worker_unavailable" });
  }
  // The server's public URI is this page's origin: pages and API are served together.
  client = withDerivationMarks(createWorkerClient({ baseUrl: window.location.origin }));
  return client;
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

// Leaving the page ends the worker, so that no account key outlives the page, not even in the
// back/forward cache; a page restored from that cache starts again and resumes the device session, if
// the browser keeps one (its key is the client package's, non-extractable, in IndexedDB).
window.addEventListener("pagehide", closeNotary);
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});
