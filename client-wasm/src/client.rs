//! `NotaryClient`: the whole flows against a Notary server, with `fetch` from WebAssembly.

use crate::derive;
use crate::error::{ClientErrorKind, NotaryError, Result};
use crate::http::{self, JsonCall};
use crate::key::SERVER_TOKEN_LIFETIME_SECS;
use crate::key::{body_bytes, KeyMaterial, KeyPair, Purpose};
use crate::requirements;
use crate::shape::{Member, Requirement, Shape, Type};
use protocol::salt::SaltAnswer;
use protocol::token::HttpRequest;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Argon2id parameters in the salt answer. Checked by their reader, `derive::salt_answer_from_js`, which
/// refuses what it cannot use with the protocol's `weak_kdf_params`.
pub const KDF_PARAMS: Shape = Shape {
    name: "KdfParams",
    doc: "Argon2id parameters announced by the server (`KdfParams` of the protocol).",
    members: &[
        Member::new("algorithm", Type::Literal("argon2id")),
        Member::new("version", Type::Integer(19)),
        Member::new("memory_kib", Type::Number),
        Member::new("iterations", Type::Number),
        Member::new("parallelism", Type::Number),
    ],
};

/// The answer of `POST /salt`.
pub const SALT_ANSWER: Shape = Shape {
    name: "SaltAnswer",
    doc: "The answer of `POST /salt`.",
    members: &[
        Member::new("address", Type::String).doc("The canonical address."),
        Member::new("salt", Type::String).doc("16 bytes, base64url."),
        Member::new("kdf", Type::Object(&KDF_PARAMS)),
        Member::new("kdf_version", Type::Number),
    ],
};

/// `{"status": ...}`: the answer of signup, change and disable.
pub const STATUS_ANSWER: Shape = Shape {
    name: "StatusAnswer",
    doc: "The answer of signup, change of password and disable.",
    members: &[Member::new(
        "status",
        Type::OpenString(&["confirmation_sent", "disabled"]),
    )],
};

/// The answer of `POST /confirm`.
pub const CONFIRM_ANSWER: Shape = Shape {
    name: "ConfirmAnswer",
    doc: "The answer of `POST /confirm`.",
    members: &[
        Member::new("status", Type::Literal("active")),
        Member::new("address", Type::String),
        Member::new("key_id", Type::String),
    ],
};

/// The answer of `GET /account`.
pub const ACCOUNT: Shape = Shape {
    name: "Account",
    doc: "The answer of `GET /account`.",
    members: &[
        Member::new("address", Type::String),
        Member::new("status", Type::OpenString(&["active"])),
        Member::new("key_id", Type::String),
        Member::new("created_at", Type::Number).doc("Unix seconds."),
        Member::new("confirmed_at", Type::Number).doc("Unix seconds."),
    ],
};

#[derive(Serialize)]
struct AddressBody<'a> {
    address: &'a str,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// A client for one Notary server. Every method that talks to the server returns a `Promise` that
/// rejects with a `NotaryError` (`code`, `message`, `status`).
#[wasm_bindgen]
pub struct NotaryClient {
    base_url: Rc<str>,
}

