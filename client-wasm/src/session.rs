//! Sessions (issue 13): a second, device-bound key that the account key certifies once
//! (`notary-session+jwt`, `POST /sessions`), so that a device stays signed in without deriving the
//! account key again. The session key is a non-extractable WebCrypto Ed25519 key where the platform
//! has one: the browser's key store holds the secret, which can be kept in IndexedDB but never read
//! back, and this module only ever asks it for signatures. Where WebCrypto Ed25519 is missing (or the
//! caller asks for `memoryOnly`), the key is a random Ed25519 key in WebAssembly memory, zeroised when
//! dropped, and the session lasts as long as this instance.
//!
//! Tokens are built by the protocol crate either way (`token::signing_input` + `token::assemble`):
//! the WebCrypto key signs the bytes the crate gives it, so there is one implementation of the token
//! format. Requests go through the same code as the account key's (`RequestSigner`).

use crate::client::{promise, rejected, signed_fetch, NotaryClient};
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
    // SubtleCrypto, reached directly: web-sys's bindings would need four more features for three
    // calls. The algorithm is given by name ("Ed25519"), which WebCrypto normalises to `{ name }`.
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = generateKey, catch)]
    fn subtle_generate_key(
        algorithm: &str,
        extractable: bool,
        usages: &js_sys::Array,
    ) -> core::result::Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = exportKey, catch)]
    fn subtle_export_key(
        format: &str,
        key: &JsValue,
    ) -> core::result::Result<js_sys::Promise, JsValue>;

    // `data` is a view of WebAssembly memory: `sign` copies it before it returns its promise
    // (WebCrypto, "get a copy of the bytes held by the buffer source").
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

/// The declarations of the options of `createSession`, and the `NotaryClient` methods that take or
/// return sessions (a `KeyPair` argument and a `Session` answer are wasm-bindgen classes).
pub const SESSION_TYPES: &str = r#"
/** The options of `NotaryClient.createSession`. */
export interface SessionOptions {
  /** The device label shown in the list of sessions: 1 to 64 characters, no control characters. */
  label?: string;
  /**
   * Keep the session key in WebAssembly memory instead of WebCrypto: the session then cannot be
   * stored (`persistent` is false, `toStored()` throws). Also what happens where WebCrypto Ed25519 is missing.
   */
  memoryOnly?: boolean;
}

/** The calls of a `Session`, each a request signed by the session key (the package's core.js, over `sessionCall`). */
export interface Session {
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

