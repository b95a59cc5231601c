// The package's TypeScript declarations as a consumer's compiler sees them: the packed tarball is
// installed into a scratch project (tests/client/support.mjs), and the root's pinned `typescript`
// runs `tsc --noEmit --strict` there, with the library declarations checked too (no skipLibCheck),
// under `moduleResolution: nodenext` (module nodenext) and `bundler` (module esnext):
//   - tests/client/types/consumer.ts imports every public export of `notary-client` and
//     `notary-client/worker-client` and uses them in typed ways: no diagnostic allowed;
//   - tests/client/types/misuse.ts holds deliberate mistakes, compiled on its own: it must fail with
//     exactly the diagnostics its lines name (`// TSnnnn`), so a declaration that becomes `any` or
//     loses a member shows up here;
//   - a generated file asserts, type against type, that the error-code unions are exactly the codes
//     documented elsewhere: ProtocolErrorCode (written from protocol::ErrorKind::ALL) those of
//     docs/protocol.md section 11.1, ServerErrorCode those of section 11.2, ClientErrorCode (written
//     from ClientErrorKind::ALL) and WorkerClientErrorCode those the README lists, the latter also the
//     codes worker-client.js raises (errors.js's WorkerClientCode).
//
// Needs `bash client-wasm/scripts/build.sh` and `npm install` (typescript in the root's devDependencies).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { installPackedPackage, ROOT } from "./support.mjs";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const FIXTURES = join(ROOT, "tests/client/types");

const RESOLUTIONS = {
  nodenext: { module: "nodenext", moduleResolution: "nodenext" },
  bundler: { module: "esnext", moduleResolution: "bundler" },
};

/** @type {ReturnType<typeof installPackedPackage>} */
let scratch;

