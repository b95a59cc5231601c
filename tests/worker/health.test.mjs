// GET /health, the discovery document, the configuration checks, routing between the pages and the
// API, and the error shape.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshAddress } from "../support/flows.mjs";
import { randomBlinded } from "../support/oprf.mjs";
import { claimsFor, newKey, signToken } from "../support/tokens.mjs";
import { DEV_SECRETS, read, startWorker } from "../support/worker.mjs";

/** An OPRF_SEED that is not the published one (as `openssl rand -hex 32` writes them). */
const STRONG_OPRF_SEED = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("health and routing", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("GET /health answers after querying the migrated schema", async () => {
    const res = await read(await w.fetch("/health"));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: "ok", database: "ok" });
    assert.equal(res.headers.get("content-type"), "application/json");
  });

  test("the pages are served as static assets, the API paths reach the worker", async () => {
    for (const page of ["/", "/inbox.html", "/confirm.html", "/account.html"]) {
      const res = await w.fetch(page);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get("content-type"), /text\/html/, page);
      await res.arrayBuffer();
    }
    // /account must be the API even though account.html exists.
    const account = await read(await w.fetch("/account"));
    assert.equal(account.status, 401);
    assert.equal(account.body.error, "unauthorized");
  });

  test("GET /.well-known/notary tells the audience of every token, and may be cached", async () => {
    const res = await read(await w.fetch("/.well-known/notary"));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { audience: w.publicUri });
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
    // It is the aud the service takes.
    const address = freshAddress("discovery");
    const token = signToken("signup", claimsFor(address, res.body.audience), newKey());
    assert.equal((await w.fetch("/signup", { json: { token } })).status, 202);
    const post = await read(await w.fetch("/.well-known/notary", { json: {} }));
    assert.equal(post.status, 405);
    assert.equal(post.body.error, "method_not_allowed");
    assert.equal((await read(await w.fetch("/.well-known/other"))).body.error, "not_found");
  });

  test("unknown paths and wrong methods get JSON errors", async () => {
    const missing = await read(await w.fetch("/nope"));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, "not_found");
    assert.equal(typeof missing.body.message, "string");
    const wrong = await read(await w.fetch("/salt"));
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error, "method_not_allowed");
  });
});

describe("health without migrations", () => {
  test("GET /health is 503 when the schema is missing", async () => {
    const w = await startWorker({ migrate: false });
    try {
      const res = await read(await w.fetch("/health"));
      assert.equal(res.status, 503);
      assert.equal(res.body.error, "database_unavailable");
    } finally {
      await w.close();
    }
  });
});

describe("configuration", () => {
  test("development secrets are refused when PUBLIC_URI is not loopback", async () => {
    const w = await startWorker({ vars: { PUBLIC_URI: "https://notary.example" } });
    try {
      for (const path of ["/health", "/salt"]) {
        const res = await read(await w.fetch(path, path === "/salt" ? { json: { address: "a@example.com", blinded: randomBlinded() } } : {}));
        assert.equal(res.status, 503, path);
        assert.equal(res.body.error, "misconfigured");
        assert.doesNotMatch(res.text, /SALT_SECRET|local-development/);
      }
    } finally {
      await w.close();
    }
  });

  test("strong secrets are accepted outside local development", async () => {
    const strong = (name) => `${name}-0123456789abcdef0123456789abcdef`;
    const w = await startWorker({
      vars: {
        PUBLIC_URI: "https://notary.example",
        SALT_SECRET: strong("salt"),
        CONFIRMATION_SECRET: strong("confirm"),
        ADMIN_SECRET: strong("admin"),
        OPRF_SEED: STRONG_OPRF_SEED,
      },
    });
    try {
      const res = await read(await w.fetch("/health"));
      assert.equal(res.status, 200);
      // The audience is PUBLIC_URI, not the URL the request was addressed to.
      const discovery = await read(await w.fetch("/.well-known/notary"));
      assert.deepEqual(discovery.body, { audience: "https://notary.example" });
    } finally {
      await w.close();
    }
  });

  test("OPRF_SEED: missing, malformed, or the published one outside loopback is refused (503 misconfigured)", async () => {
    const strong = (name) => `${name}-0123456789abcdef0123456789abcdef`;
    const remote = {
      PUBLIC_URI: "https://notary.example",
      SALT_SECRET: strong("salt"),
      CONFIRMATION_SECRET: strong("confirm"),
      ADMIN_SECRET: strong("admin"),
    };
    for (const [label, vars] of [
      ["missing, locally", { OPRF_SEED: undefined }],
      ["not 64 hex characters, locally", { OPRF_SEED: "local-development-oprf-seed" }],
      ["the published value outside loopback", { ...remote, OPRF_SEED: DEV_SECRETS.OPRF_SEED }],
      ["the published value in upper case outside loopback", { ...remote, OPRF_SEED: DEV_SECRETS.OPRF_SEED.toUpperCase() }],
    ]) {
      const w = await startWorker({ vars });
      try {
        for (const path of ["/health", "/salt"]) {
          const res = await read(await w.fetch(path, path === "/salt" ? { json: { address: "a@example.com", blinded: randomBlinded() } } : {}));
          assert.equal(res.status, 503, `${label} ${path}`);
          assert.equal(res.body.error, "misconfigured");
          assert.ok(!res.text.includes(DEV_SECRETS.OPRF_SEED) && !res.text.includes("OPRF_SEED"), "never named or shown");
        }
      } finally {
        await w.close();
      }
    }
    const w = await startWorker({ vars: { ...remote, OPRF_SEED: STRONG_OPRF_SEED } });
    try {
      assert.equal((await w.fetch("/health")).status, 200, "a real seed is accepted");
    } finally {
      await w.close();
    }
  });

  test("a missing secret is refused even locally", async () => {
    const w = await startWorker({ vars: { ADMIN_SECRET: undefined } });
    try {
      const res = await read(await w.fetch("/health"));
      assert.equal(res.status, 503);
      assert.equal(res.body.error, "misconfigured");
    } finally {
      await w.close();
    }
  });
});