    /// A new key: WebCrypto Ed25519, non-extractable, unless `memory_only` or WebCrypto cannot make
    /// one (no `crypto.subtle`, as in insecure contexts, or no Ed25519: NotSupportedError); then a
    /// random key in WebAssembly memory.
    async fn generate(address: Address, memory_only: bool) -> Result<Self> {
        if !memory_only {
            if let Some((public, private)) = webcrypto_key().await {
                let secret = SessionSecret::WebCrypto(private);
                return Ok(Self::new(address, public, secret));
            }
        }
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
    /// built by the protocol crate and signed by the session key, now, with a fresh `jti`.
    pub async fn request_token(&self, audience: &str, request: HttpRequest<'_>) -> Result<String> {
        let random = env::jti_bytes()?;
        let (iat, lifetime) = (env::now_secs(), SERVER_TOKEN_LIFETIME_SECS);
        self.request_token_at(audience, request, iat, lifetime, &random)
            .await
    }

    /// [`SessionKey::request_token`] issued at `iat`, valid `lifetime` seconds, with a `jti` made of
    /// `random`: deterministic for a key in memory, so the shared vectors can be replayed.
    pub async fn request_token_at(
        &self,
        audience: &str,
        request: HttpRequest<'_>,
        iat: i64,
        lifetime: i64,
        random: &[u8],
    ) -> Result<String> {
        let claims = Claims::new(&self.address, audience, iat, lifetime, random);
        let claims = bind_request(claims, &request)?;
        let input = token::signing_input(TokenKind::SessionRequest, &claims, &self.public)?;
        let signature = match &self.secret {
            SessionSecret::Memory(pair) => pair.sign(input.as_bytes()),
            SessionSecret::WebCrypto(private) => webcrypto_sign(private, input.as_bytes()).await?,
        };
        Ok(token::assemble(&input, &signature)?)
    }
}

/// A WebCrypto Ed25519 key pair (`extractable: false`, usable only to sign) and its public key, or
/// `None` where WebCrypto cannot make one.
async fn webcrypto_key() -> Option<(PublicKey, JsValue)> {
    let usages = js_sys::Array::of1(&"sign".into());
    let pair = JsFuture::from(subtle_generate_key("Ed25519", false, &usages).ok()?)
        .await
        .ok()?;
    let private = shape::member(&pair, "privateKey");
    // Public keys are always extractable.
    let raw = subtle_export_key("raw", &shape::member(&pair, "publicKey")).ok()?;
    let raw = JsFuture::from(raw).await.ok()?;
    let bytes: [u8; 32] = js_sys::Uint8Array::new(&raw).to_vec().try_into().ok()?;
    Some((PublicKey::from_bytes(&bytes).ok()?, private))
}

/// The Ed25519 signature of `message` by a WebCrypto private key.
async fn webcrypto_sign(private: &JsValue, message: &[u8]) -> Result<[u8; 64]> {
    let refused =
        || NotaryError::invalid_argument("WebCrypto refused to sign with the session key");
    let signing = subtle_sign("Ed25519", private, message).map_err(|_| refused())?;
    let signature = JsFuture::from(signing).await.map_err(|_| refused())?;
    js_sys::Uint8Array::new(&signature)
        .to_vec()
        .try_into()
        .map_err(|_| refused())
}

/// A session: the device's key, certified by the account key. It signs only session requests (read
/// the account, list and end sessions, `signedFetch`): it cannot change the password, disable the
/// account or sign anything for a third party, and the server refuses its tokens for those.
#[wasm_bindgen]
pub struct Session {
    client: NotaryClient,
    key: Rc<SessionKey>,
    id: String,
    label: String,
    created_at: f64,
    expires_at: f64,
    idle_expires_at: Option<f64>,
}

#[wasm_bindgen]
impl NotaryClient {
    /// `POST /sessions`: makes a session key for this device and has `key` (the account's key)
    /// certify it, with `options.label` naming the device. The session key is a non-extractable
    /// WebCrypto Ed25519 key; where WebCrypto Ed25519 is missing, or with `options.memoryOnly`, a
    /// random key in WebAssembly memory (`session.persistent` is then false). Resolves to the
    /// `Session`; `key` can be freed once it resolves.
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<Session>")]
    pub fn create_session(
        &self,
        key: &KeyPair,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionOptions")] options: &JsValue,
    ) -> js_sys::Promise {
        let (label, memory_only) = match session_options(options) {
            Ok(options) => options,
            Err(error) => return rejected(error),
        };
        let client = self.share();
        let material = key.material();
        promise(Box::pin(async move {
            let session_key = SessionKey::generate(material.address().clone(), memory_only).await?;
            let purpose = Purpose::Session {
                key: &session_key.public,
                label: label.as_deref(),
            };
            let call = client.token_call_future(
                "POST",
                "/sessions",
                &material,
                purpose,
                None,
                requirements!(SESSION_CREATED),
            );
            let answer = call.await?;
            let info = shape::member(&answer, "session");
            shape::check(&info, requirements!(SESSION_INFO))
                .map_err(|_| unexpected_response(201))?;
            let number = |name| shape::member(&info, name).as_f64().unwrap_or_default();
            Ok(Session {
                id: shape::string(&info, "id")?,
                label: shape::string(&info, "label")?,
                created_at: number("created_at"),
                expires_at: number("expires_at"),
                idle_expires_at: Some(number("idle_expires_at")),
                key: Rc::new(session_key),
                client,
            }
            .into())
        }))
    }