/** The codes in back-quotes of the table rows of docs/protocol.md's section `heading`. */
function documentedCodes(heading) {
  const doc = readFileSync(join(ROOT, "docs/protocol.md"), "utf8");
  const start = doc.indexOf(`\n### ${heading}`);
  assert.ok(start >= 0, `docs/protocol.md has no section ${heading}`);
  const section = doc.slice(start + 1).split(/\n##+ /)[0];
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map(([, code]) => code);
}

/** The codes in back-quotes of the README's "Errors" bullet that starts with `lead`. */
function readmeCodes(lead) {
  const readme = readFileSync(join(ROOT, "client-wasm/README.md"), "utf8");
  const errors = readme.slice(readme.indexOf("\n## Errors")).split(/\n## /)[1];
  const bullet = errors.split(/\n- /).find((text) => text.startsWith(lead))?.split("\n\n")[0];
  assert.ok(bullet, `the README's Errors section has no bullet starting with ${lead}`);
  return [...bullet.matchAll(/`([a-z_]+)`/g)].map(([, code]) => code);
}

before(() => {
  assert.ok(existsSync(TSC), "node_modules/typescript is missing: run npm install at the repository root");
  scratch = installPackedPackage();
  for (const file of ["consumer.ts", "misuse.ts"]) copyFileSync(join(FIXTURES, file), join(scratch.dir, file));
});

after(() => scratch?.cleanup());

/**
 * Runs tsc on one file of the scratch project with one resolution mode.
 * @returns {{ status: number | null, output: string, diagnostics: Array<{ file: string, line: number, code: string, text: string }> }}
 */
function compile(file, resolution) {
  const config = join(scratch.dir, `tsconfig.${resolution}.${file}.json`);
  writeFileSync(
    config,
    JSON.stringify(
      {
        compilerOptions: {
          ...RESOLUTIONS[resolution],
          target: "es2022",
          lib: ["es2022", "dom"],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: [file],
      },
      null,
      2,
    ),
  );
  const run = spawnSync(process.execPath, [TSC, "--noEmit", "--strict", "--pretty", "false", "-p", config], {
    cwd: scratch.dir,
    encoding: "utf8",
    timeout: 60_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  const diagnostics = [...output.matchAll(/^(\S+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map(
    ([, path, line, code, text]) => ({ file: path, line: Number(line), code, text }),
  );
  return { status: run.status, output, diagnostics };
}

/** `"a" | "b"`, or `never` for none. */
function union(codes) {
  return codes.length ? codes.map((code) => JSON.stringify(code)).join(" | ") : "never";
}

describe("the TypeScript declarations", () => {
  test("the consumer imports every runtime export of both entry points", async () => {
    const source = readFileSync(join(FIXTURES, "consumer.ts"), "utf8");
    const imported = (specifier) => {
      const names = [...source.matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)]
        .filter(([, , from]) => from === specifier)
        .flatMap(([, list]) => list.split(",").map((name) => name.trim().split(/\s+as\s+/)[0]))
        .filter(Boolean);
      return names.sort();
    };
    const main = await import(pathToFileURL(join(scratch.installed, "node.js")).href);
    const worker = await import(pathToFileURL(join(scratch.installed, "worker-client.js")).href);
    assert.deepEqual(imported("notary-client"), Object.keys(main).sort());
    assert.deepEqual(imported("notary-client/worker-client"), Object.keys(worker).sort());
  });

  test("the error-code unions are exactly the documented codes", async () => {
    const { WorkerClientCode } = await import(pathToFileURL(join(scratch.installed, "errors.js")).href);
    // The Rust ALL lists, as tools/error-codes wrote them; the spec's tables and the README must agree.
    const list = JSON.parse(readFileSync(join(ROOT, "docs/error-codes.json"), "utf8"));
    const listed = (part) => list[part].map((entry) => (typeof entry === "string" ? entry : entry.code));
    const expected = {
      ProtocolErrorCode: listed("protocol"),
      ServerErrorCode: listed("server"),
      ClientErrorCode: listed("client"),
      WorkerClientErrorCode: readmeCodes("the Web Worker client's"),
    };
    const sorted = (codes) => [...codes].sort();
    assert.deepEqual(sorted(documentedCodes("11.1")), sorted(expected.ProtocolErrorCode), "docs/protocol.md 11.1");
    assert.deepEqual(sorted(documentedCodes("11.2")), sorted(expected.ServerErrorCode), "docs/protocol.md 11.2");
    assert.deepEqual(sorted(readmeCodes("this package's")), sorted(expected.ClientErrorCode), "client-wasm/README.md");
    assert.ok(expected.ProtocolErrorCode.length >= 17 && expected.ServerErrorCode.length >= 16, JSON.stringify(expected));
    assert.deepEqual([...expected.WorkerClientErrorCode].sort(), Object.values(WorkerClientCode).sort());
    const names = Object.keys(expected);
    const lines = [
      "// Generated by tests/client/types.test.mjs: each line compiles only if the two types are equal.",
      `import type { NotaryErrorCode, ${names.join(", ")} } from "notary-client";`,
      "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;",
      ...names.map((name) => `export const ${name}Documented: Equal<${name}, ${union(expected[name])}> = true;`),
      `export const NotaryErrorCodeComposed: Equal<NotaryErrorCode, ${names.join(" | ")} | (string & {})> = true;`,
      "",
    ];
    writeFileSync(join(scratch.dir, "codes.ts"), lines.join("\n"));
    const { status, output, diagnostics } = compile("codes.ts", "nodenext");
    assert.deepEqual(diagnostics, [], `${output}\n${lines.join("\n")}`);
    assert.equal(status, 0, output);
  });

  for (const resolution of Object.keys(RESOLUTIONS)) {
    test(`a strict consumer type-checks with moduleResolution ${resolution}`, () => {
      const { status, output, diagnostics } = compile("consumer.ts", resolution);
      assert.deepEqual(diagnostics, [], output);
      assert.equal(status, 0, output);
    });

    test(`deliberate misuse fails with the expected errors (moduleResolution ${resolution})`, () => {
      const source = readFileSync(join(scratch.dir, "misuse.ts"), "utf8").split("\n");
      const expected = source
        .map((text, index) => [index + 1, text.match(/\/\/ (TS\d+)$/)?.[1]])
        .filter(([, code]) => code)
        .map(([line, code]) => `misuse.ts:${line} ${code}`);
      assert.ok(expected.length >= 8, "the misuse file names its expected errors");
      const { status, output, diagnostics } = compile("misuse.ts", resolution);
      assert.notEqual(status, 0, `tsc accepted misuse.ts:\n${output}`);
      assert.deepEqual(
        diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`).sort(),
        expected.sort(),
        output,
      );
    });
  }
});
