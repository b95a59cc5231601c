// Shared by the tests/client suites: the built package packed with `npm pack` and installed into a
// scratch project exactly as a consumer installs it (offline: the package has no dependencies).

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
