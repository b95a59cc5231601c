// Runs the BUILT worker (edge-worker/build, from `bash edge-worker/build.sh`) in workerd through the
// Miniflare 4 API, configured from the real wrangler.toml (D1, KV, queues with their dead-letter queue,
// the Rate Limiting bindings, static assets), with fresh in-memory state, the D1 migrations applied
// through the binding, and the development mailbox (tools/mailbox.mjs) as the mail system.
//
//   const w = await startWorker({ rateLimits: { CLIENT_MINUTE: 5 }, vars: { BLOCK_IPS_FOR: "0.01" } });
//   const res = await w.fetch("/salt", { json: { address: "a@example.com", blinded: randomBlinded() } });
//   await w.close();

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import wrangler from "wrangler";
import { startMailbox } from "../../tools/mailbox.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The development secrets of .dev.vars.example (accepted only because PUBLIC_URI is loopback). */
export const DEV_SECRETS = Object.fromEntries(
  readFileSync(join(ROOT, ".dev.vars.example"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

/** Limits (vars) high enough that suites not about limits never meet them. */
export const GENEROUS_LIMITS = {
  MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR: "100000",
  MAX_EMAILS_PER_ADDRESS_PER_HOUR: "1000000",
  DELIVERY_RETRY_BASE_SECS: "1",
  GUESSES_PER_ADDRESS_PER_HOUR: "1000000",
  GUESSES_PER_ADDRESS_PER_DAY: "1000000",
};

/** Rate Limiting bindings (wrangler.toml [[ratelimits]]) high enough that suites not about them never meet them. */
export const GENEROUS_RATE_LIMITS = {
  CLIENT_BURST: 1_000_000,
  CLIENT_MINUTE: 1_000_000,
  CLIENT_FAILURES: 1_000_000,
  SALT_EVALUATIONS: 1_000_000,
};

const MINIMAL_PAGES = ["index.html", "inbox.html", "confirm.html", "account.html"];

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The pages, in a temporary directory: a snapshot of web/dist when it has been built (so a rebuild
 * running meanwhile cannot change them under a test), otherwise stand-ins.
 */
function assetsDirectory() {
  const dist = join(ROOT, "web/dist");
  const directory = mkdtempSync(join(tmpdir(), "notary-pages-"));
  if (MINIMAL_PAGES.every((page) => existsSync(join(dist, page)))) {
    cpSync(dist, directory, { recursive: true });
  } else {
    for (const page of MINIMAL_PAGES) writeFileSync(join(directory, page), `<!doctype html><title>${page}</title>`);
  }
  return { directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Every statement of migrations/*.sql, in order. */
export function migrationStatements() {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .flatMap((name) => wrangler.unstable_splitSqlQuery(readFileSync(join(dir, name), "utf8")));
}

/**
 * Starts the worker.
 * @param {object} [options]
 * @param {Record<string,string>} [options.vars] vars and secrets overriding wrangler.toml, GENEROUS_LIMITS and DEV_SECRETS
 * @param {Record<string,number>} [options.rateLimits] limits of Rate Limiting bindings by name (periods stay wrangler.toml's)
 * @param {boolean} [options.generousLimits=true] start from GENEROUS_LIMITS and GENEROUS_RATE_LIMITS
 * @param {boolean} [options.migrate=true] apply the D1 migrations
 * @param {(options: object) => void} [options.adjust] edits the Miniflare options (e.g. queue retries)
 */
export async function startWorker({ vars = {}, rateLimits = {}, generousLimits = true, migrate = true, adjust } = {}) {
  const main = join(ROOT, "edge-worker/build/index.js");
  if (!existsSync(main)) throw new Error("edge-worker/build/index.js is missing: run bash edge-worker/build.sh");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const secret = vars.CONFIRMATION_SECRET ?? DEV_SECRETS.CONFIRMATION_SECRET;
  const mailbox = await startMailbox({ port: 0, secret });
  const assets = assetsDirectory();

  const config = wrangler.unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  config.assets = { ...config.assets, directory: assets.directory };
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config);
  const bindings = {
    ...workerOptions.bindings,
    ...(generousLimits ? GENEROUS_LIMITS : {}),
    ...DEV_SECRETS,
    PUBLIC_URI: url,
    CONFIRMATION_URI: mailbox.url,
    ...vars,
  };
  for (const [name, value] of Object.entries(bindings)) if (value === undefined) delete bindings[name];
  const limits = { ...(generousLimits ? GENEROUS_RATE_LIMITS : {}), ...rateLimits };
  const ratelimits = Object.fromEntries(
    Object.entries(workerOptions.ratelimits ?? {}).map(([name, binding]) => [
      name,
      { ...binding, simple: { ...binding.simple, limit: limits[name] ?? binding.simple.limit } },
    ]),
  );
  const options = {
    ...workerOptions,
    ratelimits,
    name: "notary",
    modules: true,
    scriptPath: main,
    bindings,
    host: "127.0.0.1",
    port,
    unsafeTriggerHandlers: true,
  };
  adjust?.(options);
  const mf = new Miniflare(options);
  await mf.ready;
  const db = await mf.getD1Database("DB");
  if (migrate) {
    await db.batch(migrationStatements().map((statement) => db.prepare(statement)));
  }

  /**
   * A request to the worker. `init.json` sends a JSON body with Content-Type application/json;
   * `init.ip` sets CF-Connecting-IP (default 127.0.0.1).
   */
  async function fetchWorker(path, init = {}) {
    const { json, ip = "127.0.0.1", headers = {}, ...rest } = init;
    const finalHeaders = { "cf-connecting-ip": ip, ...headers };
    if (json !== undefined) {
      finalHeaders["content-type"] ??= "application/json";
      rest.body = typeof json === "string" ? json : JSON.stringify(json);
      rest.method ??= "POST";
    }
    for (const [name, value] of Object.entries(finalHeaders)) if (value === undefined) delete finalHeaders[name];
    return mf.dispatchFetch(`${url}${path}`, { ...rest, headers: finalHeaders });
  }

  /** Rows of a query against the worker's D1. */
  async function sql(query, ...params) {
    const { results } = await db.prepare(query).bind(...params).all();
    return results;
  }

  return {
    mf,
    url,
    publicUri: url,
    mailbox,
    db,
    sql,
    fetch: fetchWorker,
    adminSecret: bindings.ADMIN_SECRET,
    bindings,
    /** Runs the scheduled (cron) handler once. */
    async scheduled(cron = "17 * * * *") {
      const worker = await mf.getWorker();
      return worker.scheduled({ cron });
    },
    async close() {
      await mf.dispose();
      await mailbox.close();
      assets.cleanup();
    },
  };
}

/** Reads a JSON answer: `{ status, headers, body, text }`. */
export async function read(response) {
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}
