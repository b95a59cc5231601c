#!/usr/bin/env node
// The development mailbox: a real HTTP receiver standing in for the email system. The worker's queue
// consumer POSTs each confirmation to CONFIRMATION_URI (this server's /messages); the mailbox checks the
// Notary-Signature header, keeps the message (once per Idempotency-Key), prints the link in the
// terminal and lists every message on http://127.0.0.1:<port>/.
//
//   node tools/mailbox.mjs --port 8025 --secret <CONFIRMATION_SECRET>
//
// Tests import it: `const mailbox = await startMailbox({ port: 0, secret })`.

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const MAX_BODY_BYTES = 64 * 1024;
/** Signatures older than this are refused (seconds), like a real receiver would. */
const MAX_SIGNATURE_AGE_SECS = 600;

/** Checks `Notary-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` in constant time. */
export function verifySignature(header, rawBody, secret, now = Math.floor(Date.now() / 1000)) {
  if (typeof header !== "string") return false;
  const parts = Object.fromEntries(
    header.split(",").map((part) => {
      const eq = part.indexOf("=");
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isSafeInteger(t) || Math.abs(now - t) > MAX_SIGNATURE_AGE_SECS) return false;
  if (!/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return false;
  const expected = createHmac("sha256", secret).update(`${parts.t}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, "hex"));
}

/**
 * Starts a mailbox.
 * @param {{ port?: number, host?: string, secret: string, print?: boolean }} options
 */
export async function startMailbox({ port = 0, host = "127.0.0.1", secret, print = false }) {
  if (!secret) throw new Error("startMailbox needs the CONFIRMATION_SECRET");
  const messages = [];
  const byIdempotencyKey = new Map();
  const waiters = new Set();
  let failWith = 0; // an HTTP status to answer every delivery with, to play a mail system that is down
  let deliveryAttempts = 0;

  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://mailbox");
    try {
      if (req.method === "POST" && url.pathname === "/messages") {
        deliveryAttempts += 1;
        const raw = await readBody(req);
        if (raw === null) return send(res, 413, { error: "body_too_large" });
        if (failWith) return send(res, failWith, { error: "mailbox_down" });
        if (!verifySignature(req.headers["notary-signature"], raw, secret)) {
          return send(res, 401, { error: "bad_signature" });
        }
        const key = req.headers["idempotency-key"];
        if (!key) return send(res, 400, { error: "missing_idempotency_key" });
        if (byIdempotencyKey.has(key)) return send(res, 200, { status: "duplicate" });
        const body = JSON.parse(raw.toString("utf8"));
        const message = { ...body, idempotencyKey: key, receivedAt: Date.now() };
        messages.push(message);
        byIdempotencyKey.set(key, message);
        if (print) {
          console.log(`[mailbox] ${message.purpose} for ${message.address}: ${message.link}`);
        }
        notify();
        return send(res, 202, { status: "accepted" });
      }
      if (req.method === "GET" && url.pathname === "/messages") {
        const address = url.searchParams.get("address");
        return send(res, 200, address ? messages.filter((m) => m.address === address) : messages);
      }
      if (req.method === "DELETE" && url.pathname === "/messages") {
        messages.length = 0;
        byIdempotencyKey.clear();
        return send(res, 200, { status: "cleared" });
      }
      if (req.method === "GET" && url.pathname === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return res.end(renderPage(messages));
      }
      return send(res, 404, { error: "not_found" });
    } catch {
      return send(res, 400, { error: "invalid_request" });
    }
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: actualPort } = server.address();
  const base = `http://${host}:${actualPort}`;

  return {
    url: `${base}/messages`,
    pageUrl: `${base}/`,
    port: actualPort,
    /** Every message received so far (a copy). */
    messages: () => [...messages],
    /** How many POSTs reached the mailbox, including refused and failed ones. */
    deliveryAttempts: () => deliveryAttempts,
    /** Makes every delivery fail with `status` (e.g. 503), or work again with 0/false. */
    setFailing(status = 503) {
      failWith = status === true ? 503 : Number(status) || 0;
    },
    /** Resolves with the first message matching `predicate`, waiting up to `timeoutMs`. */
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`mailbox: no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * What a mail system would write for each purpose (docs/protocol.md section 10): a recovery's
 * confirmation, the already-registered notice and a salt ticket reach people who may not have asked,
 * so they say how to tell and that ignoring them changes nothing.
 */
export const MESSAGE_TEXT = {
  signup: "Confirm your new Notary account: open the link and type the password you chose.",
  change:
    "Someone asked to set a new password for this address, or to move its account to Notary's protocol version 2 (the password stays the same). If it was you, open the link and type the password. If it wasn't you, ignore this email: nothing changes.",
  already_registered:
    "Someone tried to sign up with this address, which already has an account. If it was you, sign in instead. If it wasn't you, ignore this email: nothing changes.",
  ticket:
    "This address's password attempts are used up for now (someone, perhaps you, tried many times). Open the link to sign in anyway: it allows 5 attempts within an hour. If it wasn't you, ignore this email: your account is safe, and the attempts come back by themselves.",
};

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function renderPage(messages) {
  const rows = [...messages]
    .reverse()
    .map(
      (m) => `<li><strong>${escapeHtml(m.purpose)}</strong> for <code>${escapeHtml(m.address)}</code>
        <time>${new Date(m.receivedAt).toLocaleTimeString()}</time><br>
        <span>${escapeHtml(MESSAGE_TEXT[m.purpose] ?? "")}</span><br>
        <a href="${escapeHtml(m.link)}">${escapeHtml(m.link)}</a></li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="3"><title>Notary development mailbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
li{margin:1rem 0;word-break:break-all}time{color:#666;font-size:.9em}</style></head>
<body><h1>Development mailbox</h1>
<p>Every confirmation the local worker sends arrives here (newest first). This page refreshes itself.</p>
${rows ? `<ol reversed>${rows}</ol>` : "<p>No messages yet.</p>"}
</body></html>`;
}

function parseArgs(argv) {
  const args = { port: 8025, secret: process.env.CONFIRMATION_SECRET };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--port") args.port = Number(argv[i + 1]);
    else if (argv[i] === "--secret") args.secret = argv[i + 1];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { port, secret } = parseArgs(process.argv.slice(2));
  const mailbox = await startMailbox({ port, secret, print: true });
  console.log(`[mailbox] listening: deliveries to ${mailbox.url}, messages at ${mailbox.pageUrl}`);
}