    /// A session kept with `session.toStored()` (IndexedDB), for this client's server: no call to
    /// the server (the first request tells whether it still stands: `unknown_key` when it ended or
    /// expired). Throws `invalid_argument` for anything that is not such a record.
    #[wasm_bindgen(js_name = resumeSession)]
    pub fn resume_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoredSession")] stored: &JsValue,
    ) -> Result<Session> {
        shape::check(stored, requirements!(STORED_SESSION))?;
        if shape::string(stored, "baseUrl")? != self.base_url() {
            return Err(NotaryError::invalid_argument(
                "the stored session belongs to another server",
            ));
        }
        let jwk = shape::member(stored, "publicJwk");
        let jwk = keys::Jwk {
            kty: shape::string(&jwk, "kty")?,
            crv: shape::string(&jwk, "crv")?,
            x: shape::string(&jwk, "x")?,
        };
        let public = PublicKey::from_jwk(&jwk)?;
        let address = Address::from_canonical(&shape::string(stored, "address")?)?;
        let private = shape::member(stored, "privateKey");
        let is_private = shape::string(&private, "type").is_ok_and(|kind| kind == "private");
        if public.key_id().as_str() != shape::string(stored, "keyId")? || !is_private {
            return Err(NotaryError::invalid_argument(
                "the stored session's keys do not match",
            ));
        }
        let number = |name| shape::member(stored, name).as_f64().unwrap_or_default();
        Ok(Session {
            client: self.share(),
            id: session_id(&shape::string(stored, "id")?)?,
            label: shape::string(stored, "label")?,
            created_at: number("createdAt"),
            expires_at: number("expiresAt"),
            idle_expires_at: None,
            key: Rc::new(SessionKey::new(
                address,
                public,
                SessionSecret::WebCrypto(private),
            )),
        })
    }
}

