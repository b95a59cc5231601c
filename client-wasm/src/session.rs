//! Sessions (issue 13): a second, device-bound key that the account key certifies once
//! (`notary-session+jwt`, `POST /sessions`), so that a device stays signed in without deriving the
//! account key again. The session key is a non-extractable WebCrypto Ed25519 key where the platform
//! has one: the browser's key store holds the secret, which can be kept in IndexedDB but never read
//! back, and this module only ever asks it for signatures. Where WebCrypto Ed25519 is missing (or the
//! caller asks for `memoryOnly`), the key is a random Ed25519 key in WebAssembly memory, zeroised when
//! dropped, and the session lasts as long as this instance.
//!
//! Only what must be Rust is here: the tokens (the account key's session token, and the session
//! request tokens by `protocol::token::signing_input` + `assemble`, the WebCrypto key signing the bytes
//! the crate gives it, so there is one implementation of the token format), the requests (through the
//! same `RequestSigner` path as the account key's) and the checks of the server's answers. The
//! package's core.js does the plain-data work over the three small exports below: the key's
//! generation (`crypto.subtle`), the session's fields, `toStored()` and the stored record's checks.

use crate::client::{promise, rejected, signed_fetch, Call, NotaryClient};
use crate::env;
use crate::error::{NotaryError, Result};
use crate::http::unexpected_response;
use crate::key::SERVER_TOKEN_LIFETIME_SECS;
use crate::key::{bind_request, KeyPair, Purpose, RequestSigner, PUBLIC_JWK};
use crate::requirements;
use crate::shape::{self, Member, Requirement, Shape, Type};
use protocol::address::Address;
use protocol::keys::{self, KeyId, PublicKey, Seed, SEED_BYTES};
use protocol::token::{self, Claims, HttpRequest, TokenKind};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroize;

#[wasm_bindgen]
extern "C" {
    // SubtleCrypto's sign, reached directly (web-sys would need more features for one call). The
    // algorithm is given by name ("Ed25519"), which WebCrypto normalises to `{ name }`. `data` is a
    // view of WebAssembly memory: `sign` copies it before it returns its promise (WebCrypto, "get a
    // copy of the bytes held by the buffer source"). The key's generation is core.js's.
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = sign, catch)]
    fn subtle_sign(
        algorithm: &str,
        key: &JsValue,
        data: &[u8],
    ) -> core::result::Result<js_sys::Promise, JsValue>;
}

/// One session as the server lists it.
pub const SESSION_INFO: Shape = Shape {
    name: "SessionInfo",
    doc: "One session of the account, as `GET /sessions` and `POST /sessions` answer it.",
    members: &[
        Member::new("id", Type::String).doc("16 random bytes, base64url: what `end(id)` takes."),
        Member::new("label", Type::String).doc("The device label, or \"\" when none was given."),
        Member::new("created_at", Type::Number).doc("Unix seconds."),
        Member::new("last_used_at", Type::Number).doc("Unix seconds."),
        Member::new("idle_expires_at", Type::Number)
            .doc("Unix seconds: the session ends if unused until then; each use extends it, never past `expires_at`."),
        Member::new("expires_at", Type::Number).doc("Unix seconds: the session ends then whatever its use."),
        Member::new("current", Type::Boolean).doc("Whether this is the session that signed the request."),
    ],
};

/// The answer of `POST /sessions`.
pub const SESSION_CREATED: Shape = Shape {
    name: "SessionCreated",
    doc: "The answer of `POST /sessions`.",
    members: &[Member::new("session", Type::Object(&SESSION_INFO))],
};

/// The answer of `GET /sessions`.
pub const SESSION_LIST: Shape = Shape {
    name: "SessionList",
    doc:
        "The answer of `GET /sessions`: most recently used first, `current` on the signing session.",
    members: &[Member::new("sessions", Type::Array(&SESSION_INFO))],
};

