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

// Session's calls over its one WebAssembly export, `sessionCall(call, id)` (session.rs says why):
// each is a request signed by the session key, answered and checked in the WebAssembly.
const SESSION_CALL = { account: 0, list: 1, end: 2, endOthers: 3, endAll: 4 };

Object.defineProperties(wasm.Session.prototype, {
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
