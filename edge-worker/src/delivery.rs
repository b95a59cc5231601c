//! Confirmation delivery. Request handlers put a [`Delivery`] on the `CONFIRMATIONS` queue; the queue
//! consumer POSTs it to `CONFIRMATION_URI` as JSON `{address, purpose, token, expires_at, link}` (for
//! a salt ticket, `purpose` is `ticket` and `token` the ticket) with
//! `Idempotency-Key` (fixed per message, so a retried delivery is recognisable) and
//! `Notary-Signature: t=<unix>,v1=<hex HMAC-SHA256(CONFIRMATION_SECRET, "<t>.<body>")>`.
//!
//! A refused or failed POST is retried with a growing delay ([`retry_delay_secs`]); after the queue's
//! `max_retries` the message goes to the dead-letter queue, whose consumer tries once more and then
//! records it in D1 (`undelivered`, without the token) and the audit log.

use crate::ticket::SaltTicket;
use protocol::confirmation;
use serde::{Deserialize, Serialize};

pub use protocol::confirmation::Purpose;

protocol::vocabulary! {
    /// Why a message is sent: a confirmation's purpose (the protocol's [`Purpose`]), or a salt ticket.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum MessagePurpose {
        /// The wire name.
        fn as_str;
        /// [`Purpose::Signup`].
        Signup => "signup",
        /// [`Purpose::Change`] (a recovery, or a version-1 account's move to version 2).
        Change => "change",
        /// [`Purpose::AlreadyRegistered`].
        AlreadyRegistered => "already_registered",
        /// A salt ticket ([`crate::ticket`]): no confirmation, a way through a spent guess budget.
        Ticket => "ticket",
    }
}

impl From<Purpose> for MessagePurpose {
    fn from(purpose: Purpose) -> Self {
        match purpose {
            Purpose::Signup => Self::Signup,
            Purpose::Change => Self::Change,
            Purpose::AlreadyRegistered => Self::AlreadyRegistered,
        }
    }
}

/// The body POSTed to the mail system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Canonical address to send to.
    pub address: String,
    /// Why.
    pub purpose: MessagePurpose,
    /// The confirmation token or the salt ticket (none for `already_registered`).
    pub token: Option<String>,
    /// When the token stops being accepted, Unix seconds (none for `already_registered`).
    pub expires_at: Option<i64>,
    /// What the email links to.
    pub link: String,
}

/// What the queue carries: the message and its idempotency key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Random, fixed for the message's whole life.
    pub idempotency_key: String,
    /// The body to POST.
    pub message: Message,
}

impl Message {
    /// A message with a confirmation token (signup or change).
    pub fn confirmation(
        public_uri: &str,
        address: &str,
        purpose: Purpose,
        token: &str,
        expires_at: i64,
    ) -> Self {
        Self {
            address: address.to_owned(),
            purpose: purpose.into(),
            token: Some(token.to_owned()),
            expires_at: Some(expires_at),
            link: confirmation::link(public_uri, address, purpose, Some(token)),
        }
    }

    /// The notice to the owner of an active address that a signup was attempted.
    pub fn already_registered(public_uri: &str, address: &str) -> Self {
        Self {
            address: address.to_owned(),
            purpose: MessagePurpose::AlreadyRegistered,
            token: None,
            expires_at: None,
            link: confirmation::link(public_uri, address, Purpose::AlreadyRegistered, None),
        }
    }

    /// A salt ticket for the owner of `address`, valid until `expires_at`.
    pub fn ticket(public_uri: &str, address: &str, ticket: &SaltTicket, expires_at: i64) -> Self {
        Self {
            address: address.to_owned(),
            purpose: MessagePurpose::Ticket,
            token: Some(ticket.as_str().to_owned()),
            expires_at: Some(expires_at),
            link: crate::ticket::link(ticket, public_uri, address),
        }
    }
}

/// Longest delay between two delivery attempts, seconds.
pub const MAX_RETRY_DELAY_SECS: u32 = 900;

