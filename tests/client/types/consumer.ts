// A TypeScript consumer of notary-client: every public export of both entry points, used in typed
// ways. tests/client/types.test.mjs compiles it with `tsc --noEmit --strict` against the packed
// package (moduleResolution nodenext and bundler) and expects no diagnostic at all.

import {
  Evaluation,
  KeyPair,
  NotaryClient,
  NotaryError,
  isReady,
  ready,
  releaseKdfMemory,
  setWasmLoader,
  simdSupported,
} from "notary-client";
import type {
  Account,
  ClientErrorCode,
  ConfirmAnswer,
  EvaluateOptions,
  KdfParams,
  NotaryErrorCode,
  ProtocolErrorCode,
  PublicJwk,
  SaltAnswer,
  ServerErrorCode,
  SignedFetchInit,
  SignIn,
  SignInOptions,
  SignInProgress,
  StatusAnswer,
  TokenSpec,
  WorkerClientErrorCode,
} from "notary-client";
import { NotaryError as WorkerNotaryError, createWorkerClient } from "notary-client/worker-client";
import type {
  DerivationProgress,
  KeyInfo,
  NotaryErrorCode as WorkerNotaryErrorCode,
  SignInInfo,
  SignInProgress as WorkerSignInProgress,
  WorkerClient,
} from "notary-client/worker-client";

/** A salt answer as the server sends it (what a program that inspects raw answers would type). */
export function describeAnswer(answer: SaltAnswer): string {
  const kdf: KdfParams = answer.kdf;
  const versions: number[] = answer.accepted_kdf_versions;
  const evaluated: string = answer.evaluated;
  return `${answer.address} ${answer.kdf_version} ${versions.join(",")} ${kdf.memory_kib} ${evaluated.length}`;
}

/** What a program does with any error of the package: its code picks the reaction. */
export function describeError(error: unknown): string {
  if (error instanceof NotaryError) {
    const typed: NotaryErrorCode = error.code;
    switch (typed) {
      case "rate_limited":
      case "network_error":
        return "try again later";
      case "guess_budget_exhausted":
        return "try again later, or ask for a ticket";
      case "oprf_key_varies":
        return "do not register a key with this server";
      case "invalid_password":
      case "no_key":
        return "check the input";
    }
    const code: string = error.code;
    const status: number | undefined = error.status;
    const retryAfter: number | undefined = error.retryAfter;
    const name: "NotaryError" = error.name;
    const wait = retryAfter === undefined ? "" : ` (retry in ${retryAfter.toFixed(0)} s)`;
    return `${name} ${code} ${status ?? "-"}: ${error.message}${wait}`;
  }
  return String(error);
}

