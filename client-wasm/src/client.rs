//! `NotaryClient`: the whole flows against a Notary server, with `fetch` from WebAssembly.

use crate::derive;
use crate::error::{NotaryError, Result};
use crate::http::{self, JsonCall};
use crate::key::SERVER_TOKEN_LIFETIME_SECS;
use crate::key::{body_bytes, KeyMaterial, KeyPair, Purpose};
use crate::requirements;
use crate::salts::{self, SaltCache};
use crate::shape::{self, Member, Requirement, Shape, Type};
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

/// `{"status": ...}`: the answer of signup, change of password by recovery, and disable.
pub const STATUS_ANSWER: Shape = Shape {
    name: "StatusAnswer",
    doc: "The answer of signup, change of password by recovery (without the current key) and disable.",
    members: &[Member::new(
        "status",
        Type::OpenString(&["confirmation_sent", "disabled"]),
    )],
};

/// The answer of `POST /confirm`, and of a change of password signed by the current key.
pub const CONFIRM_ANSWER: Shape = Shape {
    name: "ConfirmAnswer",
    doc: "The answer of `POST /confirm`, and of a change of password signed by the current key.",
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

/// The declarations of `NotaryClient.changePassword(newKey, currentKey?)`, written in the package's
/// core.js over the two methods below (an exported method cannot take an optional reference to a
/// `KeyPair`), whose answer's type depends on whether the current key is given. The interface merges
/// into the class declaration wasm-bindgen writes.
pub const CHANGE_PASSWORD_TYPES: &str = r#"
export interface NotaryClient {
  /**
   * `PATCH /signature`, signed by `currentKey` (the key of the current password): `newKey` replaces
   * it at once. Resolves to `{ status: "active", address, key_id }`, `key_id` the new key's.
   */
  changePassword(newKey: KeyPair, currentKey: KeyPair): Promise<ConfirmAnswer>;
  /**
   * `PATCH /signature` without the current key: recovery of a forgotten password. The server emails
   * a confirmation; `confirm(newKey, token)` completes the change. Resolves to
   * `{ status: "confirmation_sent" }`.
   */
  changePassword(newKey: KeyPair): Promise<StatusAnswer>;
  /** Either of the above, as `currentKey` is given or not. */
  changePassword(newKey: KeyPair, currentKey?: KeyPair): Promise<ConfirmAnswer | StatusAnswer>;
}
"#;

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
    salts: SaltCache,
}

