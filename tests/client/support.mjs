// Shared by the tests/client suites: the built package packed with `npm pack` and installed into a
// scratch project exactly as a consumer installs it (offline: the package has no dependencies), and
// the same-origin server the browser suites load their pages from.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PKG = join(ROOT, "client-wasm/pkg");
export const VECTORS = join(ROOT, "tests/vectors");

export function vectors(name) {
  return JSON.parse(readFileSync(join(VECTORS, `${name}.json`), "utf8"));
}

/**
 * Packs client-wasm/pkg and installs the tarball into a new scratch project.
 * @returns {{ dir: string, tarball: string, packed: string[], installed: string, cleanup(): void }}
 */
export function installPackedPackage() {
  if (!existsSync(join(PKG, "package.json"))) {
    throw new Error("client-wasm/pkg is missing: run bash client-wasm/scripts/build.sh first");
  }
  const dir = mkdtempSync(join(tmpdir(), "notary-client-consumer-"));
  const npm = (args, cwd) =>
    execFileSync("npm", args, {
      cwd,
      encoding: "utf8",
      env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
  const report = JSON.parse(npm(["pack", "--json", "--pack-destination", dir, PKG], ROOT));
  const tarball = join(dir, report[0].filename);
  const packed = report[0].files.map((file) => file.path).sort();
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch-consumer", private: true, type: "module" }, null, 2),
  );
  npm(["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball], dir);
  const installed = join(dir, "node_modules/notary-client");
  return { dir, tarball, packed, installed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(dir, join(prefix, entry.name))
        : [join(prefix, entry.name)],
    )
    .sort();
}

const MIME = {
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".html": "text/html; charset=utf-8",
};

/** Sends `file` if it is a file inside `dir`; false otherwise. */
function sendFileFrom(dir, path, res) {
  const file = normalize(join(dir, path));
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
  res.end(readFileSync(file));
  return true;
}

/** Passes a request on to the worker and its answer back (fetch has decoded the body already). */
async function forward(workerUrl, req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !["host", "connection", "content-length"].includes(name)),
  );
  const answer = await fetch(`${workerUrl}${req.url}`, {
    method: req.method,
    headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  const forwarded = [...answer.headers].filter(
    ([name]) => !["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name),
  );
  res.writeHead(answer.status, Object.fromEntries(forwarded));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/**
 * One origin for pages and API, as in production: a local server answers GET requests that
 * `staticFile(pathname)` maps to `{ html }` or to `{ dir, path }` (a file inside `dir`; 404 when
 * there is none), and passes everything else to the real worker in workerd, started with
 * PUBLIC_URI set to that origin.
 * @param {(pathname: string) => ({ dir: string, path: string } | { html: string } | null)} staticFile
 */
export async function startSameOriginServer(staticFile) {
  let worker;
  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url, "http://localhost");
      const target = req.method === "GET" ? staticFile(decodeURIComponent(pathname)) : null;
      if (target && "html" in target) {
        res.writeHead(200, { "content-type": MIME[".html"] });
        return res.end(target.html);
      }
      if (target && !sendFileFrom(target.dir, target.path, res)) {
        res.writeHead(404);
        return res.end();
      }
      if (!target) await forward(worker.url, req, res);
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { startWorker } = await import("../support/worker.mjs");
  worker = await startWorker({ vars: { PUBLIC_URI: origin } });
  return {
    origin,
    worker,
    async close() {
      await worker.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
