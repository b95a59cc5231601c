// Every error code that the protocol, the worker and the client package can produce has a plain-language
// message in web/src/js/messages.js. The codes are read from their sources, so a new code without words
// fails here.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { explain, MESSAGES } from "../../web/src/js/messages.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir, extension) {
  const path = join(root, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path, { recursive: true })
    .filter((name) => String(name).endsWith(extension))
    .map((name) => readFileSync(join(path, String(name)), "utf8"));
}

function codesIn(texts, patterns) {
  const codes = new Set();
  for (const text of texts) {
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]);
  }
  return [...codes].sort();
}

test("every protocol error code has a message", () => {
  const errorRs = readFileSync(join(root, "protocol/src/error.rs"), "utf8");
  const codes = codesIn([errorRs], [/Self::\w+ => "([a-z_]+)"/g]);
  assert.ok(codes.length >= 16, `found only ${codes.length} protocol codes`);
  assert.deepEqual(codes.filter((code) => !MESSAGES[code]), []);
});

test("every error code the worker answers with has a message", (t) => {
  const path = join(root, "edge-worker/src/error.rs");
  if (!existsSync(path)) return t.skip("edge-worker/src is not there");
  // The worker's own codes: ServerCode::code in edge-worker/src/error.rs.
  const codes = codesIn([readFileSync(path, "utf8")], [/Self::\w+ => "([a-z_]+)"/g]);
  assert.ok(codes.length >= 5, `found only ${codes.length} worker codes`);
  assert.deepEqual(codes.filter((code) => !MESSAGES[code]), []);
});

test("every error code the client package raises has a message", (t) => {
  const rust = sources("client-wasm/src", ".rs");
  const js = sources("client-wasm/js", ".js");
  if (!rust.length) return t.skip("client-wasm/src is not there");
  const codes = codesIn(
    [...rust, ...js],
    [
      /pub const [A-Z_]+: &str = "([a-z_]+)"/g,
      /Self::\w+ => "([a-z_]+)"/g,
      /NotaryError::local\(\s*"([a-z_]+)"/g,
      /\bcode:\s*"([a-z_]+)"/g,
      /\bcode\s*=\s*"([a-z_]+)"/g,
    ],
  );
  assert.ok(codes.includes("network_error"), "the client's network_error was not found");
  assert.deepEqual(codes.filter((code) => !MESSAGES[code]), []);
});

test("the codes named by the HTTP API description have messages", () => {
  for (const code of [
    "invalid_request", "body_too_large", "unsupported_media_type", "origin_not_allowed", "unauthorized",
    "not_found", "method_not_allowed", "rate_limited", "replayed", "unknown_key", "account_disabled",
    "confirmation_invalid", "key_in_use", "internal", "network_error",
  ]) {
    assert.ok(MESSAGES[code], code);
  }
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
});