export async function mainThread(address: string, password: string): Promise<string[]> {
  const loaded: { simd: boolean } = await ready({ module: new URL("https://cdn.example/notary_client_bg.wasm") });
  const again: Promise<{ simd: boolean }> = ready();
  await again;
  const flags: boolean[] = [loaded.simd, isReady(), simdSupported()];
  setWasmLoader((simd: boolean) => new URL(simd ? "./a.wasm" : "./b.wasm", "https://cdn.example/"));

  const client = new NotaryClient("https://notary.example");
  const base: string = client.baseUrl;
  const options: EvaluateOptions = { ticket: "emailed-ticket", verifyServerKey: true };
  const evaluation: Evaluation = await client.evaluate(address, password, options);
  const canonical: string = evaluation.address;
  const legacyAccepted: boolean = evaluation.legacyAccepted;
  const key: KeyPair = evaluation.deriveKey();
  const legacyKey: KeyPair = evaluation.deriveLegacyKey();
  evaluation.free();
  const plain: Evaluation = await client.evaluate(address, password);
  plain.free();
  const viaKeyFor: KeyPair = await client.keyFor(address, password);
  const checkedKey: KeyPair = await client.keyFor(address, password, { verifyServerKey: true });
  const phases: SignInProgress["phase"][] = [];
  const signInOptions: SignInOptions = {
    ticket: "emailed-ticket",
    onProgress: (event: SignInProgress) => {
      phases.push(event.phase);
      const version: number | undefined = event.kdfVersion;
      console.log(version);
    },
  };
  const signedIn: SignIn = await client.signIn(address, password, signInOptions);
  const signInKey: KeyPair = signedIn.key;
  const moving: KeyPair | undefined = signedIn.newKey;
  const upgrade: StatusAnswer | undefined = signedIn.upgrade;
  const accountVersion: number = signedIn.account.kdf_version;
  const ticket: StatusAnswer = await client.requestTicket(address);
  const jwk: PublicJwk = key.publicJwk;
  const curve: "Ed25519" = jwk.crv;
  const keyId: string = key.keyId;

  const spec: TokenSpec = { kind: "request", audience: base, method: "GET", url: `${base}/account` };
  const confirmation = "AAhQ9RePXgYI1BnrNPgeixElDbzvnX1WqcvXP5kqYo4";
  const tokens: string[] = [
    key.token(spec),
    key.token({ kind: "assertion", audience: "https://partner.example", lifetime: 60 }),
    key.token({ kind: "confirm", audience: base, confirmation, lifetime: 30 }),
    key.token({ kind: "disable", audience: base }),
    key.signupToken(base),
    key.signupToken(base, 60),
    key.confirmToken(base, confirmation),
    key.changeToken(base),
    key.disableToken(base, 30),
    key.requestToken(base, "POST", `${base}/notes`, new Uint8Array([1, 2, 3])),
    key.requestToken(base, "PUT", `${base}/notes`, new ArrayBuffer(2), 30),
    key.requestToken(base, "GET", `${base}/account`),
    key.requestToken(base, "GET", `${base}/account`, null, 10),
    key.assertionToken("https://partner.example", 60),
    client.assertion(key, "https://partner.example", 60),
  ];

  const signedUp: StatusAnswer = await client.signup(key);
  const confirmed: ConfirmAnswer = await client.confirm(key, "emailed-token");
  const active: "active" = confirmed.status;
  const account: Account = await client.account(key);
  const createdAt: number = account.created_at;
  const confirmedAt: number = account.confirmed_at;
  if (moving) await client.confirm(moving, "emailed-token");
  const changed: StatusAnswer = await client.changePassword(viaKeyFor);
  const changedNow: ConfirmAnswer = await client.changePassword(viaKeyFor, key);
  const newKeyId: string = changedNow.key_id;
  const maybeCurrent: KeyPair | undefined = flags[0] ? key : undefined;
  const either: ConfirmAnswer | StatusAnswer = await client.changePassword(viaKeyFor, maybeCurrent);
  const signed: ConfirmAnswer = await client.changePasswordSigned(viaKeyFor, key);
  const recovered: StatusAnswer = await client.changePasswordByRecovery(viaKeyFor);
  const disabled: StatusAnswer = await client.disable(viaKeyFor);
  const init: SignedFetchInit = { method: "POST", body: JSON.stringify({ note: "hi" }), audience: base };
  await client.signedFetch(key, "/notes", init);
  await client.signedFetch(key, "/account", undefined);

  try {
    await client.evaluate("not an address", password);
  } catch (error) {
    tokens.push(describeError(error));
  }
  const made = new NotaryError("rate_limited", "slow down", 429, 30);
  const codes: NotaryErrorCode[] = [
    "expired" satisfies ProtocolErrorCode,
    "rate_limited" satisfies ServerErrorCode,
    "unexpected_response" satisfies ClientErrorCode,
    "terminated" satisfies WorkerClientErrorCode,
    // Open-ended: a newer server's code is a NotaryErrorCode too.
    "a_code_of_a_newer_server",
  ];
  const fromAWorker: WorkerNotaryErrorCode = made.code;
  const seconds: number | undefined = made.retryAfter;
  const local = new NotaryError("invalid_argument", "bad");

  releaseKdfMemory();
  for (const k of [key, legacyKey, viaKeyFor, checkedKey, signInKey]) k.free();
  client.free();
  return [
    ...tokens,
    String(flags),
    canonical,
    String(legacyAccepted),
    phases.join(","),
    String(upgrade?.status),
    String(accountVersion),
    ticket.status,
    curve,
    keyId,
    signedUp.status,
    active,
    String(createdAt),
    String(confirmedAt),
    changed.status,
    newKeyId,
    either.status,
    signed.key_id,
    recovered.status,
    disabled.status,
    String(seconds),
    local.code,
    ...codes,
    fromAWorker,
  ];
}

