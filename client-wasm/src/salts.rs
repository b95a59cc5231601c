//! The salt answers a client has already used, so that deriving the key of a known address again
//! does not depend on `POST /salt` (docs/protocol.md, section 9.2, "Keeping salt answers").
//!
//! A salt answer is a function of the address and the server's secret and parameters, and holds
//! nothing secret (the server gives it to anyone who asks), so keeping it costs no security; it
//! spares a round trip, and a sign-in no longer fails because `/salt` is slow, down or refusing.
//! Each [`NotaryClient`](crate::NotaryClient) keeps the answers it got in memory, and can be given a
//! persistent [`SaltStore`](SALT_STORE_TYPES) (the pages keep theirs in `localStorage`). An answer is
//! used only after the same checks a fresh one gets ([`usable`]), so an answer of a parameter set
//! this client no longer implements (`kdf_version`) is asked for again.
//!
//! Entries are keyed by the canonical address. Without IDNA tables the client knows the canonical
//! form of an address only when it is typed in ASCII (the trimmed, lower-cased text, see
//! [`lookup_form`]); an address typed with other characters is looked up as typed, so its answer is
//! found in memory (kept under both forms) but, in a store, only when typed in its canonical form.

use crate::derive;
use crate::error::{ClientErrorKind, NotaryError, Result};
use protocol::salt::SaltAnswer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The TypeScript declarations of the store and the client's options.
pub const SALT_STORE_TYPES: &str = r#"
/**
 * Where a `NotaryClient` keeps the salt answers of the addresses it has used, beyond its own
 * memory, so that signing in again does not depend on `POST /salt`. `get` answers the kept answer
 * (or `null`/`undefined`), `set` keeps one; either may return a promise, which the client waits for.
 * Keys are the client's base URL and the canonical address. What the store gives back is checked
 * like a fresh answer: anything unusable (another address, a `kdf_version` this version does not
 * implement, parameters below the floor, garbage) is ignored and asked for again. A store that
 * throws or rejects counts as empty. Nothing in an answer is secret.
 */
export interface SaltStore {
  get(baseUrl: string, address: string): SaltAnswer | null | undefined | Promise<SaltAnswer | null | undefined>;
  set(baseUrl: string, address: string, answer: SaltAnswer): void | Promise<void>;
}

/** The options of `new NotaryClient(baseUrl, options)`. */
export interface NotaryClientOptions {
  /** Keeps salt answers beyond this client's memory (see `SaltStore`). */
  saltStore?: SaltStore;
}
"#;

/// The address form a typed address is looked up under: for ASCII, its canonical form (trimmed and
/// lower-cased, which is all the server's canonicalisation does to ASCII); otherwise trimmed.
pub fn lookup_form(typed: &str) -> String {
    let typed = typed.trim();
    if typed.is_ascii() {
        typed.to_ascii_lowercase()
    } else {
        typed.to_owned()
    }
}

/// Refuses an answer for another address than the one typed: for an address typed in ASCII, the
/// canonical form is [`lookup_form`]'s. (Internationalised domains are canonicalised by the server
/// alone: this package carries no IDNA tables.)
pub fn check_address(typed: &str, answer: &SaltAnswer) -> Result<()> {
    if typed.trim().is_ascii() && lookup_form(typed) != answer.address {
        return Err(NotaryError::new(
            ClientErrorKind::AddressMismatch,
            "the salt answer is for another address",
        ));
    }
    Ok(())
}

/// `value` if it is a salt answer a derivation for `typed` can use: read and checked as a fresh
/// answer is (docs/protocol.md, section 5), for the typed address.
pub fn usable(value: &JsValue, typed: &str) -> Option<SaltAnswer> {
    let answer = derive::salt_answer_from_js(value).ok()?;
    answer.check().ok()?;
    check_address(typed, &answer).ok()?;
    Some(answer)
}

