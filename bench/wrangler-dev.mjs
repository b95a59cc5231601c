// `wrangler dev --local` as the benchmarks start it: migrations applied to a fresh state directory (on
// /dev/shm when there is one: Miniflare's SQLite files fsync), the worker listening on a free loopback
// port, ready once `/health` answers 200. Used by bench/worker.mjs and bench/dev-burst.mjs.
//
// `wrangler dev` takes the Rate Limiting bindings' limits from the configuration file only (no
// command-line option), so raised limits run it on a copy of wrangler.toml next to it
// (wrangler.bench.toml, git-ignored: relative paths in it must resolve as in the original).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "../tests/support/worker.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `wrangler dev`.
 * @param {object} options
 * @param {string} options.label names the state directory
 * @param {(base: string) => Record<string, string>} options.vars the `--var`s, given the worker's URL
 * @param {string[]} [options.extraArgs] more arguments for `wrangler dev`
 * @param {Record<string, number>} [options.rateLimits] limits of Rate Limiting bindings by name
 * @param {number} [options.timeoutMs] how long it may take to answer `/health`
 * @returns {Promise<{ base: string, dev: import("node:child_process").ChildProcess, output: () => string, stop: () => Promise<void> }>}
 */
/** wrangler.toml with the `limit` of each named `[[ratelimits]]` binding replaced. */
export function withRateLimits(toml, rateLimits) {
  let name;
  return toml
    .split("\n")
    .map((line) => {
      name = line.match(/^name = "([A-Z_]+)"/)?.[1] ?? (line.startsWith("[") ? undefined : name);
      const limit = rateLimits[name];
      return limit === undefined ? line : line.replace(/(simple = \{ limit = )\d+/, `$1${limit}`);
    })
    .join("\n");
}

export async function startWranglerDev({ label, vars, extraArgs = [], rateLimits, timeoutMs = 180_000 }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const persist = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), `notary-${label}-`));
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  const wrangler = join(ROOT, "node_modules/.bin/wrangler");
  const config = join(ROOT, rateLimits ? "wrangler.bench.toml" : "wrangler.toml");
  if (rateLimits) writeFileSync(config, withRateLimits(readFileSync(join(ROOT, "wrangler.toml"), "utf8"), rateLimits));
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", persist], {
    cwd: ROOT,
    env,
    stdio: "ignore",
  });
  const dev = spawn(
    wrangler,
    [
      "dev", "--local", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist,
      "--show-interactive-dev-session=false", ...extraArgs,
      ...Object.entries(vars(base)).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  dev.stdout.on("data", (d) => (output += d));
  dev.stderr.on("data", (d) => (output += d));
  async function stop() {
    if (dev.exitCode === null) {
      dev.kill("SIGTERM");
      await Promise.race([new Promise((resolve) => dev.once("exit", resolve)), sleep(5000)]);
    }
    rmSync(persist, { recursive: true, force: true });
    if (rateLimits) rmSync(config, { force: true });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (dev.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await sleep(500);
  }
  return { base, dev, output: () => output, stop };
}