#[wasm_bindgen]
impl NotaryClient {
    /// A client for the server at `baseUrl` (its public URI, e.g. `https://notary.example`; a trailing
    /// slash is ignored). The base URL is the `aud` of every token sent to the server.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = baseUrl)] base_url: &str) -> Result<NotaryClient> {
        Ok(Self {
            base_url: normalize_base_url(base_url)?.into(),
        })
    }

    /// The normalised base URL (no trailing slash): the audience of the server's tokens.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.base_url.to_string()
    }

    /// `POST /salt`: the canonical address, its salt and the key-derivation parameters.
    #[wasm_bindgen(unchecked_return_type = "Promise<SaltAnswer>")]
    pub fn salt(&self, address: &str) -> js_sys::Promise {
        let url = self.endpoint("/salt");
        let typed = address.to_owned();
        let body = serde_json::to_string(&AddressBody { address });
        promise(Box::pin(async move {
            let body = body.map_err(|_| NotaryError::invalid_argument("unusable address"))?;
            let answer = JsonCall {
                method: "POST",
                url: &url,
                body: Some(body),
                authorization: None,
                expect: requirements!(SALT_ANSWER),
            }
            .send()
            .await?;
            check_salt_address(&typed, &derive::salt_answer_from_js(&answer)?)?;
            Ok(answer)
        }))
    }

    /// `POST /signup` with a signup token of `key`. Resolves to `{ status: "confirmation_sent" }`
    /// whether the address is new, pending or already registered.
    #[wasm_bindgen(unchecked_return_type = "Promise<StatusAnswer>")]
    pub fn signup(&self, key: &KeyPair) -> js_sys::Promise {
        self.token_call(
            "POST",
            "/signup",
            key.material(),
            Purpose::Signup,
            requirements!(STATUS_ANSWER),
        )
    }

    /// `POST /confirm`: confirms a signup, or a change of key, with the emailed `confirmation` token.
    /// After a change, sign with the NEW key.
    #[wasm_bindgen(unchecked_return_type = "Promise<ConfirmAnswer>")]
    pub fn confirm(&self, key: &KeyPair, confirmation: &str) -> js_sys::Promise {
        self.token_call(
            "POST",
            "/confirm",
            key.material(),
            Purpose::Confirm { confirmation },
            requirements!(CONFIRM_ANSWER),
        )
    }

    /// `PATCH /signature`: proposes `newKey` (derived from the new password) as the account's key.
    /// The server emails a confirmation; `confirm(newKey, token)` completes the change.
    #[wasm_bindgen(js_name = changePassword, unchecked_return_type = "Promise<StatusAnswer>")]
    pub fn change_password(
        &self,
        #[wasm_bindgen(js_name = newKey)] new_key: &KeyPair,
    ) -> js_sys::Promise {
        self.token_call(
            "PATCH",
            "/signature",
            new_key.material(),
            Purpose::Change,
            requirements!(STATUS_ANSWER),
        )
    }

    /// `DELETE /signature`: disables the account; `key` must be its current key.
    #[wasm_bindgen(unchecked_return_type = "Promise<StatusAnswer>")]
    pub fn disable(&self, key: &KeyPair) -> js_sys::Promise {
        self.token_call(
            "DELETE",
            "/signature",
            key.material(),
            Purpose::Disable,
            requirements!(STATUS_ANSWER),
        )
    }

    /// `GET /account` as a signed request.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account>")]
    pub fn account(&self, key: &KeyPair) -> js_sys::Promise {
        let url = self.endpoint("/account");
        let request = HttpRequest {
            method: "GET",
            url: &url,
            body: &[],
        };
        let token = key.material().token(
            Purpose::Request(request),
            &self.base_url,
            SERVER_TOKEN_LIFETIME_SECS,
        );
        promise(Box::pin(async move {
            JsonCall {
                method: "GET",
                url: &url,
                body: None,
                authorization: Some(format!("Notary {}", token?)),
                expect: requirements!(ACCOUNT),
            }
            .send()
            .await
        }))
    }

    /// `fetch(url, init)` with `Authorization: Notary <request token>` binding the method, the full
    /// URL (resolved against the base URL, fragment removed) and the SHA-256 of the body. The token's
    /// `aud` is the base URL for the server's own URLs, otherwise the URL's origin, unless
    /// `init.audience` says otherwise. Resolves to the `Response` whatever its status.
    #[wasm_bindgen(js_name = signedFetch)]
    pub fn signed_fetch(
        &self,
        key: &KeyPair,
        url: &str,
        #[wasm_bindgen(unchecked_param_type = "SignedFetchInit | undefined")] init: JsValue,
    ) -> js_sys::Promise {
        let material = key.material();
        let base_url = Rc::clone(&self.base_url);
        let url = url.to_owned();
        promise(Box::pin(async move {
            let response = signed_fetch(&material, &base_url, &url, &init).await?;
            Ok(response.into())
        }))
    }
}

impl NotaryClient {
    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Signs a token now (so that a freed key cannot race the request), then sends it as
    /// `{"token": ...}`.
    fn token_call(
        &self,
        method: &'static str,
        path: &str,
        material: Rc<KeyMaterial>,
        purpose: Purpose<'_>,
        expect: &'static [Requirement],
    ) -> js_sys::Promise {
        let url = self.endpoint(path);
        let token = material.token(purpose, &self.base_url, SERVER_TOKEN_LIFETIME_SECS);
        promise(Box::pin(async move {
            let token = token?;
            let body = serde_json::to_string(&TokenBody { token: &token })
                .map_err(|_| NotaryError::invalid_argument("unusable token"))?;
            JsonCall {
                method,
                url: &url,
                body: Some(body),
                authorization: None,
                expect,
            }
            .send()
            .await
        }))
    }
}

