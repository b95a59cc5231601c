//! The key pair as JavaScript sees it: a handle to secret material that stays in WASM memory, and the
//! tokens it signs, one exported method per kind of token (the package's `token(spec)` only picks
//! among them).

use crate::env;
use crate::error::{NotaryError, Result};
use crate::session::{SessionKey, Unsigned};
use crate::shape::{self, Member, Shape, Type};
use protocol::address::Address;
use protocol::confirmation::ConfirmationToken;
use protocol::keys::{self, KeyId, PublicKey};
use protocol::token::{self, Claims, HttpRequest, TokenKind, MAX_LIFETIME_SECS};
use protocol::ErrorKind;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Lifetime of the tokens this package sends to a Notary server (signup, confirm, change, disable,
/// signed requests): long enough for a slow network, far below the protocol's 300 s ceiling.
pub const SERVER_TOKEN_LIFETIME_SECS: i64 = 120;

/// The public key as `KeyPair.publicJwk` gives it.
pub const PUBLIC_JWK: Shape = Shape {
    name: "PublicJwk",
    doc: "An Ed25519 public key as an RFC 8037 JWK.",
    members: &[
        Member::new("kty", Type::Literal("OKP")),
        Member::new("crv", Type::Literal("Ed25519")),
        Member::new("x", Type::String),
    ],
};

/// What a token is for, with what that kind binds besides the common claims.
#[derive(Clone, Copy, Debug)]
pub enum Purpose<'a> {
    /// `POST /signup`, embedding the public key.
    Signup,
    /// `POST /confirm`, carrying the emailed confirmation token.
    Confirm {
        /// The confirmation token from the email.
        confirmation: &'a str,
    },
    /// `PATCH /signature`, embedding the new public key.
    Change,
    /// `DELETE /signature`.
    Disable,
    /// A signed HTTP request.
    Request(HttpRequest<'a>),
    /// A token for a third party.
    Assertion,
    /// `POST /sessions`: certifies a session key (`cnf`), with the device's label.
    Session {
        /// The session's public key.
        key: &'a PublicKey,
        /// The device label shown in the list of sessions.
        label: Option<&'a str>,
    },
}

impl Purpose<'_> {
    fn kind(&self) -> TokenKind {
        match self {
            Self::Signup => TokenKind::Signup,
            Self::Confirm { .. } => TokenKind::Confirm,
            Self::Change => TokenKind::Change,
            Self::Disable => TokenKind::Disable,
            Self::Request(_) => TokenKind::Request,
            Self::Assertion => TokenKind::Assertion,
            Self::Session { .. } => TokenKind::Session,
        }
    }
}

/// The secret key, the account's canonical address and the key id. The secret is zeroised when the
/// last handle to it is dropped (ed25519-dalek's `ExpandedSecretKey` zeroises itself).
pub struct KeyMaterial {
    key: keys::KeyPair,
    address: Address,
    key_id: KeyId,
}

impl KeyMaterial {
    /// Wraps a derived key pair for `address`.
    pub fn new(address: Address, key: keys::KeyPair) -> Self {
        let key_id = key.public_key().key_id();
        Self {
            key,
            address,
            key_id,
        }
    }

    /// The canonical address (`sub` of every token).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The RFC 7638 thumbprint of the public key.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// Signs a token for `purpose` and `audience`, issued at `iat`, valid for `lifetime` seconds, with
    /// a `jti` made of `random`. Deterministic: the exported methods supply the clock and randomness.
    pub fn token_at(
        &self,
        purpose: Purpose<'_>,
        audience: &str,
        iat: i64,
        lifetime: i64,
        random: &[u8],
    ) -> Result<String> {
        let mut claims = Claims::new(&self.address, audience, iat, lifetime, random);
        match purpose {
            Purpose::Confirm { confirmation } => {
                let confirmation = ConfirmationToken::parse(confirmation)?;
                claims = claims.with_confirmation(confirmation.as_str());
            }
            Purpose::Request(request) => claims = bind_request(claims, &request)?,
            Purpose::Session { key, label } => claims = claims.with_session_key(key, label),
            Purpose::Signup | Purpose::Change | Purpose::Disable | Purpose::Assertion => {}
        }
        Ok(token::sign(purpose.kind(), &claims, &self.key)?)
    }