/// The answer of the `DELETE /sessions...` calls.
pub const SESSIONS_ENDED: Shape = Shape {
    name: "SessionsEnded",
    doc: "The answer of `DELETE /sessions/{id}` and `DELETE /sessions`: how many sessions ended.",
    members: &[
        Member::new("status", Type::Literal("ended")),
        Member::new("ended", Type::Number),
    ],
};

/// What `Session.toStored()` gives and `NotaryClient.resumeSession` takes.
pub const STORED_SESSION: Shape = Shape {
    name: "StoredSession",
    doc: "A session to keep (IndexedDB, through structured clone) and resume after a reload: no secret can be read out of it, the private key is a non-extractable `CryptoKey`.",
    members: &[
        Member::new("version", Type::Integer(1)),
        Member::new("baseUrl", Type::String).doc("The server the session belongs to."),
        Member::new("id", Type::String),
        Member::new("address", Type::String).doc("The account's canonical address."),
        Member::new("keyId", Type::String).doc("The session key's RFC 7638 thumbprint."),
        Member::new("publicJwk", Type::Object(&PUBLIC_JWK)).doc("The session's public key (a non-extractable private key does not give it back)."),
        Member::new("label", Type::String),
        Member::new("createdAt", Type::Number).doc("Unix seconds."),
        Member::new("expiresAt", Type::Number).doc("Unix seconds: the absolute expiry."),
        Member::new("privateKey", Type::Platform("CryptoKey")).doc("Non-extractable, usable only to sign."),
    ],
};

/// The declarations of the options of `createSession`, and of what the package's core.js adds to
/// the `NotaryClient` and `Session` classes over the exports below (`createSession`,
/// `resumeSession`, the session's fields, its calls and `toStored`).
pub const SESSION_TYPES: &str = r#"
/** The options of `NotaryClient.createSession`. */
export interface SessionOptions {
  /** The device label shown in the list of sessions: 1 to 64 characters, no control or format characters. */
  label?: string;
  /**
   * Keep the session key in WebAssembly memory instead of WebCrypto: the session then cannot be
   * stored (`persistent` is false, `toStored()` throws). Also what happens where WebCrypto Ed25519 is missing.
   */
  memoryOnly?: boolean;
}

export interface NotaryClient {
  /**
   * `POST /sessions`: makes a session key for this device and has `key` (the account's key) certify
   * it, with `options.label` naming the device. The session key is a non-extractable WebCrypto
   * Ed25519 key; where WebCrypto Ed25519 is missing, or with `options.memoryOnly`, a random key in
   * WebAssembly memory (`session.persistent` is then false). Resolves to the `Session`; `key` can be
   * freed once it resolves.
   */
  createSession(key: KeyPair, options?: SessionOptions): Promise<Session>;
  /**
   * A session kept with `session.toStored()` (IndexedDB), for this client's server: no call to the
   * server (the first request tells whether it still stands: `unknown_key` when it ended or expired).
   * Throws `invalid_argument` for anything that is not such a record.
   */
  resumeSession(stored: StoredSession): Session;
}

