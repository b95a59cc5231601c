// The package's API over the wasm-bindgen glue, shared by the browser entry (index.js) and the Node
// entry (node.js), which differ only in how they fetch the .wasm bytes.

import initWasm, * as wasm from "./wasm/notary_client.js";

import { NotaryError } from "./errors.js";

export { NotaryError };

export const { Evaluation, KeyPair, NotaryClient, Session, releaseKdfMemory } = wasm;

/** A module that only validates where WebAssembly SIMD (128-bit) is supported: `i8x16.popcnt`. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether this engine runs the SIMD build (every current browser and Node 16.4+ does). */
export function simdSupported() {
  return WebAssembly.validate(SIMD_PROBE);
}

let loader = null;
let loading = null;
let loaded = null;

/** Set by the entry point: returns what wasm-bindgen's init accepts (URL, Response, bytes, Module). */
export function setWasmLoader(load) {
  loader = load;
}

/**
 * Loads and instantiates the WebAssembly module (once; later calls return the same promise).
 * In Node, importing the package has already done it. In a browser, `await ready()` before using
 * anything else. `options.module` overrides where the .wasm comes from (a URL, a `Response`, the
 * bytes, or a compiled `WebAssembly.Module`), for hosts that serve it elsewhere.
 * @param {{ module?: URL | string | Response | BufferSource | WebAssembly.Module }} [options]
 * @returns {Promise<{ simd: boolean }>}
 */