    /// [`KeyMaterial::token_at`] now, with a fresh random `jti`.
    pub fn token(&self, purpose: Purpose<'_>, audience: &str, lifetime: i64) -> Result<String> {
        let random = env::jti_bytes()?;
        self.token_at(purpose, audience, env::now_secs(), lifetime, &random)
    }
}

/// Binds `request` into `claims`: the one place where both signers of requests, the account key
/// ([`Purpose::Request`]) and a session key (`session::SessionKey`), check and bind what they sign.
pub fn bind_request(claims: Claims, request: &HttpRequest<'_>) -> Result<Claims> {
    if request.method.is_empty() || request.url.contains('#') {
        return Err(NotaryError::invalid_argument(
            "a signed request needs a method and a full URL without fragment",
        ));
    }
    Ok(claims.with_request(request))
}

/// Who signs a request to a server: the account's key (`notary-request+jwt`) or a session's key
/// (`notary-session-request+jwt`). Both bind the same method, URL and body, so every call path
/// (`JsonCall`s and `signedFetch`) takes either. Each holds a shared handle, so a request in flight
/// keeps its key alive even if JavaScript frees the object it came from.
#[derive(Clone)]
pub enum RequestSigner {
    /// The account's key.
    Account(Rc<KeyMaterial>),
    /// A session's key.
    Session(Rc<SessionKey>),
}

impl RequestSigner {
    /// The request token of `request` for `audience`, now: signed already by the account key, or to
    /// be signed by a session's WebCrypto key. `Notary <token>` is the `Authorization` value.
    pub fn authorization(&self, audience: &str, request: HttpRequest<'_>) -> Result<Unsigned> {
        match self {
            Self::Account(key) => Ok(Unsigned::ready(key.token(
                Purpose::Request(request),
                audience,
                SERVER_TOKEN_LIFETIME_SECS,
            )?)),
            Self::Session(key) => key.request_token(audience, request),
        }
    }
}

/// An Ed25519 key pair derived from a password. The secret half lives in WebAssembly memory only:
/// no method returns it. Call `free()` (or rely on garbage collection) to zeroise it.
#[wasm_bindgen]
pub struct KeyPair {
    material: Rc<KeyMaterial>,
}

impl KeyPair {
    /// Wraps key material.
    pub fn from_material(material: KeyMaterial) -> Self {
        Self {
            material: Rc::new(material),
        }
    }

    /// A shared handle, kept alive by requests in flight even if JavaScript frees this object.
    pub fn material(&self) -> Rc<KeyMaterial> {
        Rc::clone(&self.material)
    }
}

#[wasm_bindgen]
impl KeyPair {
    /// The account's canonical address, the `sub` of every token this key signs.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.material.address.as_str().to_owned()
    }

    /// The key id: the RFC 7638 SHA-256 thumbprint of the public JWK, base64url.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.material.key_id.as_str().to_owned()
    }

    /// The public key as an RFC 8037 JWK: `{ kty: "OKP", crv: "Ed25519", x }`.
    #[wasm_bindgen(getter, js_name = publicJwk, unchecked_return_type = "PublicJwk")]
    pub fn public_jwk(&self) -> JsValue {
        let jwk = self.material.key.public_key().to_jwk();
        let object = js_sys::Object::new();
        for (name, value) in [("kty", jwk.kty), ("crv", jwk.crv), ("x", jwk.x)] {
            // Reflect::set on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&object, &name.into(), &value.into());
        }
        object.into()
    }

    // The token methods take their arguments as `JsValue`s, typed for TypeScript, and check them
    // here: plain JavaScript callers are not type-checked, and wasm-bindgen's own string conversion
    // throws a bare TypeError for `undefined` and reads a number as an empty string, where these
    // methods answer `invalid_argument` as `token(spec)` always did.

    /// A signup token (`notary-signup+jwt`, the public JWK in its header) for the server `audience`
    /// (its base URL), valid `lifetimeSecs` (default 120).
    #[wasm_bindgen(js_name = signupToken)]
    pub fn signup_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_optional_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        self.sign(Binding::Nothing(Purpose::Signup), audience, lifetime_secs)
    }

    /// A confirm token (`notary-confirm+jwt`) carrying the emailed `confirmation` token.
    #[wasm_bindgen(js_name = confirmToken)]
    pub fn confirm_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] confirmation: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_optional_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        self.sign(Binding::Confirm { confirmation }, audience, lifetime_secs)
    }

    /// A change token (`notary-change+jwt`): proposes this key (derived from the NEW password) as the
    /// account's key.
    #[wasm_bindgen(js_name = changeToken)]
    pub fn change_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_optional_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        self.sign(Binding::Nothing(Purpose::Change), audience, lifetime_secs)
    }

    /// A disable token (`notary-disable+jwt`), signed by the account's current key.
    #[wasm_bindgen(js_name = disableToken)]
    pub fn disable_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_optional_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        self.sign(Binding::Nothing(Purpose::Disable), audience, lifetime_secs)
    }

    /// A signed-request token (`notary-request+jwt`) binding `method`, the full `url` (no fragment)
    /// and the SHA-256 of `body` (a string is taken as UTF-8; none means the empty body).
    #[wasm_bindgen(js_name = requestToken)]
    pub fn request_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] method: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] url: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array | ArrayBuffer | null")]
        body: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_optional_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        let binding = Binding::Request { method, url, body };
        self.sign(binding, audience, lifetime_secs)
    }

    /// A token for a third party (`notary-assertion+jwt`) with its own `audience`, valid
    /// `lifetimeSecs`, 1 to 300.
    #[wasm_bindgen(js_name = assertionToken)]
    pub fn assertion_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: &JsValue,
        #[wasm_bindgen(js_name = lifetimeSecs, unchecked_param_type = "number")]
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        self.sign(
            Binding::Nothing(Purpose::Assertion),
            audience,
            lifetime_secs,
        )
    }
}