#[wasm_bindgen]
impl NotaryClient {
    /// A client for the server at `baseUrl` (its public URI, e.g. `https://notary.example`; a trailing
    /// slash is ignored). The base URL is the `aud` of every token sent to the server.
    /// `options.saltStore` keeps salt answers beyond this client's memory (see `SaltStore`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = baseUrl)] base_url: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "NotaryClientOptions")] options: JsValue,
    ) -> Result<NotaryClient> {
        let base_url = normalize_base_url(base_url)?.into();
        let store = if options.is_undefined() || options.is_null() {
            None
        } else if options.is_object() {
            Some(shape::member(&options, "saltStore"))
                .filter(|store| !store.is_undefined() && !store.is_null())
        } else {
            return Err(NotaryError::invalid_argument("options must be an object"));
        };
        Ok(Self {
            base_url,
            salts: SaltCache::new(store)?,
        })
    }

    /// The normalised base URL (no trailing slash): the audience of the server's tokens.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.base_url.to_string()
    }

    /// `POST /salt`: the canonical address, its salt and the key-derivation parameters. An answer this
    /// client already got for the address (in its memory, or in its `saltStore`) is used instead of
    /// asking again, when it passes the checks a fresh one gets.
    #[wasm_bindgen(unchecked_return_type = "Promise<SaltAnswer>")]
    pub fn salt(&self, address: &str) -> js_sys::Promise {
        let url = self.endpoint("/salt");
        let base_url = Rc::clone(&self.base_url);
        let salts = self.salts.clone();
        let typed = address.to_owned();
        let body = serde_json::to_string(&AddressBody { address });
        promise(Box::pin(async move {
            if let Some(kept) = salts.get(&base_url, &typed).await {
                return Ok(kept);
            }
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
            salts::check_address(&typed, &derive::salt_answer_from_js(&answer)?)?;
            salts.put(&base_url, &typed, &answer).await;
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
            &key.material(),
            Purpose::Signup,
            None,
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
            &key.material(),
            Purpose::Confirm { confirmation },
            None,
            requirements!(CONFIRM_ANSWER),
        )
    }

    /// `PATCH /signature` signed by `currentKey` (the key of the current password): the request
    /// carries `Authorization: Notary <request token of currentKey>` binding the method, the URL and
    /// the exact body, and `newKey` (derived from the new password) replaces the current key at once.
    /// Resolves to `{ status: "active", address, key_id }`, `key_id` the new key's. The package's
    /// `changePassword(newKey, currentKey)` calls this.
    #[wasm_bindgen(js_name = changePasswordSigned, unchecked_return_type = "Promise<ConfirmAnswer>")]
    pub fn change_password_signed(
        &self,
        #[wasm_bindgen(js_name = newKey)] new_key: &KeyPair,
        #[wasm_bindgen(js_name = currentKey)] current_key: &KeyPair,
    ) -> js_sys::Promise {
        let (new_key, current_key) = (new_key.material(), current_key.material());
        if new_key.address() != current_key.address() {
            return rejected(NotaryError::invalid_argument(
                "the new key and the current key belong to different addresses",
            ));
        }
        self.token_call(
            "PATCH",
            "/signature",
            &new_key,
            Purpose::Change,
            Some(&current_key),
            requirements!(CONFIRM_ANSWER),
        )
    }

    /// `PATCH /signature` without the current key: the recovery of a forgotten password. The server
    /// emails a confirmation and resolves to `{ status: "confirmation_sent" }`; `confirm(newKey,
    /// token)` completes the change. The package's `changePassword(newKey)` calls this.
    #[wasm_bindgen(
        js_name = changePasswordByRecovery,
        unchecked_return_type = "Promise<StatusAnswer>"
    )]
    pub fn change_password_by_recovery(
        &self,
        #[wasm_bindgen(js_name = newKey)] new_key: &KeyPair,
    ) -> js_sys::Promise {
        self.token_call(
            "PATCH",
            "/signature",
            &new_key.material(),
            Purpose::Change,
            None,
            requirements!(STATUS_ANSWER),
        )
    }

    /// `DELETE /signature`: disables the account; `key` must be its current key.
    #[wasm_bindgen(unchecked_return_type = "Promise<StatusAnswer>")]
    pub fn disable(&self, key: &KeyPair) -> js_sys::Promise {
        self.token_call(
            "DELETE",
            "/signature",
            &key.material(),
            Purpose::Disable,
            None,
            requirements!(STATUS_ANSWER),
        )
    }

    /// `GET /account` as a signed request.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account>")]
    pub fn account(&self, key: &KeyPair) -> js_sys::Promise {
        self.call(
            "GET",
            "/account",
            Ok(None),
            Some(&key.material()),
            requirements!(ACCOUNT),
        )
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

    /// Signs a token of `material` now (so that a freed key cannot race the request), then sends it
    /// as `{"token": ...}`, signed by `signer` when given.
    fn token_call(
        &self,
        method: &'static str,
        path: &str,
        material: &KeyMaterial,
        purpose: Purpose<'_>,
        signer: Option<&KeyMaterial>,
        expect: &'static [Requirement],
    ) -> js_sys::Promise {
        let body = material
            .token(purpose, &self.base_url, SERVER_TOKEN_LIFETIME_SECS)
            .and_then(|token| {
                serde_json::to_string(&TokenBody { token: &token })
                    .map_err(|_| NotaryError::invalid_argument("unusable token"))
            });
        self.call(method, path, body.map(Some), signer, expect)
    }

    /// Sends a JSON call to the server; with `signer`, as a signed request: `Authorization: Notary
    /// <request token>` binding the method, the full URL and the exact body bytes, signed now.
    fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Result<Option<String>>,
        signer: Option<&KeyMaterial>,
        expect: &'static [Requirement],
    ) -> js_sys::Promise {
        let url = self.endpoint(path);
        let prepared = body.and_then(|body| {
            let request = HttpRequest {
                method,
                url: &url,
                body: body.as_deref().unwrap_or_default().as_bytes(),
            };
            let authorization = signer
                .map(|key| request_authorization(key, &self.base_url, request))
                .transpose()?;
            Ok((body, authorization))
        });
        promise(Box::pin(async move {
            let (body, authorization) = prepared?;
            JsonCall {
                method,
                url: &url,
                body,
                authorization,
                expect,
            }
            .send()
            .await
        }))
    }
}

/// `Notary <token>`: the value of the `Authorization` header of a request signed by `key`, its request
/// token for `audience` binding `request`.
fn request_authorization(
    key: &KeyMaterial,
    audience: &str,
    request: HttpRequest<'_>,
) -> Result<String> {
    let token = key.token(
        Purpose::Request(request),
        audience,
        SERVER_TOKEN_LIFETIME_SECS,
    )?;
    Ok(format!("Notary {token}"))
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
    let authorization = request_authorization(
        material,
        &audience,
        HttpRequest {
            method: &request.method(),
            url: &htu,
            body: &body,
        },
    )?;
    request
        .headers()
        .set("Authorization", &authorization)
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

/// A promise already rejected with `error`.
fn rejected(error: NotaryError) -> js_sys::Promise {
    js_sys::Promise::reject(&error.into())
}
