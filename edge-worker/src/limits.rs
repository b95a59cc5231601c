//! The rate limits as the worker applies them: per client group (IP, IPv6 /64) on every request, with
//! a block for clients over the per-minute limit, and per address on salt, emails and confirms.
//!
//! The `RateLimiter` Durable Object decides ([`crate::ratelimit`]). Blocks are copied to the
//! `BLOCKED_IPS` KV namespace as a cache, so a blocked client is refused without asking the object;
//! KV is never trusted to allow anything.

use crate::bindings::Binding;
use crate::config::Config;
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::keyed_hash::KeyedHasher;
use crate::ratelimit::{CheckRequest, Decision, Rule};
use crate::time::now_ms;
use wasm_bindgen::JsValue;
use worker::{Env, Method, Request, RequestInit};

/// Which per-address limit.
#[derive(Clone, Copy, Debug)]
pub enum AddressAction {
    /// `POST /salt`.
    Salt,
    /// Confirmation emails: `POST /signup`, `PATCH /signature`.
    Email,
    /// `POST /confirm`.
    Confirm,
}

impl AddressAction {
    fn name(self) -> &'static str {
        match self {
            Self::Salt => "salt",
            Self::Email => "email",
            Self::Confirm => "confirm",
        }
    }

    fn rule(self, config: &Config) -> Rule {
        let (window_secs, limit) = match self {
            Self::Salt => (60, config.max_salts_per_address_per_minute),
            Self::Email => (3600, config.max_emails_per_address_per_hour),
            Self::Confirm => (3600, config.max_confirms_per_address_per_hour),
        };
        Rule {
            window_secs,
            limit,
            blocks: false,
        }
    }
}

fn internal(context: &'static str) -> impl Fn(worker::Error) -> ApiError {
    move |error| {
        worker::console_error!("rate limiter {context}: {error}");
        ApiError::internal()
    }
}

async fn ask(env: &Env, bucket: &str, request: &CheckRequest) -> ApiResult<Decision> {
    let namespace = env
        .durable_object(Binding::RateLimiter.name())
        .map_err(internal("binding"))?;
    let stub = namespace
        .id_from_name(bucket)
        .and_then(|id| id.get_stub())
        .map_err(internal("stub"))?;
    let body = serde_json::to_string(request).map_err(|_| ApiError::internal())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    let request =
        Request::new_with_init("https://rate-limiter/check", &init).map_err(internal("request"))?;
    let mut response = stub
        .fetch_with_request(request)
        .await
        .map_err(internal("fetch"))?;
    response
        .json::<Decision>()
        .await
        .map_err(internal("answer"))
}

fn refused(decision: Decision, now_ms: i64) -> ApiResult<()> {
    match (decision, decision.retry_after(now_ms)) {
        (Decision::Allowed, _) | (_, None) => Ok(()),
        (Decision::Blocked { .. }, Some(retry_after)) => Err(ApiError::rate_limited(
            "too many requests from this network; it is blocked for a while",
            retry_after,
        )),
        (Decision::Limited { .. }, Some(retry_after)) => Err(ApiError::rate_limited(
            "too many requests; try again later",
            retry_after,
        )),
    }
}

/// Counts a request against its client group; refuses it when over a limit or blocked.
pub async fn enforce_client(
    env: &Env,
    config: &Config,
    hasher: &KeyedHasher,
    client_group: &str,
) -> ApiResult<()> {
    let bucket = format!("ip:{}", hasher.client(client_group));
    let cache = env.kv(Binding::BlockedIps.name()).ok();
    if let Some(cache) = &cache {
        // KV's minimum edge cache time: a block may take up to a minute to show here, and until then
        // the Durable Object refuses the client itself.
        if let Ok(Some(until)) = cache.get(&bucket).cache_ttl(60).text().await {
            let until_ms = until.parse::<i64>().unwrap_or(0);
            let now = now_ms();
            if until_ms > now {
                return refused(Decision::Blocked { until_ms }, now);
            }
        }
    }
    let request = CheckRequest {
        rules: vec![
            Rule {
                window_secs: 1,
                limit: config.max_calls_per_second,
                blocks: false,
            },
            Rule {
                window_secs: 60,
                limit: config.max_calls_per_minute,
                blocks: true,
            },
        ],
        block_secs: config.block_ips_for_secs,
    };
    let decision = ask(env, &bucket, &request).await?;
    let now = now_ms();
    if let (Decision::Blocked { until_ms }, Some(cache)) = (decision, &cache) {
        // KV keeps entries at least 60 s; the stored end time is what counts.
        let ttl = u64::try_from((until_ms - now) / 1000).unwrap_or(0).max(60);
        let put = cache.put(&bucket, until_ms.to_string());
        if let Ok(put) = put {
            if let Err(error) = put.expiration_ttl(ttl).execute().await {
                worker::console_warn!("could not cache a block: {error}");
            }
        }
    }
    refused(decision, now)
}

/// Counts a request against the per-address limit of `action`.
pub async fn enforce_address(
    ctx: &RequestContext,
    action: AddressAction,
    address: &str,
) -> ApiResult<()> {
    let bucket = format!("{}:{}", action.name(), ctx.address_hash(address));
    let request = CheckRequest {
        rules: vec![action.rule(&ctx.config)],
        block_secs: 0,
    };
    let decision = ask(&ctx.env, &bucket, &request).await?;
    refused(decision, now_ms())
}
