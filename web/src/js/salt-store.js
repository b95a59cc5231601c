// The pages' salt store (the client package's `SaltStore`): the salt answers of the addresses used on
// this device, kept in localStorage under the server's base URL and the canonical address, so that
// signing in again does not depend on POST /salt. A salt answer holds nothing secret (the server gives
// it to anyone who asks for the address): the address, its salt and the key-making parameters. The
// client package checks what comes back from here as it checks a fresh answer, and asks the server
// again for anything it cannot use.

const PREFIX = "notary.salt:";

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: every sign-in asks the server, as without a store
  }
}

function key(baseUrl, address) {
  return `${PREFIX}${JSON.stringify([baseUrl, address])}`;
}

/** @type {import("/vendor/notary-client/index.js").SaltStore} */
export const saltStore = {
  get(baseUrl, address) {
    try {
      const text = storage()?.getItem(key(baseUrl, address));
      return text ? JSON.parse(text) : null;
    } catch {
      return null; // unreadable: as good as none
    }
  },
  set(baseUrl, address, answer) {
    try {
      storage()?.setItem(key(baseUrl, address), JSON.stringify(answer));
    } catch {
      /* full or blocked: the next sign-in asks the server */
    }
  },
};
