// A TypeScript consumer of notary-client: every public export of both entry points, used in typed
// ways. tests/client/types.test.mjs compiles it with `tsc --noEmit --strict` against the packed
// package (moduleResolution nodenext and bundler) and expects no diagnostic at all.

import {
  KeyPair,
  NotaryClient,
  NotaryError,
  deriveKey,
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
  KdfParams,
  NotaryClientOptions,
  NotaryErrorCode,
  ProtocolErrorCode,
  PublicJwk,
  SaltAnswer,
  SaltStore,
  ServerErrorCode,
  SignedFetchInit,
  StatusAnswer,
  TokenSpec,
  WorkerClientErrorCode,
} from "notary-client";
import { NotaryError as WorkerNotaryError, createWorkerClient } from "notary-client/worker-client";
import type {
  DerivationProgress,
  KeyInfo,
  NotaryErrorCode as WorkerNotaryErrorCode,
  SaltStore as WorkerSaltStore,
  WorkerClient,
} from "notary-client/worker-client";

/** A salt store over localStorage, as the pages keep theirs; and one that answers later. */
const kept: SaltStore = {
  get: (baseUrl: string, address: string): SaltAnswer | null => {
    const text = globalThis.localStorage?.getItem(`${baseUrl} ${address}`);
    return text ? (JSON.parse(text) as SaltAnswer) : null;
  },
  set: (baseUrl: string, address: string, answer: SaltAnswer): void => {
    globalThis.localStorage?.setItem(`${baseUrl} ${address}`, JSON.stringify(answer));
  },
};
const later: WorkerSaltStore = {
  get: async () => undefined,
  set: async () => {},
};

/** What a program does with any error of the package: its code picks the reaction. */
export function describeError(error: unknown): string {
  if (error instanceof NotaryError) {
    const typed: NotaryErrorCode = error.code;
    switch (typed) {
      case "rate_limited":
      case "network_error":
        return "try again later";
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
  const options: NotaryClientOptions = { saltStore: kept };
  const keeping = new NotaryClient("https://notary.example", options);
  const keepingLater = new NotaryClient("https://notary.example", { saltStore: later });
  const base: string = client.baseUrl;
  const answer: SaltAnswer = await client.salt(address);
  const kdf: KdfParams = answer.kdf;
  const algorithm: "argon2id" = kdf.algorithm;
  const memoryKib: number = kdf.memory_kib;
  const key: KeyPair = deriveKey(answer, password);
  const sameKey: KeyPair = client.deriveKey(answer, password);
  const viaKeyFor: KeyPair = await client.keyFor(address, password);
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
  const version: 19 = answer.kdf.version;
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
    await client.salt("not an address");
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
  for (const k of [key, sameKey, viaKeyFor]) k.free();
  for (const c of [client, keeping, keepingLater]) c.free();
  return [
    ...tokens,
    String(flags),
    algorithm,
    String(memoryKib),
    curve,
    keyId,
    signedUp.status,
    active,
    String(createdAt),
    String(confirmedAt),
    String(version),
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
    saltStore: kept,
  });
  const started: { simd: boolean; baseUrl: string } = await notary.ready;
  const events: DerivationProgress[] = [];
  const info: KeyInfo = await notary.deriveKey(address, password, {
    onProgress: (event) => {
      events.push(event);
      if (event.phase === "done") {
        const ms: number = event.ms;
        console.log(ms);
      }
    },
  });
  const jwk: PublicJwk = info.publicJwk;
  const signedUp: StatusAnswer = await notary.signup();
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
  return keys.current;
}
