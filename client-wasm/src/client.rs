//! `NotaryClient`: the whole flows against a Notary server, with `fetch` from WebAssembly.

use crate::derive::{self, Blinding, Evaluation};
use crate::error::{ClientErrorKind, NotaryError, Result};
use crate::http::{self, JsonCall};
use crate::key::SERVER_TOKEN_LIFETIME_SECS;
use crate::key::{body_bytes, KeyMaterial, KeyPair, Purpose, RequestSigner};
use crate::requirements;
use crate::shape::{self, Member, Requirement, Shape, Type};
use protocol::address::Address;
use protocol::kdf::{Password, KDF_PARAMS_VERSION, LEGACY_KDF_VERSION};
use protocol::salt::{CheckedSaltAnswer, SaltAnswer};
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
        Member::new("kdf_version", Type::Number)
            .doc("The derivation scheme of new keys: 2 (docs/protocol.md section 5)."),
        Member::new("accepted_kdf_versions", Type::NumberArray)
            .doc("The schemes whose keys the server accepts, newest first: `[2]`, or `[2, 1]` while version-1 keys may still sign in to move."),
        Member::new("evaluated", Type::String)
            .doc("The server's OPRF evaluation of the request's `blinded`, 32 bytes, base64url."),
    ],
};

/// `{"status": ...}`: the answer of signup, change of password by recovery, and disable.
pub const STATUS_ANSWER: Shape = Shape {
    name: "StatusAnswer",
    doc: "The answer of signup, change of password by recovery (without the current key) and disable.",
    members: &[Member::new(
        "status",
        Type::OpenString(&["confirmation_sent", "disabled", "ticket_sent"]),
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
        Member::new("kdf_version", Type::Number)
            .doc("The derivation scheme of the account's key: 2, or 1 until the account moves."),
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

/// The declarations of the options of `evaluate` and `signIn`, and of what `signIn` resolves to.
pub const CLIENT_OPTION_TYPES: &str = r#"
/** The options of `NotaryClient.evaluate`. */
export interface EvaluateOptions {
  /** An emailed ticket (`requestTicket`) that lets the evaluation through when the address's guesses are spent. */
  ticket?: string;
  /**
   * Evaluate twice with different blinds and refuse (`oprf_key_varies`) if the server answered with
   * different keys. Use it before registering a key (signup, change of password): it spends two guesses.
   */
  verifyServerKey?: boolean;
}

/** Where `signIn` is: evaluating the password, deriving a key (Argon2id), signing in, or proposing the move to version 2. */
export interface SignInProgress {
  phase: "evaluate" | "derive" | "sign-in" | "upgrade";
  /** For `derive`: the version of the key being derived. */
  kdfVersion?: number;
}

/** The options of `NotaryClient.signIn`. */
export interface SignInOptions extends EvaluateOptions {
  onProgress?: (event: SignInProgress) => void;
}

/** What `NotaryClient.signIn` resolves to. */
export interface SignIn {
  /** The key the account has now: sign with it. */
  key: KeyPair;
  /** The account, as `GET /account` answered it. */
  account: Account;
  /**
   * Set while an account made before protocol version 2 moves to it: the version-2 key of the same
   * password, proposed to the server. `confirm(newKey, token)` with the emailed token completes the move.
   */
  newKey?: KeyPair;
  /** The server's answer to the proposal of `newKey`: `{ status: "confirmation_sent" }`. */
  upgrade?: StatusAnswer;
  /**
   * Set when the account still has to move but the proposal could not be made (for example the
   * address's email budget is spent, or the server evaluated the password with two different keys):
   * the person is signed in all the same, and the next sign-in proposes the move again.
   */
  upgradeError?: Error & { code: string; status?: number; retryAfter?: number };
}
"#;

#[derive(Serialize)]
struct AddressBody<'a> {
    address: &'a str,
}

#[derive(Serialize)]
struct SaltBody<'a> {
    address: &'a str,
    blinded: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// The options of `evaluate` and `signIn`.
#[derive(Default)]
struct EvaluateOptions {
    ticket: Option<String>,
    verify_server_key: bool,
    on_progress: Option<js_sys::Function>,
}

impl EvaluateOptions {
    fn from_js(options: &JsValue) -> Result<Self> {
        if options.is_undefined() || options.is_null() {
            return Ok(Self::default());
        }
        if !options.is_object() {
            return Err(NotaryError::invalid_argument("options must be an object"));
        }
        let ticket = shape::member(options, "ticket");
        let ticket = if ticket.is_undefined() || ticket.is_null() {
            None
        } else {
            Some(ticket.as_string().ok_or(NotaryError::invalid_argument(
                "options.ticket must be a string",
            ))?)
        };
        let verify = shape::member(options, "verifyServerKey");
        let on_progress = shape::member(options, "onProgress");
        Ok(Self {
            ticket,
            verify_server_key: verify.as_bool().unwrap_or(false),
            on_progress: on_progress.dyn_into::<js_sys::Function>().ok(),
        })
    }

    /// Tells the caller's `onProgress` where the flow is; what it throws is ignored.
    fn progress(&self, phase: &str, kdf_version: Option<u32>) {
        if let Some(callback) = &self.on_progress {
            let event = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&event, &"phase".into(), &phase.into());
            if let Some(version) = kdf_version {
                let _ = js_sys::Reflect::set(&event, &"kdfVersion".into(), &version.into());
            }
            let _ = callback.call1(&JsValue::NULL, &event);
        }
    }
}

/// The address a blinded input is first made for: the typed address if it is already canonical
/// (every ASCII address once trimmed and lower-cased), else a throwaway that only serves to learn the
/// canonical form from the answer (this package carries no IDNA tables).
const PROBE_ADDRESS: &str = "canonical-form@probe.invalid";

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

    /// `POST /salt`: blinds the password, has the server evaluate it with the address's OPRF key, and
    /// finalizes the answer (docs/protocol.md section 5.2). Resolves to an `Evaluation`, from which
    /// `deriveKey()` derives the key. The password is blinded and the answer finalized inside
    /// WebAssembly. Each evaluation spends one of the address's guesses (section 9.2).
    ///
    /// `options.ticket` is an emailed ticket (`requestTicket`) that lets the evaluation through when
    /// the address's guesses are spent. `options.verifyServerKey` evaluates twice with different
    /// blinds and refuses (`oprf_key_varies`) if the server answered with different keys: use it
    /// before registering a key (signup, change of password).
    #[wasm_bindgen(unchecked_return_type = "Promise<Evaluation>")]
    pub fn evaluate(
        &self,
        address: &str,
        password: js_sys::JsString,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluateOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let started = self.start_evaluation(address, &password, &options);
        promise(Box::pin(async move {
            let (client, typed, password, options) = started?;
            let evaluation = client.evaluation(&typed, password, &options).await?;
            Ok(evaluation.into())
        }))
    }

    /// Signs in with a password: evaluates it, derives the key of `kdf_version` 2 and sends `GET
    /// /account` signed by it. When the server does not know that key (`unknown_key`) and still
    /// accepts version-1 keys, derives the version-1 key, signs in with it, and proposes the version-2
    /// key in a `PATCH /signature` signed by the version-1 key, which the server confirms by email
    /// (docs/protocol.md section 9.13); before that proposal it evaluates the password a second time
    /// and checks that the server used the same key (`oprf_key_varies`). Resolves to `{ key, account }`,
    /// plus `newKey` and `upgrade` (`{ status: "confirmation_sent" }`) when the account is moving:
    /// `confirm(newKey, token)` with the emailed token completes the move; or plus `upgradeError`
    /// when the move could not be proposed (the sign-in stands). `options` as for `evaluate`, plus `onProgress(event)`,
    /// called with `{ phase: "evaluate" | "derive" | "sign-in" | "upgrade", kdfVersion? }`.
    #[wasm_bindgen(js_name = signIn, unchecked_return_type = "Promise<SignIn>")]
    pub fn sign_in(
        &self,
        address: &str,
        password: js_sys::JsString,
        #[wasm_bindgen(unchecked_optional_param_type = "SignInOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let started = self.start_evaluation(address, &password, &options);
        promise(Box::pin(async move {
            let (client, typed, password, options) = started?;
            client.signed_in(&typed, password, &options).await
        }))
    }

    /// `POST /salt/ticket`: asks the server to email the address a ticket, good for 5 evaluations
    /// within an hour, that lets them through when its guesses are spent (`guess_budget_exhausted`).
    /// Resolves to
    /// `{ status: "ticket_sent" }` whether or not the address has an account.
    #[wasm_bindgen(js_name = requestTicket, unchecked_return_type = "Promise<StatusAnswer>")]
    pub fn request_ticket(&self, address: &str) -> js_sys::Promise {
        let body = serde_json::to_string(&AddressBody { address })
            .map_err(|_| NotaryError::invalid_argument("unusable address"));
        self.call(
            "POST",
            "/salt/ticket",
            body.map(Some),
            None,
            requirements!(STATUS_ANSWER),
        )
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
            Some(RequestSigner::Account(current_key)),
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

    /// `GET /account` as a signed request: signs in with `key`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account>")]
    pub fn account(&self, key: &KeyPair) -> js_sys::Promise {
        self.call(
            "GET",
            "/account",
            Ok(None),
            Some(RequestSigner::Account(key.material())),
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
        let signer = RequestSigner::Account(key.material());
        let base_url = Rc::clone(&self.base_url);
        let url = url.to_owned();
        promise(Box::pin(async move {
            let response = signed_fetch(&signer, &base_url, &url, &init).await?;
            Ok(response.into())
        }))
    }
}

impl NotaryClient {
    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// What `evaluate` and `signIn` check before their promise: the arguments, read now (the password
    /// becomes a zeroised `Password` at once).
    fn start_evaluation(
        &self,
        address: &str,
        password: &js_sys::JsString,
        options: &JsValue,
    ) -> Result<(Self, String, Password, EvaluateOptions)> {
        let password = derive::password_from_js(password)?;
        let options = EvaluateOptions::from_js(options)?;
        let client = Self {
            base_url: Rc::clone(&self.base_url),
        };
        Ok((client, address.trim().to_owned(), password, options))
    }

    /// One evaluation of `password` for the `typed` address, twice when `verify_server_key`.
    async fn evaluation(
        &self,
        typed: &str,
        password: Password,
        options: &EvaluateOptions,
    ) -> Result<Evaluation> {
        options.progress("evaluate", None);
        let second = options.verify_server_key.then(|| password.clone());
        let evaluation = self.evaluate_once(typed, password, options).await?;
        if let Some(password) = second {
            let again = self
                .evaluate_once(evaluation.address().as_str(), password, options)
                .await?;
            evaluation.check_same_as(&again)?;
        }
        Ok(evaluation)
    }

    /// Blinds, asks, and finalizes; asks a second time, for the canonical address the answer names,
    /// when the first input could not be made for it.
    async fn evaluate_once(
        &self,
        typed: &str,
        password: Password,
        options: &EvaluateOptions,
    ) -> Result<Evaluation> {
        let lookup = salt_lookup_form(typed);
        let first =
            Address::from_canonical(&lookup).or_else(|_| Address::from_canonical(PROBE_ADDRESS))?;
        let blinding = Blinding::new(first, password)?;
        let (answer, checked) = self.ask(typed, &blinding, options).await?;
        if lookup.is_ascii() && checked.address.as_str() != lookup {
            return Err(NotaryError::new(
                ClientErrorKind::AddressMismatch,
                "the salt answer is for another address",
            ));
        }
        if checked.address == *blinding.address() {
            return blinding.finish(&answer, checked);
        }
        let blinding = blinding.for_address(checked.address)?;
        let (answer, checked) = self.ask(typed, &blinding, options).await?;
        if checked.address != *blinding.address() {
            return Err(NotaryError::new(
                ClientErrorKind::AddressMismatch,
                "the salt answers name different addresses",
            ));
        }
        blinding.finish(&answer, checked)
    }

    /// `POST /salt {address, blinded, ticket?}`, the answer read and checked.
    async fn ask(
        &self,
        typed: &str,
        blinding: &Blinding,
        options: &EvaluateOptions,
    ) -> Result<(SaltAnswer, CheckedSaltAnswer)> {
        let blinded = blinding.blinded();
        let body = serde_json::to_string(&SaltBody {
            address: typed,
            blinded: &blinded,
            ticket: options.ticket.as_deref(),
        })
        .map_err(|_| NotaryError::invalid_argument("unusable address"))?;
        let url = self.endpoint("/salt");
        let answer = JsonCall {
            method: "POST",
            url: &url,
            body: Some(body),
            authorization: None,
            expect: requirements!(SALT_ANSWER),
        }
        .send()
        .await?;
        let answer = derive::salt_answer_from_js(&answer)?;
        let checked = answer.check()?;
        Ok((answer, checked))
    }

    /// `signIn`'s flow (see there).
    async fn signed_in(
        &self,
        typed: &str,
        password: Password,
        options: &EvaluateOptions,
    ) -> Result<JsValue> {
        // Kept for the second evaluation that a move to version 2 needs before it registers a key.
        let again = password.clone();
        let evaluation = self.evaluation(typed, password, options).await?;
        options.progress("derive", Some(KDF_PARAMS_VERSION));
        let key = evaluation.derive_key()?;
        options.progress("sign-in", None);
        let refused = match self.account_of(key.material()).await {
            Ok(account) => return Ok(sign_in_result(key, &account, Upgrade::None)),
            Err(error) if error.code() == UNKNOWN_KEY && evaluation.legacy_accepted() => error,
            Err(error) => return Err(error),
        };
        options.progress("derive", Some(LEGACY_KDF_VERSION));
        let legacy = evaluation.derive_legacy_key()?;
        options.progress("sign-in", None);
        let account = match self.account_of(legacy.material()).await {
            Ok(account) => account,
            // Neither key is the account's: the password is wrong (or there is no account).
            Err(error) if error.code() == UNKNOWN_KEY => return Err(refused),
            Err(error) => return Err(error),
        };
        if shape::member(&account, "kdf_version").as_f64() != Some(f64::from(LEGACY_KDF_VERSION)) {
            // The server does not count this key as version 1: nothing to move.
            return Ok(sign_in_result(legacy, &account, Upgrade::None));
        }
        options.progress("upgrade", None);
        // The person is signed in from here on: a move that cannot be proposed now (a server that
        // varies its key, an email budget spent) is reported with the sign-in, not instead of it,
        // and is proposed again at the next sign-in.
        let proposed = match self
            .evaluate_once(evaluation.address().as_str(), again, options)
            .await
            .and_then(|second| evaluation.check_same_as(&second))
        {
            Ok(()) => {
                self.token_call_future(
                    "PATCH",
                    "/signature",
                    &key.material(),
                    Purpose::Change,
                    Some(RequestSigner::Account(legacy.material())),
                    requirements!(STATUS_ANSWER),
                )
                .await
            }
            Err(error) => Err(error),
        };
        let upgrade = match proposed {
            Ok(status) => Upgrade::Proposed(key, status),
            Err(error) => Upgrade::Failed(error),
        };
        Ok(sign_in_result(legacy, &account, upgrade))
    }

    /// `GET /account` signed by `key`, awaited.
    async fn account_of(&self, key: Rc<KeyMaterial>) -> Result<JsValue> {
        self.call_future(
            "GET",
            "/account",
            Ok(None),
            Some(RequestSigner::Account(key)),
            requirements!(ACCOUNT),
        )
        .await
    }

    /// Signs a token of `material` now (so that a freed key cannot race the request), then sends it
    /// as `{"token": ...}`, signed by `signer` when given.
    fn token_call(
        &self,
        method: &'static str,
        path: &str,
        material: &KeyMaterial,
        purpose: Purpose<'_>,
        signer: Option<RequestSigner>,
        expect: &'static [Requirement],
    ) -> js_sys::Promise {
        promise(self.token_call_future(method, path, material, purpose, signer, expect))
    }

    /// [`NotaryClient::token_call`] as a future.
    pub(crate) fn token_call_future(
        &self,
        method: &'static str,
        path: &str,
        material: &KeyMaterial,
        purpose: Purpose<'_>,
        signer: Option<RequestSigner>,
        expect: &'static [Requirement],
    ) -> Call {
        let body = material
            .token(purpose, &self.base_url, SERVER_TOKEN_LIFETIME_SECS)
            .and_then(|token| {
                serde_json::to_string(&TokenBody { token: &token })
                    .map_err(|_| NotaryError::invalid_argument("unusable token"))
            });
        self.call_future(method, path, body.map(Some), signer, expect)
    }

    /// Sends a JSON call to the server; with `signer`, as a signed request: `Authorization: Notary
    /// <request token>` binding the method, the full URL and the exact body bytes.
    pub(crate) fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Result<Option<String>>,
        signer: Option<RequestSigner>,
        expect: &'static [Requirement],
    ) -> js_sys::Promise {
        promise(self.call_future(method, path, body, signer, expect))
    }

    /// [`NotaryClient::call`] as a future. The signer is a shared handle, so freeing its JavaScript
    /// object while the call is in flight cannot take the key away from it.
    pub(crate) fn call_future(
        &self,
        method: &'static str,
        path: &str,
        body: Result<Option<String>>,
        signer: Option<RequestSigner>,
        expect: &'static [Requirement],
    ) -> Call {
        let url = self.endpoint(path);
        let audience = Rc::clone(&self.base_url);
        Box::pin(async move {
            let body = body?;
            let authorization = match signer {
                Some(signer) => {
                    let request = HttpRequest {
                        method,
                        url: &url,
                        body: body.as_deref().unwrap_or_default().as_bytes(),
                    };
                    let token = signer.authorization(&audience, request)?.token().await?;
                    Some(format!("Notary {token}"))
                }
                None => None,
            };
            JsonCall {
                method,
                url: &url,
                body,
                authorization,
                expect,
            }
            .send()
            .await
        })
    }

    /// Another handle on the same server (for a `Session`).
    pub(crate) fn share(&self) -> NotaryClient {
        Self {
            base_url: Rc::clone(&self.base_url),
        }
    }
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

/// `fetch` signed by `signer` (see `NotaryClient.signedFetch`; `Session.signedFetch` is the same with a
/// session's key).
pub(crate) async fn signed_fetch(
    signer: &RequestSigner,
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
    let token = signer
        .authorization(
            &audience,
            HttpRequest {
                method: &request.method(),
                url: &htu,
                body: &body,
            },
        )?
        .token()
        .await?;
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

/// The code a server answers for a key it does not know.
pub(crate) const UNKNOWN_KEY: &str = "unknown_key";

/// What became of a version-1 account's move at sign-in.
enum Upgrade {
    /// Nothing to move.
    None,
    /// The version-2 key was proposed: the server emailed a confirmation.
    Proposed(KeyPair, JsValue),
    /// The proposal could not be made; the person is signed in all the same.
    Failed(NotaryError),
}

/// `{ key, account }`, plus `{ newKey, upgrade }` while the account moves to `kdf_version` 2, or
/// `{ upgradeError }` when the move could not be proposed.
fn sign_in_result(key: KeyPair, account: &JsValue, upgrade: Upgrade) -> JsValue {
    let result = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&result, &"key".into(), &key.into());
    let _ = js_sys::Reflect::set(&result, &"account".into(), account);
    match upgrade {
        Upgrade::None => {}
        Upgrade::Proposed(new_key, status) => {
            let _ = js_sys::Reflect::set(&result, &"newKey".into(), &new_key.into());
            let _ = js_sys::Reflect::set(&result, &"upgrade".into(), &status);
        }
        Upgrade::Failed(error) => {
            let _ = js_sys::Reflect::set(&result, &"upgradeError".into(), &error.into());
        }
    }
    result.into()
}

/// The lookup form of a typed address: trimmed, and lower-cased when ASCII (all that the server's
/// canonicalisation does to an ASCII address).
fn salt_lookup_form(typed: &str) -> String {
    let typed = typed.trim();
    if typed.is_ascii() {
        typed.to_ascii_lowercase()
    } else {
        typed.to_owned()
    }
}

/// A server call in flight. Boxed so that one `future_to_promise` serves every method.
pub(crate) type Call = Pin<Box<dyn Future<Output = Result<JsValue>>>>;

pub(crate) fn promise(call: Call) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move { call.await.map_err(JsValue::from) })
}

/// A promise already rejected with `error`.
pub(crate) fn rejected(error: NotaryError) -> js_sys::Promise {
    js_sys::Promise::reject(&error.into())
}
