// Every error code that the protocol, the worker and the client package can produce has a plain-language
// message in web/src/js/messages.js. The codes come from docs/error-codes.json, which tools/error-codes
// writes from the Rust ALL lists (cargo test fails when it is stale), so a new code without words fails here.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { WorkerClientCode } from "../../client-wasm/js/errors.js";
import { explain, IN_CONTEXT, MESSAGES, PAGE_CODES } from "../../web/src/js/messages.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

// The one list of codes, written from the Rust ALL lists (tools/error-codes), and the codes the Web
// Worker client raises itself.
const LIST = JSON.parse(readFileSync(join(root, "docs/error-codes.json"), "utf8"));
const codesOf = (part) => LIST[part].map((entry) => (typeof entry === "string" ? entry : entry.code));

for (const [part, what, fewest] of [
  ["protocol", "protocol error code", 17],
  ["server", "error code the worker answers with", 10],
  ["client", "error code the client package raises", 5],
]) {
  test(`every ${what} has a message`, () => {
    const codes = codesOf(part);
    assert.ok(codes.length >= fewest, `docs/error-codes.json lists only ${codes.length} ${part} codes`);
    assert.deepEqual(codes.filter((code) => !MESSAGES[code]), []);
  });
}

test("every code the Web Worker client raises has a message", () => {
  const codes = Object.values(WorkerClientCode);
  assert.ok(codes.includes("terminated"), "WorkerClientCode is not the list it was");
  assert.deepEqual(codes.filter((code) => !MESSAGES[code]), []);
});

test("there are words only for codes that something raises", () => {
  const known = new Set([
    ...["protocol", "server", "client"].flatMap(codesOf),
    ...Object.values(WorkerClientCode),
    ...PAGE_CODES,
  ]);
  const contextual = Object.values(IN_CONTEXT).flatMap((messages) => Object.keys(messages));
  assert.deepEqual([...Object.keys(MESSAGES), ...contextual].filter((code) => !known.has(code)), []);
});

test("messages are plain sentences, not codes", () => {
  for (const [code, text] of Object.entries(MESSAGES)) {
    assert.match(text, /^[A-Z].*[.!?)]$/s, `${code}: ${text}`);
    if (code.includes("_")) assert.ok(!text.includes(code), `${code} repeats its code`);
  }
});

test("explain: known, contextual, unknown and thrown values", () => {
  assert.equal(explain({ code: "unknown_key" }).text, MESSAGES.unknown_key);
  assert.notEqual(explain({ code: "unknown_key" }, "confirm").text, MESSAGES.unknown_key);
  const unknown = explain({ code: "brand_new_code", message: "what the server said", status: 418 });
  assert.equal(unknown.code, "brand_new_code");
  assert.equal(unknown.serverMessage, "what the server said");
  assert.equal(unknown.status, 418);
  assert.equal(explain(new TypeError("Failed to fetch")).code, "network_error");
  assert.equal(explain("just a string").code, "unknown_error");
  assert.equal(explain({ code: "<script>" }).code, "unknown_error");
  assert.match(explain({ code: "rate_limited", retryAfter: 30 }).text, /30 seconds/);
  assert.match(explain({ code: "rate_limited", retryAfter: 600 }).text, /10 minutes/);
  assert.match(explain({ code: "guess_budget_exhausted", retryAfter: 3000 }).text, /try again in 50 minutes/);
  assert.match(explain({ code: "guess_budget_exhausted", retryAfter: 20_000 }).text, /try again in 6 hours/);
  assert.equal(explain({ code: "guess_budget_exhausted" }).text, MESSAGES.guess_budget_exhausted);
});