#[wasm_bindgen]
impl Session {
    /// The session's id (what `end(id)` and the list use).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// The account's canonical address.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.key.address.as_str().to_owned()
    }

    /// The session key's id: the RFC 7638 thumbprint of its public key (never the account key's).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.key.key_id.as_str().to_owned()
    }

    /// The device label ("" when none was given).
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> String {
        self.label.clone()
    }

    /// Unix seconds.
    #[wasm_bindgen(getter, js_name = createdAt)]
    pub fn created_at(&self) -> f64 {
        self.created_at
    }

    /// Unix seconds: the absolute expiry.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        self.expires_at
    }

    /// Unix seconds: the idle expiry as the server set it at creation (each use extends it, never
    /// past `expiresAt`); `undefined` for a resumed session (`list()` has the current value).
    #[wasm_bindgen(getter, js_name = idleExpiresAt)]
    pub fn idle_expires_at(&self) -> Option<f64> {
        self.idle_expires_at
    }

    /// Whether the key is a non-extractable WebCrypto key that `toStored()` can hand out for
    /// IndexedDB; false for a key in WebAssembly memory, which ends with this instance.
    #[wasm_bindgen(getter)]
    pub fn persistent(&self) -> bool {
        matches!(self.key.secret, SessionSecret::WebCrypto(_))
    }

    /// `fetch(url, init)` signed by the session key (`notary-session-request+jwt`), exactly as
    /// `NotaryClient.signedFetch` signs with the account key. Resolves to the `Response`.
    #[wasm_bindgen(js_name = signedFetch)]
    pub fn signed_fetch(
        &self,
        url: &str,
        #[wasm_bindgen(unchecked_param_type = "SignedFetchInit | undefined")] init: JsValue,
    ) -> js_sys::Promise {
        let signer = RequestSigner::Session(Rc::clone(&self.key));
        let base_url = self.client.base_url();
        let url = url.to_owned();
        promise(Box::pin(async move {
            let response = signed_fetch(&signer, &base_url, &url, &init).await?;
            Ok(response.into())
        }))
    }

    /// One of the calls a session makes, each a request signed by the session key with no body:
    /// the package's `account()`, `list()`, `end(id)`, `endOthers()`, `endAll()` and `signOut()`
    /// (core.js) call this, so that the `.wasm` carries one export and one future for all six.
    /// `call`: 0 `GET /account`, 1 `GET /sessions`, 2 `DELETE /sessions/{id}`, 3 `DELETE
    /// /sessions?except=current`, 4 `DELETE /sessions`.
    #[wasm_bindgen(js_name = sessionCall)]
    pub fn session_call(&self, call: u8, id: Option<String>) -> js_sys::Promise {
        let ended: &'static [Requirement] = requirements!(SESSIONS_ENDED);
        let (method, path, expect): (_, String, &'static [Requirement]) = match (call, id) {
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
            _ => return rejected(NotaryError::invalid_argument("not a session call")),
        };
        let signer = Some(RequestSigner::Session(Rc::clone(&self.key)));
        let call = self
            .client
            .call_future(method, &path, Ok(None), signer, expect);
        promise(Box::pin(async move {
            let answer = call.await?;
            // `GET /sessions`: each item too (`check` only made sure of an array).
            if let Some(sessions) = shape::member(&answer, "sessions").dyn_ref::<js_sys::Array>() {
                for item in sessions.iter() {
                    shape::check(&item, requirements!(SESSION_INFO))
                        .map_err(|_| unexpected_response(200))?;
                }
            }
            Ok(answer)
        }))
    }

    /// The session as a structured-cloneable record for IndexedDB (`notary-client/session-store`),
    /// its private key the non-extractable `CryptoKey` itself. Throws `invalid_argument` for a
    /// session whose key is in WebAssembly memory (`persistent` false): that key cannot be kept.
    #[wasm_bindgen(js_name = toStored, unchecked_return_type = "StoredSession")]
    pub fn to_stored(&self) -> Result<JsValue> {
        let SessionSecret::WebCrypto(private) = &self.key.secret else {
            return Err(NotaryError::invalid_argument(
                "this session's key is in WebAssembly memory and cannot be stored",
            ));
        };
        let jwk = self.key.public.to_jwk();
        let public_jwk = js_sys::Object::new();
        let record = js_sys::Object::new();
        let members: [(&js_sys::Object, &str, JsValue); 13] = [
            (&public_jwk, "kty", jwk.kty.into()),
            (&public_jwk, "crv", jwk.crv.into()),
            (&public_jwk, "x", jwk.x.into()),
            (&record, "version", 1.into()),
            (&record, "baseUrl", self.client.base_url().into()),
            (&record, "id", self.id().into()),
            (&record, "address", self.address().into()),
            (&record, "keyId", self.key_id().into()),
            (&record, "publicJwk", public_jwk.clone().into()),
            (&record, "label", self.label().into()),
            (&record, "createdAt", self.created_at.into()),
            (&record, "expiresAt", self.expires_at.into()),
            (&record, "privateKey", private.clone()),
        ];
        for (object, name, value) in members {
            // Reflect::set on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(object, &name.into(), &value);
        }
        Ok(record.into())
    }
}

/// `createSession`'s options: the label (checked as the protocol checks it) and `memoryOnly`.
fn session_options(options: &JsValue) -> Result<(Option<String>, bool)> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, false));
    }
    let label = shape::member(options, "label");
    let label = if label.is_undefined() || label.is_null() {
        None
    } else {
        match label.as_string() {
            Some(label) if token::is_valid_label(&label) => Some(label),
            _ => {
                return Err(NotaryError::invalid_argument(
                    "the label must be 1 to 64 characters, none of them a control character",
                ))
            }
        }
    };
    let memory_only = shape::member(options, "memoryOnly").as_bool() == Some(true);
    Ok((label, memory_only))
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