/// What a token method binds besides the audience and the lifetime, as JavaScript passed it.
enum Binding<'a> {
    /// Nothing more: signup, change, disable and assertion tokens.
    Nothing(Purpose<'static>),
    /// The emailed confirmation token.
    Confirm { confirmation: &'a JsValue },
    /// The request.
    Request {
        method: &'a JsValue,
        url: &'a JsValue,
        body: &'a JsValue,
    },
}

impl KeyPair {
    /// Checks the arguments of a token method, in the order JavaScript passed them, and signs. One
    /// function for every method, so that the checks exist once in the `.wasm`.
    #[inline(never)]
    fn sign(
        &self,
        binding: Binding<'_>,
        audience: &JsValue,
        lifetime_secs: &JsValue,
    ) -> Result<String> {
        let audience = shape::string_argument(audience, "audience")?;
        let lifetime = match shape::optional_number_argument(lifetime_secs, "lifetimeSecs")? {
            Some(seconds) => lifetime_from_js(seconds)?,
            None => SERVER_TOKEN_LIFETIME_SECS,
        };
        let confirmation;
        let (method, url, body);
        let purpose = match binding {
            Binding::Nothing(purpose) => purpose,
            Binding::Confirm {
                confirmation: value,
            } => {
                confirmation = shape::string_argument(value, "confirmation")?;
                Purpose::Confirm {
                    confirmation: &confirmation,
                }
            }
            Binding::Request {
                method: js_method,
                url: js_url,
                body: js_body,
            } => {
                method = shape::string_argument(js_method, "method")?;
                url = shape::string_argument(js_url, "url")?;
                body = body_bytes(js_body)?;
                Purpose::Request(HttpRequest {
                    method: &method,
                    url: &url,
                    body: &body,
                })
            }
        };
        self.material.token(purpose, &audience, lifetime)
    }
}

/// Converts a JavaScript number of seconds into a token lifetime of 1 to 300 s.
pub fn lifetime_from_js(seconds: f64) -> Result<i64> {
    let max = MAX_LIFETIME_SECS as f64;
    if seconds.fract() == 0.0 && (1.0..=max).contains(&seconds) {
        Ok(seconds as i64)
    } else {
        Err(NotaryError::new(
            ErrorKind::LifetimeTooLong,
            "the lifetime must be a whole number of seconds from 1 to 300",
        ))
    }
}

/// The bytes of a request body given as a string (UTF-8), a `Uint8Array`, an `ArrayBuffer`, or
/// `null`/`undefined` (empty).
pub fn body_bytes(body: &JsValue) -> Result<Vec<u8>> {
    if body.is_undefined() || body.is_null() {
        Ok(Vec::new())
    } else if let Some(text) = body.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = body.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(buffer) = body.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        Err(NotaryError::invalid_argument(
            "a request body must be a string, a Uint8Array, an ArrayBuffer or null",
        ))
    }
}
