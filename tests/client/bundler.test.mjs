// The packed npm package inside bundled applications: Vite 8 (Rolldown) and webpack 5, each with its
// defaults, build the same small app in the scratch project, which installed the tarball and imports
// "notary-client" and "notary-client/worker-client" by name. Each built app runs in headless Chromium
// from a static server that forwards every other path to the real worker in workerd
// (startSameOriginServer). For each
// bundler: the build emitted both .wasm files, byte for byte; the main-thread API reproduces the
// shared key vectors (against salt answers Node computes with a real OPRF, tests/client/support.mjs's
// serveFakeSalt); the bundled Web Worker derives, through the server's evaluation, the same key as
// the main thread; nothing was requested from another origin.
//
// Needs `bash client-wasm/scripts/build.sh` and `bash edge-worker/build.sh`.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "../support/chromium.mjs";
import { filesUnder, installPackedPackage, keyVectorRuns, ROOT, serveFakeSalt, startSameOriginServer } from "./support.mjs";

const workerBuilt = existsSync(join(ROOT, "edge-worker/build/index.js"));

const indexHtml = (script) => `<!doctype html>
<meta charset="utf-8">
<title>bundled notary-client</title>
${script}
`;
const MAIN_JS = `import { ready, NotaryClient, NotaryError } from "notary-client";
import { createWorkerClient } from "notary-client/worker-client";

window.bundled = { ready, NotaryClient, NotaryError, createWorkerClient };
document.title = "bundled notary-client: loaded";
`;

/** @type {ReturnType<typeof installPackedPackage>} */
let scratch;
/** The output directory of each bundler, and the one the server currently serves at /. */
const dists = {};
let dist;
/** @type {Awaited<ReturnType<typeof startSameOriginServer>>} */
let app;
let origin;
let browser;
/** @type {import("playwright-core").Page} */
let page;
const requested = [];

/** Builds the app with Vite into `out`; Vite writes index.html itself. */
async function buildWithVite(out) {
  writeFileSync(join(scratch.dir, "index.html"), indexHtml('<script type="module" src="./main.js"></script>'));
  const { build } = await import("vite");
  await build({ root: scratch.dir, configFile: false, logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
}

/** Builds the app with webpack into `out`, then adds the page that loads the bundle. */
async function buildWithWebpack(out) {
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack(
      { mode: "production", context: scratch.dir, entry: "./main.js", output: { path: out, clean: true } },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  assert.equal(stats.hasErrors(), false, stats.toString("errors-only"));
  writeFileSync(join(out, "index.html"), indexHtml('<script defer src="./main.js"></script>'));
}

before(async () => {
  if (!workerBuilt) return;
  scratch = installPackedPackage();
  writeFileSync(join(scratch.dir, "main.js"), MAIN_JS);
  dists.vite = join(scratch.dir, "dist-vite");
  await buildWithVite(dists.vite);
  dists.webpack = join(scratch.dir, "dist-webpack");
  await buildWithWebpack(dists.webpack);

  // The app the current suite opens is served at /: index.html and what the bundler emitted.
  app = await startSameOriginServer((pathname) => ({ dir: dist, path: pathname === "/" ? "index.html" : pathname.slice(1) }));
  origin = app.origin;
  browser = await launchChromium();
  browser.on("request", (request) => requested.push(request.url()));
});

/** Serves the app `bundler` built at / and opens it in a new page. */
async function openApp(bundler) {
  dist = dists[bundler];
  page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.title === "bundled notary-client: loaded");
}

const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

after(async () => {
  await browser?.close();
  await app?.close();
  scratch?.cleanup();
});

for (const bundler of ["vite", "webpack"]) {
  describe(`notary-client bundled by ${bundler}`, { skip: !workerBuilt && "edge-worker/build is missing (bash edge-worker/build.sh)" }, () => {
    before(() => openApp(bundler));
    after(() => page?.close());

    test("the build emits both .wasm files, byte for byte", () => {
      const emitted = filesUnder(dists[bundler])
        .filter((file) => file.endsWith(".wasm"))
        .map((file) => sha256(join(dists[bundler], file)))
        .sort();
      const packaged = ["wasm/notary_client_bg.wasm", "wasm/notary_client_baseline_bg.wasm"]
        .map((file) => sha256(join(scratch.installed, file)))
        .sort();
      assert.deepEqual(emitted, packaged);
    });

    test("the main-thread API loads the SIMD build and reproduces the shared key vectors", async () => {
      const runs = keyVectorRuns();
      const stop = await serveFakeSalt(page, runs);
      try {
        const result = await page.evaluate(async (runs) => {
          const loaded = await bundled.ready();
          const kids = [];
          for (const [n, run] of runs.entries()) {
            const client = new bundled.NotaryClient(`${location.origin}/fake/${n}`);
            const evaluation = await client.evaluate(run.address, run.password);
            const key = run.version === 1 ? evaluation.deriveLegacyKey() : evaluation.deriveKey();
            kids.push(key.keyId);
            for (const object of [key, evaluation, client]) object.free();
          }
          return { loaded, kids };
        }, runs.map(({ address, password, version }) => ({ address, password, version })));
        assert.deepEqual(result.loaded, { simd: true });
        assert.deepEqual(result.kids, runs.map((d) => d.kid));
      } finally {
        await stop();
      }
    });

    test("the bundled Web Worker derives the same key as the main thread from the server's evaluation", async () => {
      const address = `bundled.${Date.now().toString(36)}@example.com`;
      const result = await page.evaluate(async (address) => {
        const client = bundled.createWorkerClient({ baseUrl: location.origin });
        const ready = await client.ready;
        const phases = [];
        const info = await client.deriveKey(address, "bundled app password", {
          onProgress: (event) => phases.push(event.phase),
        });
        const mainThread = new bundled.NotaryClient(location.origin);
        const key = await mainThread.keyFor(address, "bundled app password");
        const mainThreadKeyId = key.keyId;
        key.free();
        mainThread.free();
        client.terminate();
        return { ready, phases, workerKeyId: info.keyId, mainThreadKeyId };
      }, address);
      assert.deepEqual(result.ready, { simd: true, baseUrl: origin });
      assert.deepEqual(result.phases, ["evaluate", "start", "done"]);
      assert.match(result.workerKeyId, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(result.workerKeyId, result.mainThreadKeyId);
    });
  });
}

test("the apps requested nothing from any other origin", { skip: !workerBuilt && "edge-worker/build is missing" }, () => {
  assert.ok(requested.filter((url) => url.endsWith(".wasm")).length >= 2, JSON.stringify(requested));
  assert.deepEqual(requested.filter((url) => !url.startsWith(`${origin}/`)), []);
});
