// The fields of an emailed link's fragment (`#name=value&...`): the confirmation links
// (confirm.html) and the sign-in ticket links (index.html). Links carry their secrets in the
// fragment, which never reaches a server log or a Referer.

/**
 * The fragment's fields, decoded by hand: URLSearchParams would turn a "+" of an address into a
 * space. Null when a value is not valid percent-encoding.
 * @param {string} hash `location.hash`
 * @returns {Map<string, string> | null}
 */
export function fragmentFields(hash) {
  const fields = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return null;
    }
  }
  return fields;
}

/** Takes the fragment out of the address bar and the history: a link's secret is kept in memory only. */
export function clearFragment() {
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname + window.location.search);
}