/// The delay before the next attempt of a message first sent `age_secs` ago: as long as the message
/// has already waited (so the total wait doubles with each attempt), at least `base_secs`, at most
/// [`MAX_RETRY_DELAY_SECS`]. With base 10 s and 10 retries the queue keeps trying for about an hour.
pub fn retry_delay_secs(age_secs: i64, base_secs: u32) -> u32 {
    let age = u32::try_from(age_secs.max(0)).unwrap_or(u32::MAX);
    age.max(base_secs).min(MAX_RETRY_DELAY_SECS)
}

/// Whether the mail system's answer means it has the message (any 2xx).
pub const fn accepted(status: u16) -> bool {
    200 <= status && status < 300
}

#[cfg(target_arch = "wasm32")]
pub use consumer::*;

#[cfg(target_arch = "wasm32")]
mod consumer {
    use super::*;
    use crate::audit::{AuditAction, AuditOutcome};
    use crate::bindings::{self, Binding};
    use crate::config::Config;
    use crate::keyed_hash::KeyedHasher;
    use crate::store::{AuditEntry, Store};
    use crate::time::now_secs;
    use wasm_bindgen::JsValue;
    use worker::{
        Env, Fetch, Headers, Message as QueueMessage, MessageBatch, MessageExt,
        QueueRetryOptionsBuilder,
    };

    /// Time allowed for one POST to the mail system, milliseconds.
    const POST_TIMEOUT_MS: u32 = 10_000;

    /// Puts a message on the `CONFIRMATIONS` queue.
    pub async fn enqueue(env: &Env, message: Message) -> crate::error::ApiResult<()> {
        let delivery = Delivery {
            idempotency_key: crate::time::random_id()?,
            message,
        };
        let queue = env.queue(Binding::Confirmations.name()).map_err(|error| {
            worker::console_error!("queue binding: {error}");
            crate::error::ApiError::internal()
        })?;
        queue.send(&delivery).await.map_err(|error| {
            worker::console_error!("enqueue failed: {error}");
            crate::error::ApiError::internal()
        })
    }

    /// POSTs one message; `true` when the mail system accepted it.
    async fn post(config: &Config, delivery: &Delivery) -> bool {
        let Ok(body) = serde_json::to_vec(&delivery.message) else {
            return false;
        };
        let headers = Headers::new();
        let signature = confirmation::delivery_signature(
            config.confirmation_secret.as_bytes(),
            now_secs(),
            &body,
        );
        let set = [
            headers.set("content-type", "application/json"),
            headers.set("idempotency-key", &delivery.idempotency_key),
            headers.set("notary-signature", &signature),
        ];
        if set.iter().any(Result::is_err) {
            return false;
        }
        let body = js_sys::Uint8Array::from(body.as_slice());
        let Ok(request) = crate::http::new_request(
            "POST",
            &config.confirmation_uri,
            Some(&headers),
            Some(&JsValue::from(body)),
        ) else {
            return false;
        };
        let fetch = Fetch::Request(request);
        let signal = web_sys::AbortSignal::timeout_with_u32(POST_TIMEOUT_MS);
        let sent = fetch.send_with_signal(&signal.into()).await;
        match sent {
            Ok(response) => accepted(response.status_code()),
            Err(error) => {
                worker::console_warn!("delivery POST failed: {error}");
                false
            }
        }
    }

    /// The consumer of both queues. Never returns an error: each message is acked or retried.
    pub async fn consume(batch: MessageBatch<Delivery>, env: Env) {
        let dead_letter = batch.queue().ends_with("-dlq");
        let config = match bindings::config(&env) {
            Ok(config) => config,
            Err(error) => {
                worker::console_error!("queue consumer not configured: {error}");
                batch.retry_all();
                return;
            }
        };
        let store = env.d1(Binding::Db.name()).ok().map(Store::new);
        let mut messages = Vec::new();
        for raw in batch.raw_iter() {
            match QueueMessage::<Delivery>::try_from(raw) {
                Ok(message) => messages.push(message),
                // Malformed bodies can never succeed: drop them, loudly.
                Err(error) => worker::console_error!("dropping a malformed queue message: {error}"),
            }
        }
        // The messages of a batch are independent: each is routed, posted and acked or retried on its
        // own, concurrently, so one slow POST does not hold the others back.
        let each = messages
            .iter()
            .map(|message| deliver(message, store.as_ref(), &config, dead_letter));
        futures_util::future::join_all(each).await;
    }