/// One client's kept answers: a `Map` from address to the answer's JSON text (a fresh object is
/// parsed for each use, so a caller that changes the object it got changes nothing kept), and the
/// caller's store, if any.
#[derive(Clone)]
pub struct SaltCache {
    memory: js_sys::Map,
    store: Option<JsValue>,
}

impl SaltCache {
    /// A cache with nothing in memory, over `store` (an object with `get` and `set` methods).
    pub fn new(store: Option<JsValue>) -> Result<Self> {
        if let Some(store) = &store {
            let method = |name: &str| {
                js_sys::Reflect::get(store, &JsValue::from_str(name))
                    .is_ok_and(|value| value.is_function())
            };
            if !method("get") || !method("set") {
                return Err(NotaryError::invalid_argument(
                    "saltStore must be an object with get and set methods",
                ));
            }
        }
        Ok(Self {
            memory: js_sys::Map::new(),
            store,
        })
    }

    /// The kept answer for the address as `typed`, from memory, else from the store, if usable.
    pub async fn get(&self, base_url: &str, typed: &str) -> Option<JsValue> {
        let address = lookup_form(typed);
        let remembered = self.memory.get(&JsValue::from_str(&address));
        if let Some(answer) = remembered
            .as_string()
            .and_then(|text| js_sys::JSON::parse(&text).ok())
            .filter(|answer| usable(answer, typed).is_some())
        {
            return Some(answer);
        }
        let kept = self.call("get", base_url, &address, None).await?;
        let answer = usable(&kept, typed)?;
        // A store keyed by another scheme could hand back another address's answer for this key.
        if answer.address != address {
            return None;
        }
        self.remember(&address, &answer.address, &kept)
    }

    /// Keeps a fresh answer for the address as `typed`, if usable: in memory under the typed and the
    /// canonical form, and in the store under the canonical form (a copy: the caller keeps `answer`).
    pub async fn put(&self, base_url: &str, typed: &str, answer: &JsValue) {
        let Some(checked) = usable(answer, typed) else {
            return;
        };
        let Some(copy) = self.remember(&lookup_form(typed), &checked.address, answer) else {
            return;
        };
        // A store that cannot keep it only costs the next sign-in a /salt request.
        let _ = self
            .call("set", base_url, &checked.address, Some(&copy))
            .await;
    }

    /// Keeps `answer`'s JSON text in memory under both forms; returns a fresh copy of it.
    fn remember(&self, typed: &str, canonical: &str, answer: &JsValue) -> Option<JsValue> {
        let text = js_sys::JSON::stringify(answer).ok()?;
        for address in [typed, canonical] {
            self.memory.set(&JsValue::from_str(address), &text);
        }
        js_sys::JSON::parse(&String::from(text)).ok()
    }

    /// Calls the store's `method` and waits for what it returns; `None` when there is no store, or
    /// it threw, rejected, or answered nothing.
    async fn call(
        &self,
        method: &str,
        base_url: &str,
        address: &str,
        answer: Option<&JsValue>,
    ) -> Option<JsValue> {
        let store = self.store.as_ref()?;
        let function: js_sys::Function = js_sys::Reflect::get(store, &JsValue::from_str(method))
            .ok()?
            .dyn_into()
            .ok()?;
        let returned = match answer {
            Some(answer) => function.call3(store, &base_url.into(), &address.into(), answer),
            None => function.call2(store, &base_url.into(), &address.into()),
        }
        .ok()?;
        let value = JsFuture::from(js_sys::Promise::resolve(&returned))
            .await
            .ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_addresses_are_looked_up_in_canonical_form() {
        assert_eq!(lookup_form("  Alice@Example.COM "), "alice@example.com");
        assert_eq!(lookup_form("alice@example.com"), "alice@example.com");
        // Without IDNA tables only the server knows the canonical form: looked up as typed.
        assert_eq!(lookup_form(" Zoë@Bücher.example "), "Zoë@Bücher.example");
    }
}
