// Types of notary-client/session-store.

import type { StoredSession } from "./wasm/notary_client.js";

export type { StoredSession };

/**
 * Keeps `stored` (from `Session.toStored()`) in IndexedDB (database `notary-client`, object store
 * `sessions`, key = its `baseUrl`), replacing any earlier session of that server. Rejects with a
 * `NotaryError` of code `session_store_unavailable` where IndexedDB is missing or fails (private
 * modes of some browsers, Node).
 */
export function saveSession(stored: StoredSession): Promise<void>;

/** The stored session of the server at `baseUrl` (its normalised base URL), or `null`. */
export function loadSession(baseUrl: string): Promise<StoredSession | null>;

/** Deletes the stored session of the server at `baseUrl`; resolves when there is none too. */
export function deleteSession(baseUrl: string): Promise<void>;