    /// Routes, posts and acks (or retries) one message.
    async fn deliver(
        message: &QueueMessage<Delivery>,
        store: Option<&Store>,
        config: &Config,
        dead_letter: bool,
    ) {
        let delivery = match route(store, config, message.body()).await {
            Route::Send(delivery) => delivery,
            Route::Drop(action, outcome) => {
                let address = &message.body().message.address;
                audit(store, config, action, address, outcome).await;
                message.ack();
                return;
            }
            Route::Retry => {
                message.retry();
                return;
            }
        };
        if post(config, &delivery).await {
            message.ack();
            if dead_letter {
                let action = AuditAction::delivery(delivery.message.purpose);
                let address = &delivery.message.address;
                audit(store, config, action, address, AuditOutcome::DeliveredLate).await;
            }
            return;
        }
        if dead_letter {
            record_undelivered(store, config, &delivery).await;
            message.ack();
        } else {
            let age = now_secs() - (message.timestamp().as_millis() / 1000) as i64;
            let delay = retry_delay_secs(age, config.delivery_retry_base_secs);
            message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(delay)
                    .build(),
            );
        }
    }

    async fn record_undelivered(store: Option<&Store>, config: &Config, delivery: &Delivery) {
        let Some(store) = store else { return };
        let hasher = KeyedHasher::new(config.salt_secret.as_bytes());
        let address_hash = hasher.address(&delivery.message.address);
        let now = now_secs();
        let expires_at = delivery.message.expires_at.unwrap_or(now);
        if let Err(error) = store
            .record_undelivered(
                &delivery.idempotency_key,
                &address_hash,
                delivery.message.purpose,
                expires_at,
                now,
            )
            .await
        {
            let code = error.code.as_str();
            worker::console_error!("could not record an undelivered message: {code}");
        }
        let action = AuditAction::delivery(delivery.message.purpose);
        let address = &delivery.message.address;
        audit(
            Some(store),
            config,
            action,
            address,
            AuditOutcome::Undelivered,
        )
        .await;
    }

    async fn audit(
        store: Option<&Store>,
        config: &Config,
        action: AuditAction,
        address: &str,
        outcome: AuditOutcome,
    ) {
        let Some(store) = store else { return };
        let hasher = KeyedHasher::new(config.salt_secret.as_bytes());
        let entry = AuditEntry {
            action,
            outcome,
            address_hash: Some(hasher.address(address)),
            ip_hash: None,
            key_id: None,
        };
        store.audit(&entry, now_secs()).await;
    }

    /// What becomes of a queued message. The request handlers queue the same message whatever the
    /// address's state (so their timing says nothing about it); the difference is made here, off the
    /// request path.
    enum Route {
        /// POST this.
        Send(Delivery),
        /// Nothing to send: audit why and ack.
        Drop(AuditAction, AuditOutcome),
        /// D1 could not be asked: try later.
        Retry,
    }

    /// - A signup of an address with an active account: instead of the confirmation, its owner gets
    ///   an `already_registered` notice, at most one a day (same idempotency key, so a retried
    ///   delivery is still recognisable).
    /// - A recovery that stored no confirmation (the address has no active account): nothing.
    /// - A salt ticket that was not stored (the address has no active account) or is already spent
    ///   or expired: nothing.
    async fn route(store: Option<&Store>, config: &Config, delivery: &Delivery) -> Route {
        let Some(store) = store else {
            return Route::Retry;
        };
        let message = &delivery.message;
        match message.purpose {
            MessagePurpose::Signup => match store.has_active_account(&message.address).await {
                Err(_) => Route::Retry,
                Ok(false) => Route::Send(delivery.clone()),
                Ok(true) => {
                    let hasher = KeyedHasher::new(config.salt_secret.as_bytes());
                    let address_hash = hasher.address(&message.address);
                    let key = &delivery.idempotency_key;
                    match store.claim_notice(&address_hash, key, now_secs()).await {
                        Err(_) => Route::Retry,
                        Ok(true) => Route::Send(Delivery {
                            idempotency_key: key.clone(),
                            message: Message::already_registered(
                                &config.public_uri,
                                &message.address,
                            ),
                        }),
                        Ok(false) => {
                            Route::Drop(AuditAction::DeliverSignup, AuditOutcome::Suppressed)
                        }
                    }
                }
            },
            MessagePurpose::Change => {
                let no_account = Route::Drop(AuditAction::DeliverChange, AuditOutcome::NoAccount);
                let Some(Ok(token)) = message
                    .token
                    .as_deref()
                    .map(confirmation::ConfirmationToken::parse)
                else {
                    return no_account;
                };
                match store.confirmation_is_pending(&token.storage_hash()).await {
                    Err(_) => Route::Retry,
                    Ok(true) => Route::Send(delivery.clone()),
                    Ok(false) => no_account,
                }
            }
            MessagePurpose::Ticket => {
                let no_account = Route::Drop(AuditAction::DeliverTicket, AuditOutcome::NoAccount);
                let Some(ticket) = message.token.as_deref().and_then(SaltTicket::from_text) else {
                    return no_account;
                };
                match store
                    .ticket_is_usable(&ticket.storage_hash(), now_secs())
                    .await
                {
                    Err(_) => Route::Retry,
                    Ok(true) => Route::Send(delivery.clone()),
                    Ok(false) => no_account,
                }
            }
            MessagePurpose::AlreadyRegistered => Route::Send(delivery.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_token_and_the_encoded_address_in_the_fragment() {
        let message = Message::confirmation(
            "http://127.0.0.1:8787",
            "a+b@example.com",
            Purpose::Signup,
            "TOKEN",
            1_700_000_000,
        );
        assert_eq!(
            message.link,
            "http://127.0.0.1:8787/confirm.html#token=TOKEN&address=a%2Bb%40example.com&purpose=signup"
        );
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "address": "a+b@example.com", "purpose": "signup", "token": "TOKEN",
                "expires_at": 1_700_000_000, "link": message.link,
            })
        );
        let notice = Message::already_registered("https://notary.example", "a@example.com");
        assert_eq!(notice.link, "https://notary.example/");
        assert_eq!(
            serde_json::to_value(&notice).unwrap()["purpose"],
            "already_registered"
        );
        assert_eq!(notice.token, None);
    }

    #[test]
    fn message_purposes_are_the_protocols_plus_the_ticket() {
        for purpose in [Purpose::Signup, Purpose::Change, Purpose::AlreadyRegistered] {
            assert_eq!(MessagePurpose::from(purpose).as_str(), purpose.as_str());
        }
        for purpose in MessagePurpose::ALL {
            assert_eq!(serde_json::to_value(purpose).unwrap(), purpose.as_str());
        }
        let ticket = SaltTicket::from_random(&[1; 16]);
        let message = Message::ticket("https://notary.example", "a@example.com", &ticket, 1_800);
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            serde_json::json!({
                "address": "a@example.com", "purpose": "ticket", "token": ticket.as_str(),
                "expires_at": 1_800, "link": crate::ticket::link(&ticket, "https://notary.example", "a@example.com"),
            })
        );
    }

    #[test]
    fn retry_delay_doubles_the_total_wait_within_bounds() {
        assert_eq!(retry_delay_secs(0, 10), 10);
        assert_eq!(retry_delay_secs(10, 10), 10);
        assert_eq!(retry_delay_secs(20, 10), 20);
        assert_eq!(retry_delay_secs(40, 10), 40);
        assert_eq!(retry_delay_secs(5000, 10), MAX_RETRY_DELAY_SECS);
        assert_eq!(retry_delay_secs(-5, 1), 1);
        // Ten attempts starting at 10 s: 10, 10, 20, 40, 80, 160, 320, 640, 900, 900 s.
        let mut age = 0;
        for _ in 0..10 {
            age += i64::from(retry_delay_secs(age, 10));
        }
        assert_eq!(age, 3080);
    }

    #[test]
    fn only_2xx_counts_as_delivered() {
        assert!(accepted(200) && accepted(202));
        assert!(!accepted(301) && !accepted(401) && !accepted(503));
    }
}