/// Derives the key pair from a salt answer (`NotaryClient.salt()`) and the password, inside
/// WebAssembly. Takes a noticeable moment (Argon2id, 64 MiB): in a page, prefer the Web Worker client.
#[wasm_bindgen(js_name = deriveKey)]
pub fn derive_key(
    #[wasm_bindgen(js_name = saltAnswer, unchecked_param_type = "SaltAnswer")] salt_answer: JsValue,
    password: js_sys::JsString,
) -> Result<KeyPair> {
    let answer = derive::salt_answer_from_js(&salt_answer)?;
    let password = derive::password_from_js(&password)?;
    let (address, pair) = derive::derive_key_pair(&answer, &password)?;
    Ok(KeyPair::from_material(KeyMaterial::new(address, pair)))
}

/// Zeroises the Argon2 working memory (64 MiB) that derivations keep for reuse and gives it back to
/// the allocator. The next derivation allocates it again.
#[wasm_bindgen(js_name = releaseKdfMemory)]
pub fn release_kdf_memory() {
    derive::release_kdf_memory();
}

/// A base URL as the server's public URI: http(s), no credentials, query or fragment, no trailing
/// slash.
pub fn normalize_base_url(base_url: &str) -> Result<String> {
    let invalid = || {
        NotaryError::invalid_argument(
            "the base URL must be an absolute http(s) URL without query or fragment",
        )
    };
    let url = web_sys::Url::new(base_url).map_err(|_| invalid())?;
    let scheme_ok = matches!(url.protocol().as_str(), "http:" | "https:");
    let bare = url.search().is_empty()
        && url.hash().is_empty()
        && url.username().is_empty()
        && url.password().is_empty()
        && !base_url.contains(['?', '#']);
    if !scheme_ok || !bare {
        return Err(invalid());
    }
    Ok(url.href().trim_end_matches('/').to_owned())
}

/// For an address typed in ASCII, the canonical form is the trimmed, lowercased text; a salt answer
/// for anything else belongs to another account. (Internationalised domains are canonicalised by the
/// server alone: this package carries no IDNA tables.)
fn check_salt_address(typed: &str, answer: &SaltAnswer) -> Result<()> {
    let typed = typed.trim();
    if typed.is_ascii() && typed.to_ascii_lowercase() != answer.address {
        return Err(NotaryError::new(
            ClientErrorKind::AddressMismatch,
            "the salt answer is for another address",
        ));
    }
    Ok(())
}

async fn signed_fetch(
    material: &KeyMaterial,
    base_url: &str,
    url: &str,
    init: &JsValue,
) -> Result<web_sys::Response> {
    let resolved = web_sys::Url::new_with_base(url, base_url)
        .map_err(|_| NotaryError::invalid_argument("the URL is not valid"))?;
    resolved.set_hash("");
    let htu = resolved.href();
    let audience = match js_sys::Reflect::get(init, &"audience".into())
        .ok()
        .and_then(|value| value.as_string())
    {
        Some(audience) => audience,
        None if htu == base_url || htu.starts_with(&format!("{base_url}/")) => base_url.to_owned(),
        None => resolved.origin(),
    };
    let request = if init.is_undefined() || init.is_null() {
        web_sys::Request::new_with_str(&htu)
    } else if init.is_object() {
        web_sys::Request::new_with_str_and_init(&htu, init.unchecked_ref())
    } else {
        return Err(NotaryError::invalid_argument("init must be an object"));
    }
    .map_err(|_| NotaryError::invalid_argument("fetch refused the request's init"))?;
    let body = read_body(&request).await?;
    let token = material.token(
        Purpose::Request(HttpRequest {
            method: &request.method(),
            url: &htu,
            body: &body,
        }),
        &audience,
        SERVER_TOKEN_LIFETIME_SECS,
    )?;
    request
        .headers()
        .set("Authorization", &format!("Notary {token}"))
        .map_err(|_| {
            NotaryError::invalid_argument(
                "this request's mode does not allow an Authorization header",
            )
        })?;
    http::fetch(&request).await
}

/// The bytes of a request's body, read from a clone so that the request itself can still be sent.
async fn read_body(request: &web_sys::Request) -> Result<Vec<u8>> {
    let unreadable = || NotaryError::invalid_argument("the request body cannot be read");
    let copy = request.clone().map_err(|_| unreadable())?;
    let buffer = JsFuture::from(copy.array_buffer().map_err(|_| unreadable())?)
        .await
        .map_err(|_| unreadable())?;
    body_bytes(&buffer)
}

/// A server call in flight. Boxed so that one `future_to_promise` serves every method.
type Call = Pin<Box<dyn Future<Output = Result<JsValue>>>>;

fn promise(call: Call) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { call.await.map_err(JsValue::from) })
}