/** A session's fields and calls, each call a request signed by the session key (the package's core.js, over one export). */
export interface Session {
  /** The session's id (what `end(id)` and the list use). */
  readonly id: string;
  /** The account's canonical address. */
  readonly address: string;
  /** The device label ("" when none was given). */
  readonly label: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds: the absolute expiry. */
  readonly expiresAt: number;
  /**
   * Unix seconds: the idle expiry as the server set it at creation (each use extends it, never past
   * `expiresAt`); `undefined` for a resumed session (`list()` has the current value).
   */
  readonly idleExpiresAt: number | undefined;
  /** The server's answer of `POST /sessions` for a session created here; `undefined` for a resumed one. */
  readonly created: SessionInfo | undefined;
  /**
   * Whether the key is a non-extractable WebCrypto key that `toStored()` can hand out for IndexedDB;
   * false for a key in WebAssembly memory, which ends with this instance.
   */
  readonly persistent: boolean;
  /**
   * The session as a structured-cloneable record for IndexedDB (`notary-client/session-store`), its
   * private key the non-extractable `CryptoKey` itself. Throws `invalid_argument` for a session whose
   * key is in WebAssembly memory (`persistent` false): that key cannot be kept.
   */
  toStored(): StoredSession;
  /**
   * `fetch(url, init)` signed by the session key (`notary-session-request+jwt`), exactly as
   * `NotaryClient.signedFetch` signs with the account key. Resolves to the `Response`.
   */
  signedFetch(url: string, init?: SignedFetchInit): Promise<Response>;
  /** `GET /account`. */
  account(): Promise<Account>;
  /** `GET /sessions`: the account's sessions, most recently used first, this one `current`. */
  list(): Promise<SessionList>;
  /** `DELETE /sessions/{id}`: ends one session (`unknown_session` when the account has none of that id). */
  end(id: string): Promise<SessionsEnded>;
  /** `DELETE /sessions?except=current`: ends every other session of the account. */
  endOthers(): Promise<SessionsEnded>;
  /** `DELETE /sessions`: ends every session of the account, this one too. */
  endAll(): Promise<SessionsEnded>;
  /**
   * Ends this session: `{ status: "ended", ended: 1 }`, or `ended: 0` when the server had already
   * forgotten it (`unknown_key`, `unknown_session`); rejects on anything else. Then `free()` it and
   * delete any stored copy.
   */
  signOut(): Promise<SessionsEnded>;
}
"#;

/// The secret half of a session key.
enum SessionSecret {
    /// A non-extractable WebCrypto `CryptoKey`: only the browser's key store holds the secret.
    WebCrypto(JsValue),
    /// A random Ed25519 key in WebAssembly memory (zeroised on drop by ed25519-dalek).
    Memory(Box<keys::KeyPair>),
}

/// A session key, with the account's address it signs for.
pub struct SessionKey {
    address: Address,
    public: PublicKey,
    key_id: KeyId,
    secret: SessionSecret,
}

impl SessionKey {
    fn new(address: Address, public: PublicKey, secret: SessionSecret) -> Self {
        let key_id = public.key_id();
        Self {
            address,
            public,
            key_id,
            secret,
        }
    }

    /// A random key in WebAssembly memory (the fallback where WebCrypto Ed25519 is missing).
    fn random(address: Address) -> Result<Self> {
        let mut bytes = [0u8; SEED_BYTES];
        let filled = env::random_bytes(&mut bytes);
        let seed = Seed::from_bytes(bytes);
        bytes.zeroize();
        filled?;
        Ok(Self::in_memory(address, keys::KeyPair::from_seed(&seed)))
    }

    /// A session key held in WebAssembly memory (the fallback; and the shared vectors' replay).
    pub fn in_memory(address: Address, pair: keys::KeyPair) -> Self {
        let public = *pair.public_key();
        Self::new(address, public, SessionSecret::Memory(Box::new(pair)))
    }

    /// A session request token (`notary-session-request+jwt`) for `audience` binding `request`,
    /// built by the protocol crate, now, with a fresh `jti`: signed already by a key in memory, or
    /// to be signed by the WebCrypto key ([`Unsigned::token`]).
    pub fn request_token(&self, audience: &str, request: HttpRequest<'_>) -> Result<Unsigned> {
        let random = env::jti_bytes()?;
        let (iat, lifetime) = (env::now_secs(), SERVER_TOKEN_LIFETIME_SECS);
        self.request_token_at(audience, request, iat, lifetime, &random)
    }

    /// [`SessionKey::request_token`] issued at `iat`, valid `lifetime` seconds, with a `jti` made of
    /// `random`: deterministic for a key in memory, so the shared vectors can be replayed.
    pub fn request_token_at(
        &self,
        audience: &str,
        request: HttpRequest<'_>,
        iat: i64,
        lifetime: i64,
        random: &[u8],
    ) -> Result<Unsigned> {
        let claims = Claims::new(&self.address, audience, iat, lifetime, random);
        let claims = bind_request(claims, &request)?;
        let input = token::signing_input(TokenKind::SessionRequest, &claims, &self.public)?;
        Ok(match &self.secret {
            SessionSecret::Memory(pair) => {
                Unsigned::ready(token::assemble(&input, &pair.sign(input.as_bytes()))?)
            }
            SessionSecret::WebCrypto(private) => Unsigned {
                text: input,
                signer: Some(private.clone()),
            },
        })
    }
}