export function ready(options = {}) {
  if (!loading) {
    const simd = simdSupported();
    loading = (async () => {
      const source = options.module ?? (await loader(simd));
      await initWasm({ module_or_path: source });
      loaded = { simd };
      return loaded;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Whether `ready()` has completed. */
export function isReady() {
  return loaded !== null;
}

// `KeyPair.token(spec)`: the general form of the typed token methods (`signupToken`, ...), which
// come from the WebAssembly. Each kind names the method that signs it; nothing else is done here.
const TOKEN_METHODS = {
  signup: (key, spec) => key.signupToken(spec.audience, spec.lifetime),
  confirm: (key, spec) => key.confirmToken(spec.audience, spec.confirmation, spec.lifetime),
  change: (key, spec) => key.changeToken(spec.audience, spec.lifetime),
  disable: (key, spec) => key.disableToken(spec.audience, spec.lifetime),
  request: (key, spec) => key.requestToken(spec.audience, spec.method, spec.url, spec.body, spec.lifetime),
  assertion: (key, spec) => key.assertionToken(spec.audience, spec.lifetime),
};

Object.defineProperty(wasm.KeyPair.prototype, "token", {
  value(spec) {
    const kind = spec?.kind;
    if (typeof kind !== "string" || !Object.hasOwn(TOKEN_METHODS, kind)) {
      throw new NotaryError("invalid_argument", "kind must be signup, confirm, change, disable, request or assertion");
    }
    return TOKEN_METHODS[kind](this, spec);
  },
});

// The flows of NotaryClient that the WebAssembly does not export as such: changePassword's choice
// between its two paths, and the conveniences over evaluate and the key's own token methods.
Object.defineProperties(wasm.NotaryClient.prototype, {
  changePassword: {
    value(newKey, currentKey) {
      return currentKey === undefined || currentKey === null
        ? this.changePasswordByRecovery(newKey)
        : this.changePasswordSigned(newKey, currentKey);
    },
  },
  keyFor: {
    async value(address, password, options) {
      const evaluation = await this.evaluate(address, password, options);
      try {
        return evaluation.deriveKey();
      } finally {
        // The evaluation holds the password and the OPRF output until freed (zeroised then).
        evaluation.free();
      }
    },
  },
  assertion: {
    value(key, audience, lifetimeSecs) {
      return key.assertionToken(audience, lifetimeSecs);
    },
  },
});

// Sessions (issue 13). The WebAssembly holds the session key and makes every token and request
// (session.rs); here is the plain-data work around it: the WebCrypto key's generation, the session's
// fields, its stored record and that record's checks, and the calls over the one export
// `sessionCall(call, id)`.

/** The fields of each Session made here (the WebAssembly object holds only the key). */
const sessionFields = new WeakMap();

function fieldsOf(session) {
  const fields = sessionFields.get(session);
  if (!fields) throw new NotaryError("invalid_argument", "not a session made by createSession or resumeSession");
  return fields;
}

function invalid(message) {
  return new NotaryError("invalid_argument", message);
}

/** base64url without padding (RFC 4648 section 5), of a public key's 32 bytes. */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The 32 bytes of a public JWK's `x`, or null unless it is their canonical base64url. */
function publicKeyBytes(x) {
  if (typeof x !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(x)) return null;
  const bytes = Uint8Array.from(atob(`${x.replace(/-/g, "+").replace(/_/g, "/")}=`), (c) => c.charCodeAt(0));
  return base64url(bytes) === x ? bytes : null;
}

/**
 * A WebCrypto Ed25519 key pair made with `extractable: false`, usable only to sign, and its public
 * key's bytes; null where WebCrypto cannot make one (no `crypto.subtle` outside secure contexts, or no
 * Ed25519: NotSupportedError).
 */
async function webCryptoKey() {
  try {
    const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign"]);
    // Public keys are always extractable.
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
    return raw.length === 32 ? { privateKey, raw } : null;
  } catch {
    return null;
  }
}

const isNumber = (value) => typeof value === "number";

Object.defineProperties(wasm.NotaryClient.prototype, {
  createSession: {
    async value(key, options) {
      if (!(key instanceof wasm.KeyPair)) throw invalid("the argument `key` must be a KeyPair");
      const label = options?.label ?? undefined;
      if (label !== undefined && typeof label !== "string") {
        throw invalid("the label must be 1 to 64 characters, none of them a control or format character");
      }
      const pair = options?.memoryOnly === true ? null : await webCryptoKey();
      const session = this.sessionKey(key.address, pair?.raw ?? new Uint8Array(0), pair?.privateKey);
      try {
        const { session: info } = await this.certifySession(key, session, label);
        sessionFields.set(session, {
          baseUrl: this.baseUrl,
          address: key.address,
          id: info.id,
          label: info.label,
          createdAt: info.created_at,
          expiresAt: info.expires_at,
          idleExpiresAt: info.idle_expires_at,
          created: info,
          privateKey: pair?.privateKey,
          x: pair && base64url(pair.raw),
        });
        return session;
      } catch (error) {
        session.free();
        throw error;
      }
    },
  },
  resumeSession: {
    value(stored) {
      const { version, baseUrl, id, address, keyId, publicJwk, label, createdAt, expiresAt, privateKey } = stored ?? {};
      const plain =
        version === 1 &&
        [baseUrl, id, address, keyId, label].every((text) => typeof text === "string") &&
        isNumber(createdAt) &&
        isNumber(expiresAt) &&
        publicJwk?.kty === "OKP" &&
        publicJwk.crv === "Ed25519";
      if (!plain) throw invalid("not a stored session");
      if (baseUrl !== this.baseUrl) throw invalid("the stored session belongs to another server");
      // The id goes into a path (`end(id)`, `signOut()`): base64url characters only.
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw invalid("not a session id");
      const raw = publicKeyBytes(publicJwk.x);
      if (!raw || privateKey?.type !== "private") throw invalid("the stored session's keys do not match");
      const session = this.sessionKey(address, raw, privateKey);
      if (session.keyId !== keyId) {
        session.free();
        throw invalid("the stored session's keys do not match");
      }
      sessionFields.set(session, { baseUrl, address, id, label, createdAt, expiresAt, idleExpiresAt: undefined, privateKey, x: publicJwk.x });
      return session;
    },
  },
});

// Session's calls over its one WebAssembly export, `sessionCall(call, arg, init)` (session.rs says
// why): each is a request signed by the session key, answered and checked in the WebAssembly.
const SESSION_CALL = { account: 0, list: 1, end: 2, endOthers: 3, endAll: 4, signedFetch: 5 };

const field = (name) => ({
  get() {
    return fieldsOf(this)[name];
  },
});

Object.defineProperties(wasm.Session.prototype, {
  id: field("id"),
  address: field("address"),
  label: field("label"),
  createdAt: field("createdAt"),
  expiresAt: field("expiresAt"),
  idleExpiresAt: field("idleExpiresAt"),
  created: field("created"),
  persistent: {
    get() {
      return fieldsOf(this).privateKey !== undefined;
    },
  },
  toStored: {
    value() {
      const { baseUrl, id, address, x, label, createdAt, expiresAt, privateKey } = fieldsOf(this);
      if (privateKey === undefined) {
        throw invalid("this session's key is in WebAssembly memory and cannot be stored");
      }
      const publicJwk = { kty: "OKP", crv: "Ed25519", x };
      return { version: 1, baseUrl, id, address, keyId: this.keyId, publicJwk, label, createdAt, expiresAt, privateKey };
    },
  },
  signedFetch: {
    value(url, init) {
      return this.sessionCall(SESSION_CALL.signedFetch, String(url), init);
    },
  },
  account: {
    value() {
      return this.sessionCall(SESSION_CALL.account);
    },
  },
  list: {
    value() {
      return this.sessionCall(SESSION_CALL.list);
    },
  },
  end: {
    value(id) {
      if (typeof id !== "string") {
        return Promise.reject(new NotaryError("invalid_argument", "the argument `id` is missing or not a string"));
      }
      return this.sessionCall(SESSION_CALL.end, id);
    },
  },
  endOthers: {
    value() {
      return this.sessionCall(SESSION_CALL.endOthers);
    },
  },
  endAll: {
    value() {
      return this.sessionCall(SESSION_CALL.endAll);
    },
  },
  signOut: {
    // A session the server already forgot (ended elsewhere, expired) is signed out all the same.
    async value() {
      try {
        return await this.sessionCall(SESSION_CALL.end, this.id);
      } catch (error) {
        if (error?.code === "unknown_key" || error?.code === "unknown_session") return { status: "ended", ended: 0 };
        throw error;
      }
    },
  },
});
