// Mistakes a consumer's compiler must catch: tests/client/types.test.mjs compiles this file on its
// own with `tsc --noEmit --strict` and expects it to FAIL with exactly the diagnostic named at the end
// of each marked line (`// TSnnnn`), and nothing else.

import { KeyPair, NotaryClient, NotaryError, ready } from "notary-client";
import type { Account, ConfirmAnswer, ProtocolErrorCode, WorkerClientErrorCode } from "notary-client";
import { notAnExport } from "notary-client"; // TS2305
import { createWorkerClient } from "notary-client/worker-client";

export async function misuse(error: NotaryError, account: Account): Promise<void> {
  const wait: number = error.retryAfter; // TS2322
  const status: string = error.status; // TS2322
  const client = new NotaryClient("https://notary.example");
  await client.evaluate(42, "a password"); // TS2345
  await client.evaluate("a@example.com", "a password", { verifyServerKey: "yes" }); // TS2322
  const key = new KeyPair(); // TS2673
  key.token({ kind: "login", audience: "https://notary.example" }); // TS2322
  key.token({ kind: "confirm", audience: "https://notary.example" }); // TS2345
  key.signupToken(); // TS2554
  key.signupToken("https://notary.example", "60"); // TS2345
  key.assertionToken("https://partner.example"); // TS2554
  key.requestToken("https://notary.example", "GET", "https://notary.example/account", 42); // TS2345
  const notAProtocolCode: ProtocolErrorCode = "rate_limited"; // TS2322
  const notAWorkerCode: WorkerClientErrorCode = error.code; // TS2322
  const confirmedAt: string = account.confirmed_at; // TS2322
  const simd: string = (await ready()).simd; // TS2322
  const recovered: ConfirmAnswer = await client.changePassword(key); // TS2739
  new NotaryClient("https://notary.example", { saltStore: { get: () => null } }); // TS2554
  const signedIn = await client.signIn("a@example.com", "a password");
  const moved: string = signedIn.newKey.keyId; // TS18048
  const notary = createWorkerClient({ baseUrl: "https://notary.example" });
  await notary.deriveKey("a@example.com"); // TS2554
  const mailed: ConfirmAnswer = await notary.changePassword({ recovery: true }); // TS2739
  const keys = await notary.keyInfo();
  const id: string = keys.current.keyId; // TS18047
  await notary.signIn("a@example.com"); // TS2554
  console.log(notAnExport, wait, status, simd, id, notAProtocolCode, notAWorkerCode, confirmedAt, recovered, mailed, moved);
}

// Sessions: a session has no token methods, its stored form is not a string, options are typed.
export async function misuseSessions(client: NotaryClient, key: KeyPair): Promise<void> {
  const session = await client.createSession(key, { memoryOnly: "yes" }); // TS2322
  session.changeToken("https://notary.example"); // TS2339
  const stored: string = session.toStored(); // TS2322
  const idle: number = session.idleExpiresAt; // TS2322
  const notary = createWorkerClient({ baseUrl: "https://notary.example" });
  const resumed = await notary.resumeSession();
  const address: string = resumed.account.address; // TS18047
  console.log(stored, idle, address);
}
