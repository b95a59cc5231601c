// HTTP edges at the built worker in workerd, sent as raw bytes on a socket so that no HTTP client
// tidies them up first (undici drops empty header values and refuses a malformed Content-Length):
// the Origin and Referer rules of docs/protocol.md section 9.1, and what the runtime answers itself,
// before the worker runs (section 11.3).

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { randomBlinded } from "../support/oprf.mjs";
import { startWorker } from "../support/worker.mjs";

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let w;
/** The same worker with a PUBLIC_URI on the default port (loopback, so the development secrets pass). */
/** @type {Awaited<ReturnType<typeof startWorker>>} */
let bare;

before(async () => {
  w = await startWorker();
  bare = await startWorker({ vars: { PUBLIC_URI: "http://127.0.0.1" } });
});

after(async () => {
  await w?.close();
  await bare?.close();
});

/**
 * Sends `head` (request line and header lines, without the blank line) and `body` to the worker as
 * they are, and reads the whole answer: `{ status, headers, body, json }`.
 */
function raw(worker, head, body = "") {
  const { hostname, port } = new URL(worker.url);
  const text = `${head.join("\r\n")}\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n${body}`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    const chunks = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const answer = Buffer.concat(chunks).toString("utf8");
      const split = answer.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = answer.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      const payload = answer.slice(split + 4);
      let json;
      try {
        json = JSON.parse(payload);
      } catch {
        json = undefined;
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: payload, json });
    });
  });
}

const SALT_BODY = JSON.stringify({ address: "edges@example.com", blinded: randomBlinded() });

/** POST /salt with extra header lines. */
function salt(worker, ...extra) {
  return raw(
    worker,
    ["POST /salt HTTP/1.1", "Content-Type: application/json", `Content-Length: ${SALT_BODY.length}`, ...extra],
    SALT_BODY,
  );
}

describe("Origin and Referer", () => {
  test("a Referer naming PUBLIC_URI with its default port written out is the service's own", async () => {
    for (const referer of ["http://127.0.0.1:80/account.html", "http://127.0.0.1:080/", "HTTP://127.0.0.1/"]) {
      const res = await salt(bare, `Referer: ${referer}`);
      assert.equal(res.status, 200, `${referer}: ${res.body}`);
      assert.equal(res.json.address, "edges@example.com");
    }
    // An Origin is compared as browsers serialise it: no default port.
    const res = await salt(bare, "Origin: http://127.0.0.1:80");
    assert.deepEqual([res.status, res.json?.error], [403, "forbidden_origin"]);
  });

  test("a Referer whose authority is ambiguous is refused", async () => {
    const { port } = new URL(w.url);
    for (const referer of [
      `http://127.0.0.1:${port}:80/`,
      `http://127.0.0.1:80:${port}/`,
      `http://127.0.0.1:${port}x/`,
      `http://127.0.0.1:${port}@evil.example/`,
      "http://127.0.0.1:80/",
    ]) {
      const res = await salt(w, `Referer: ${referer}`);
      assert.deepEqual([res.status, res.json?.error], [403, "forbidden_origin"], referer);
    }
    assert.equal((await salt(w, `Referer: ${w.url}/account.html`)).status, 200);
  });

  test("an empty Origin or Referer never reaches the worker: the runtime drops it", async () => {
    // Observed in workerd: an empty Origin or Referer arrives as no header at all, so the request is
    // one without (as from curl), which passes; the worker's own rule refuses an empty value (unit
    // tests in edge-worker/src/http.rs). An empty Origin still lets no foreign Referer through.
    for (const header of ["Origin: ", "Origin:", "Referer: ", "Origin: \r\nReferer: "]) {
      const res = await salt(w, header);
      assert.equal(res.status, 200, `${JSON.stringify(header)}: ${res.body}`);
    }
    const res = await salt(w, "Origin: ", "Referer: https://evil.example/page");
    assert.deepEqual([res.status, res.json?.error], [403, "forbidden_origin"]);
  });
});

describe("answers from the runtime, before the worker runs", () => {
  test("a malformed Content-Length is answered 500 in plain text by workerd", async () => {
    for (const length of ["abc", "-1", "1 2", "0x10"]) {
      const res = await raw(w, ["POST /salt HTTP/1.1", "Content-Type: application/json", `Content-Length: ${length}`], SALT_BODY);
      assert.equal(res.status, 500, `${length}: ${res.body}`);
      assert.equal(res.body, "Internal Server Error", length);
      assert.equal(res.json, undefined, "not JSON: the worker never ran");
      assert.equal(res.headers["content-type"], undefined, length);
    }
  });

  test("a numeric Content-Length reaches the worker, which answers in JSON", async () => {
    const empty = await raw(w, ["POST /salt HTTP/1.1", "Content-Type: application/json", "Content-Length: 0"]);
    assert.deepEqual([empty.status, empty.json?.error], [400, "invalid_request"]);
    const padded = await raw(
      w,
      ["POST /salt HTTP/1.1", "Content-Type: application/json", `Content-Length: 00${SALT_BODY.length}`],
      SALT_BODY,
    );
    assert.deepEqual([padded.status, padded.json?.address], [200, "edges@example.com"]);
  });
});