/// A token, or the signing input of one and the WebCrypto key that is to sign it: what the signers
/// of requests give synchronously, so that the only asynchronous step of a request's signature is
/// WebCrypto's `sign` ([`Unsigned::token`]).
#[must_use = "an Unsigned does nothing until its token is awaited"]
pub struct Unsigned {
    text: String,
    signer: Option<JsValue>,
}

impl Unsigned {
    /// A token already signed (by a key in WebAssembly memory).
    pub fn ready(token: String) -> Self {
        Self {
            text: token,
            signer: None,
        }
    }

    /// The token: as it is, or its signing input signed by the WebCrypto key and assembled by the
    /// protocol crate.
    pub async fn token(self) -> Result<String> {
        let Some(private) = self.signer else {
            return Ok(self.text);
        };
        let refused =
            || NotaryError::invalid_argument("WebCrypto refused to sign with the session key");
        let signing =
            subtle_sign("Ed25519", &private, self.text.as_bytes()).map_err(|_| refused())?;
        let signature = JsFuture::from(signing).await.map_err(|_| refused())?;
        let signature: [u8; 64] = js_sys::Uint8Array::new(&signature)
            .to_vec()
            .try_into()
            .map_err(|_| refused())?;
        Ok(token::assemble(&self.text, &signature)?)
    }
}

/// A session: the device's key, certified by the account key. It signs only session requests (read
/// the account, list and end sessions, `signedFetch`): it cannot change the password, disable the
/// account or sign anything for a third party, and the server refuses its tokens for those. Its
/// fields (id, label, times) are kept by core.js, which made it.
#[wasm_bindgen]
pub struct Session {
    client: NotaryClient,
    key: Rc<SessionKey>,
}

#[wasm_bindgen]
impl NotaryClient {
    /// A session key for `address` (canonical), with no call to the server: the WebCrypto key
    /// `privateKey` whose public key is `publicKey` (32 bytes), or without `privateKey` a random key
    /// in WebAssembly memory. core.js's `createSession` has it certified (`certifySession`) and its
    /// `resumeSession` makes one from a stored record (then checks the key id against the record's).
    #[wasm_bindgen(js_name = sessionKey, skip_typescript)]
    pub fn session_key(
        &self,
        address: &str,
        public_key: &[u8],
        private_key: JsValue,
    ) -> Result<Session> {
        let address = Address::from_canonical(address)?;
        let key = if private_key.is_undefined() {
            SessionKey::random(address)?
        } else {
            let public = public_key
                .try_into()
                .map_err(|_| NotaryError::invalid_argument("a session's public key is 32 bytes"))?;
            let public = PublicKey::from_bytes(public)?;
            SessionKey::new(address, public, SessionSecret::WebCrypto(private_key))
        };
        Ok(Session {
            client: self.share(),
            key: Rc::new(key),
        })
    }

    /// `POST /sessions`: `key` (the account's key) certifies `session`'s key, with the device's
    /// `label`. Resolves to the server's `{ session }` (checked); core.js's `createSession` calls it.
    #[wasm_bindgen(js_name = certifySession, skip_typescript)]
    pub fn certify_session(
        &self,
        key: &KeyPair,
        session: &Session,
        label: Option<String>,
    ) -> js_sys::Promise {
        let material = key.material();
        if material.address() != &session.key.address {
            return rejected(NotaryError::invalid_argument(
                "the session is for another account",
            ));
        }
        if label
            .as_deref()
            .is_some_and(|label| !token::is_valid_label(label))
        {
            return rejected(NotaryError::invalid_argument(
                "the label must be 1 to 64 characters, none of them a control or format character",
            ));
        }
        let purpose = Purpose::Session {
            key: &session.key.public,
            label: label.as_deref(),
        };
        let call = self.token_call_future(
            "POST",
            "/sessions",
            &material,
            purpose,
            None,
            requirements!(SESSION_CREATED),
        );
        session_answer(call)
    }
}

