// `wrangler dev --local` as the benchmarks start it: migrations applied to a fresh state directory (on
// /dev/shm when there is one: Miniflare's SQLite files fsync), the worker listening on a free loopback
// port, ready once `/health` answers 200. Used by bench/worker.mjs and bench/dev-burst.mjs.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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
 * @param {number} [options.timeoutMs] how long it may take to answer `/health`
 * @returns {Promise<{ base: string, dev: import("node:child_process").ChildProcess, output: () => string, stop: () => Promise<void> }>}
 */
export async function startWranglerDev({ label, vars, extraArgs = [], timeoutMs = 180_000 }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const persist = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), `notary-${label}-`));
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  const wrangler = join(ROOT, "node_modules/.bin/wrangler");
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: ROOT, env, stdio: "ignore" });
  const dev = spawn(
    wrangler,
    [
      "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist,
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