export async function inAWorker(address: string, password: string): Promise<KeyInfo | null> {
  const notary: WorkerClient = createWorkerClient({
    baseUrl: "https://notary.example",
    workerUrl: new URL("https://notary.example/vendor/worker.js"),
  });
  const started: { simd: boolean; baseUrl: string } = await notary.ready;
  const events: DerivationProgress[] = [];
  const info: KeyInfo = await notary.deriveKey(address, password, {
    ticket: "emailed-ticket",
    onProgress: (event) => {
      events.push(event);
      if (event.phase === "done") {
        const ms: number = event.ms;
        console.log(ms);
      }
    },
  });
  const jwk: PublicJwk = info.publicJwk;
  await notary.deriveNewKey(password, { address, ticket: "emailed-ticket" });
  const signedUp: StatusAnswer = await notary.signup();
  const signIn: SignInInfo = await notary.signIn(address, password, {
    onProgress: (event: WorkerSignInProgress) => {
      if (event.phase === "start") console.log(event.kdfVersion);
    },
  });
  const signInKey: KeyInfo = signIn.key;
  const moving: KeyInfo | undefined = signIn.newKey;
  const movingStatus: StatusAnswer | undefined = signIn.upgrade;
  const ticket: StatusAnswer = await notary.requestTicket(address);
  const confirmed: ConfirmAnswer = await notary.confirm("emailed-token");
  const account: Account = await notary.account();
  const next: KeyInfo = await notary.deriveNewKey("a new password", { onProgress: () => {} });
  const changedNow: ConfirmAnswer = await notary.changePassword();
  const alsoNow: ConfirmAnswer = await notary.changePassword({ recovery: false });
  await notary.deriveNewKey("a forgotten password's successor", { address });
  const changed: StatusAnswer = await notary.changePassword({ recovery: true });
  const either: ConfirmAnswer | StatusAnswer = await notary.changePassword({ recovery: events.length > 0 });
  await notary.confirm("second-emailed-token", { useNewKey: true });
  const assertion: string = await notary.assertion("https://partner.example", 60);
  const response: Response = await notary.signedFetch(new URL("https://notary.example/account"), {
    method: "GET",
    audience: "https://notary.example",
  });
  const keys: { current: KeyInfo | null; pending: KeyInfo | null } = await notary.keyInfo();
  const disabled: StatusAnswer = await notary.disable();
  try {
    await notary.account();
  } catch (error) {
    if (error instanceof WorkerNotaryError) {
      const retryAfter: number | undefined = error.retryAfter;
      const status: number | undefined = error.status;
      console.log(error.code, status, retryAfter);
    }
  }
  const forgotten: null = await notary.forget();
  notary.terminate();
  // Both entry points export the same class.
  const sameClass: typeof NotaryError = WorkerNotaryError;
  console.log(started.simd, jwk.x, signedUp, confirmed.key_id, account.key_id, next.keyId, changed, assertion);
  console.log(response.status, disabled.status, forgotten, events.length, sameClass.name);
  console.log(changedNow.key_id, alsoNow.address, either.status);
  console.log(signInKey.keyId, moving?.keyId, movingStatus?.status, signIn.account.kdf_version, ticket.status);
  return keys.current;
}

// Sessions (issue 13): NotaryClient.createSession/resumeSession, Session, the store, the worker's calls.
import { Session } from "notary-client";
import type { SessionInfo, SessionList, SessionOptions, SessionsEnded, StoredSession } from "notary-client";
import { deleteSession, loadSession, saveSession } from "notary-client/session-store";
import type { CreatedSession, SessionKeyInfo } from "notary-client/worker-client";

export async function useSession(client: NotaryClient, key: KeyPair): Promise<string> {
  const options: SessionOptions = { label: "Chromium on Linux", memoryOnly: false };
  const session: Session = await client.createSession(key, options);
  const account: Account = await session.account();
  const list: SessionList = await session.list();
  const first: SessionInfo | undefined = list.sessions[0];
  const current: boolean = first?.current ?? false;
  const ended: SessionsEnded = await session.endOthers();
  const count: number = ended.ended + (await session.endAll()).ended + (await session.end("id")).ended;
  const response: Response = await session.signedFetch("/account", { method: "GET", audience: "x" });
  const idle: number | undefined = session.idleExpiresAt;
  if (session.persistent) {
    const stored: StoredSession = session.toStored();
    const key: CryptoKey = stored.privateKey;
    await saveSession(stored);
    const again: StoredSession | null = await loadSession(stored.baseUrl);
    if (again) client.resumeSession(again).free();
    await deleteSession(stored.baseUrl);
    void key;
  }
  const out: SessionsEnded = await session.signOut();
  session.free();
  return `${account.address} ${current} ${count} ${response.status} ${idle} ${out.status} ${session.id} ${session.keyId} ${session.label} ${session.createdAt} ${session.expiresAt} ${session.address}`;
}

export async function useWorkerSessions(notary: WorkerClient): Promise<string> {
  const created: CreatedSession = await notary.createSession({ label: "tab", persist: true, keepAccountKey: false });
  const resumed: { account: Account; session: SessionKeyInfo } | null = await notary.resumeSession();
  const list: SessionList = await notary.listSessions();
  const one: SessionsEnded = await notary.endSession(list.sessions[0]?.id ?? "");
  const others: SessionsEnded = await notary.endOtherSessions();
  const info = await notary.keyInfo();
  const session: SessionKeyInfo | null = info.session;
  const forgot: null = await notary.forgetAccountKey();
  const out: null = await notary.signOut();
  return `${created.session.id} ${created.persistent} ${created.stored} ${resumed?.session.keyId} ${one.ended} ${others.ended} ${session?.persistent} ${forgot} ${out}`;
}