#[wasm_bindgen]
impl Session {
    /// The session key's id: the RFC 7638 thumbprint of its public key (never the account key's).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.key.key_id.as_str().to_owned()
    }

    /// One of the calls a session makes, each a request signed by the session key: the package's
    /// `account()`, `list()`, `end(id)`, `endOthers()`, `endAll()`, `signOut()` and
    /// `signedFetch(url, init)` (core.js) call this, so that the `.wasm` carries one export for all
    /// seven. `call`: 0 `GET /account`, 1 `GET /sessions`, 2 `DELETE /sessions/{arg}`, 3 `DELETE
    /// /sessions?except=current`, 4 `DELETE /sessions`; 5 `fetch(arg, init)` signed as
    /// `NotaryClient.signedFetch` signs with the account key, resolving to the `Response`.
    #[wasm_bindgen(js_name = sessionCall, skip_typescript)]
    pub fn session_call(&self, call: u8, arg: Option<String>, init: JsValue) -> js_sys::Promise {
        let ended: &'static [Requirement] = requirements!(SESSIONS_ENDED);
        let signer = RequestSigner::Session(Rc::clone(&self.key));
        let (method, path, expect): (_, String, &'static [Requirement]) = match (call, arg) {
            (0, _) => (
                "GET",
                "/account".into(),
                requirements!(crate::client::ACCOUNT),
            ),
            (1, _) => ("GET", "/sessions".into(), requirements!(SESSION_LIST)),
            (2, Some(id)) => match session_id(&id) {
                Ok(id) => ("DELETE", format!("/sessions/{id}"), ended),
                Err(error) => return rejected(error),
            },
            (3, _) => ("DELETE", "/sessions?except=current".into(), ended),
            (4, _) => ("DELETE", "/sessions".into(), ended),
            (5, Some(url)) => {
                let base_url = self.client.base_url();
                return promise(Box::pin(async move {
                    let response = signed_fetch(&signer, &base_url, &url, &init).await?;
                    Ok(response.into())
                }));
            }
            _ => return rejected(NotaryError::invalid_argument("not a session call")),
        };
        session_answer(
            self.client
                .call_future(method, &path, Ok(None), Some(signer), expect),
        )
    }
}

/// The promise of a call whose answer may carry sessions: `POST /sessions`'s `session` and `GET
/// /sessions`'s items are checked too (the call's own check only made sure of an object and an
/// array). One future for `certifySession` and `sessionCall`.
fn session_answer(call: Call) -> js_sys::Promise {
    promise(Box::pin(async move {
        let answer = call.await?;
        let created = shape::member(&answer, "session");
        let items = match shape::member(&answer, "sessions").dyn_into::<js_sys::Array>() {
            Ok(sessions) => sessions,
            Err(_) if created.is_object() => js_sys::Array::of1(&created),
            Err(_) => js_sys::Array::new(),
        };
        for item in items.iter() {
            shape::check(&item, requirements!(SESSION_INFO))
                .map_err(|_| unexpected_response(if created.is_object() { 201 } else { 200 }))?;
        }
        Ok(answer)
    }))
}

/// A session id as it may go into a path: base64url characters only, so no id can address another
/// path (`../account`) or carry a query.
fn session_id(id: &str) -> Result<String> {
    let plain = id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain && (1..=64).contains(&id.len()) {
        Ok(id.to_owned())
    } else {
        Err(NotaryError::invalid_argument("not a session id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_cannot_leave_their_path() {
        assert_eq!(
            session_id("AAECAwQFBgcICQoLDA0ODw").as_deref(),
            Ok("AAECAwQFBgcICQoLDA0ODw")
        );
        for bad in [
            "",
            "../account",
            "a/b",
            "a?except=current",
            "a#b",
            "%2e%2e",
            &"a".repeat(65),
        ] {
            assert!(session_id(bad).is_err(), "{bad}");
        }
    }
}
