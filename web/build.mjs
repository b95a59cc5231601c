// Assembles web/dist from web/src and the client package's browser files. Run by web/build.sh.
//
// - HTML: `<!-- include: name.html key=value key="a value with spaces" ... -->` is replaced by
//   web/src/partials/name.html, in which `{{key}}` is replaced by value (partials may include
//   partials).
// - Everything else under web/src (except partials/) is copied as is.
// - The browser files of client-wasm/pkg (JavaScript, the Web Worker script, the .wasm) are copied to
//   dist/vendor/notary-client/, so the pages never load anything from another host.
// - Then every reference in the output (src/href in HTML, url() in CSS, imports in JavaScript) is
//   checked: each must be a path on this origin that exists in dist. An outside URL fails the build.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = dirname(fileURLToPath(import.meta.url));
const srcDir = join(webDir, "src");
const partialsDir = join(srcDir, "partials");
const distDir = join(webDir, "dist");
// NOTARY_CLIENT_PKG points elsewhere (e.g. an unpacked `npm pack` of the package); the default is the build output.
const pkgDir = resolve(process.env.NOTARY_CLIENT_PKG || join(webDir, "..", "client-wasm", "pkg"));
const vendorDir = join(distDir, "vendor", "notary-client");

/** Files of the npm package a browser needs. Node-only entry points and type declarations stay out. */
const BROWSER_FILE = /\.(js|mjs|wasm)$/;
const NOT_FOR_BROWSER = /(^|[/\\])(node[^/\\]*|[^/\\]*[-_.]node(\.[^/\\]*)?)$|\.d\.ts$/;

main();

function main() {
  if (!existsSync(join(pkgDir, "package.json"))) {
    fail(`client package not built: ${relative(process.cwd(), pkgDir)}/package.json is missing (run client-wasm/scripts/build.sh first)`);
  }
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });

  for (const file of walk(srcDir)) {
    if (file.startsWith(partialsDir + sep)) continue;
    const target = join(distDir, relative(srcDir, file));
    mkdirSync(dirname(target), { recursive: true });
    if (extname(file) === ".html") {
      writeFileSync(target, expandIncludes(readFileSync(file, "utf8"), relative(srcDir, file), 0));
    } else {
      cpSync(file, target);
    }
  }

  const vendored = vendorClientPackage();
  const problems = checkReferences();
  if (problems.length) fail(`web/dist refers to what it cannot serve:\n  ${problems.join("\n  ")}`);

  const files = [...walk(distDir)];
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  console.log(
    `web/dist: ${files.length} files, ${(bytes / 1024).toFixed(1)} KiB (vendored from client-wasm/pkg: ${vendored.join(", ")})`,
  );
}

function expandIncludes(text, from, depth) {
  if (depth > 8) fail(`${from}: includes nested more than 8 deep`);
  return text.replace(/<!--\s*include:\s*([\w.-]+\.html)((?:\s+[\w-]+=(?:"[^"]*"|[^\s>"]+))*)\s*-->/g, (_, name, args) => {
    const path = join(partialsDir, name);
    if (!existsSync(path)) fail(`${from}: no partial ${name}`);
    let partial = readFileSync(path, "utf8");
    for (const [, key, quoted, bare] of args.matchAll(/([\w-]+)=(?:"([^"]*)"|([^\s>"]+))/g)) {
      partial = partial.replaceAll(`{{${key}}}`, quoted ?? bare);
    }
    const left = partial.match(/\{\{[\w-]+\}\}/);
    if (left) fail(`${from}: partial ${name} needs a value for ${left[0]}`);
    return expandIncludes(partial.trimEnd(), `${from} > ${name}`, depth + 1);
  });
}

function vendorClientPackage() {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  mkdirSync(vendorDir, { recursive: true });
  const copied = [];
  for (const file of walk(pkgDir)) {
    const name = relative(pkgDir, file);
    if (name.startsWith("node_modules") || !BROWSER_FILE.test(name) || NOT_FOR_BROWSER.test(name)) continue;
    const target = join(vendorDir, name);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
    copied.push(name.split(sep).join("/"));
  }
  if (!copied.includes("worker-client.js")) {
    fail(`client-wasm/pkg (${manifest.name}@${manifest.version}) has no worker-client.js; the pages import /vendor/notary-client/worker-client.js`);
  }
  return copied.sort();
}

/** Every local reference in dist must exist; every non-local one is an error. */
function checkReferences() {
  const problems = [];
  for (const file of walk(distDir)) {
    const ext = extname(file);
    if (![".html", ".css", ".js", ".mjs"].includes(ext)) continue;
    const text = readFileSync(file, "utf8");
    const refs = [];
    if (ext === ".html") {
      for (const m of text.matchAll(/\s(?:src|href|action|poster|data)\s*=\s*"([^"]*)"/g)) refs.push(m[1]);
    } else if (ext === ".css") {
      for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) refs.push(m[1]);
      for (const m of text.matchAll(/@import\s+["']([^"']+)["']/g)) refs.push(m[1]);
    } else {
      const code = stripComments(text);
      for (const m of code.matchAll(/\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g)) refs.push(m[1]);
      for (const m of code.matchAll(/\bimport\s*["']([^"']+)["']/g)) refs.push(m[1]);
      for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) refs.push(m[1]);
      for (const m of code.matchAll(/\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)) refs.push(m[1]);
      for (const m of code.matchAll(/["'](https?:\/\/[^"'\s]+)["']/g)) refs.push(m[1]);
    }
    for (const ref of refs) {
      const problem = checkReference(file, ref);
      if (problem) problems.push(`${relative(distDir, file)}: ${problem}`);
    }
  }
  return problems;
}

function checkReference(file, ref) {
  if (ref.startsWith("#") || ref.startsWith("mailto:")) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith("//")) return `outside reference ${ref}`;
  const path = ref.split(/[?#]/)[0];
  if (!path) return null;
  const target = path.startsWith("/") ? join(distDir, path) : resolve(dirname(file), path);
  if (!target.startsWith(distDir)) return `reference ${ref} leaves dist`;
  const candidates = [target, join(target, "index.html")];
  return candidates.some((candidate) => existsSync(candidate) && statSync(candidate).isFile())
    ? null
    : `missing ${ref}`;
}

function stripComments(code) {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'\\])\/\/.*$/gm, "$1");
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function fail(message) {
  console.error(`web/build: ${message}`);
  process.exit(1);
}
