//! The limits, and who can spend them. A limit that protects an address's owner must not be
//! spendable by someone who is not the owner, so nothing here is counted per address alone:
//!
//! - per client group (IP, IPv6 /64), with the platform's Rate Limiting bindings, on every request
//!   ([`Binding::ClientBurst`], [`Binding::ClientMinute`]) and on every refused attempt
//!   ([`Binding::ClientFailures`]): going over the per-minute or the failure limit blocks the group for
//!   `BLOCK_IPS_FOR` hours;
//! - blocks are exact and lasting: a row in D1 (`blocks`, with its audit row, in one batch), cached in
//!   KV (`BLOCKED_IPS`) and for a minute in the isolate ([`BlockMemo`]), so the hot path reads no
//!   storage for them;
//! - OPRF evaluations (`POST /salt`) per client group across addresses ([`Binding::SaltEvaluations`]);
//! - emails (confirmations, salt tickets) per (address, client group) and, much higher, per address in
//!   all (D1, `email_counts`, counted in the same batch that stores the confirmation: `store`).
//!
//! The one limit counted per address alone is the guess budget ([`crate::guess_budget`]), with the
//! owner's ways around it that nobody else can use.
//!
//! The Rate Limiting counts are per Cloudflare location and eventually consistent: they bound load;
//! they never decide anything that must be exact.

use crate::error::ApiError;
use std::collections::HashMap;

#[cfg(target_arch = "wasm32")]
pub use edge::{admit, admit_evaluation, count_refusal};

protocol::vocabulary! {
    /// Why a client group was blocked (`blocks.reason`, and the audit row's outcome).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum BlockReason {
        /// The stored name.
        fn as_str;
        /// Over `CLIENT_MINUTE`.
        TooManyRequests => "too_many_requests",
        /// Over `CLIENT_FAILURES`.
        TooManyRefusals => "too_many_refusals",
    }
}

/// How long an isolate believes what it learnt of a client group, seconds: KV's own edge cache time, so
/// a block made elsewhere, or lifted by the operator, shows here as soon as it would through KV.
pub const MEMO_SECS: i64 = 60;

/// Client groups an isolate remembers at most; past it, it forgets them all and asks KV again.
pub const MEMO_CAPACITY: usize = 10_000;

/// What an isolate knows of a client group's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// Blocked until this time (Unix seconds), as of less than [`MEMO_SECS`] ago.
    Blocked(i64),
    /// Not blocked, as of less than [`MEMO_SECS`] ago.
    NotBlocked,
    /// Ask KV.
    Unknown,
}

/// An isolate's memory of blocks and of recent "not blocked" answers.
#[derive(Debug, Default)]
pub struct BlockMemo {
    /// Client hash → (blocked until, or 0; when learnt), Unix seconds.
    entries: HashMap<String, (i64, i64)>,
}

impl BlockMemo {
    /// What is known of `client` at `now`.
    pub fn lookup(&self, client: &str, now: i64) -> Known {
        match self.entries.get(client) {
            Some(&(until, learnt)) if (0..MEMO_SECS).contains(&(now - learnt)) => {
                if until > now {
                    Known::Blocked(until)
                } else {
                    Known::NotBlocked
                }
            }
            _ => Known::Unknown,
        }
    }

    /// Remembers that `client` is blocked until `until` (0 or a past time: not blocked), as of `now`.
    pub fn remember(&mut self, client: &str, until: i64, now: i64) {
        if self.entries.len() >= MEMO_CAPACITY && !self.entries.contains_key(client) {
            self.entries.clear();
        }
        self.entries.insert(client.to_owned(), (until, now));
    }
}

/// Seconds from `now` to the end of a block at `until` (at least 1): the `Retry-After`.
pub fn retry_after(until: i64, now: i64) -> u64 {
    u64::try_from(until - now).unwrap_or(0).max(1)
}

/// The answer to a blocked client group.
pub fn blocked(until: i64, now: i64) -> ApiError {
    ApiError::rate_limited(
        "too many requests from this network; it is blocked for a while",
        retry_after(until, now),
    )
}

/// The hour an email is counted in (Unix seconds / 3600), and the seconds until the next one.
pub fn email_hour(now: i64) -> (i64, u64) {
    let hour = now.div_euclid(3600);
    (hour, retry_after((hour + 1) * 3600, now))
}

#[cfg(target_arch = "wasm32")]
mod edge {
    use super::{blocked, BlockMemo, BlockReason, Known};
    use crate::bindings::Binding;
    use crate::context::RequestContext;
    use crate::error::{ApiError, ApiResult};
    use std::cell::RefCell;
    use worker::Env;

    thread_local! {
        static MEMO: RefCell<BlockMemo> = RefCell::new(BlockMemo::default());
    }

    /// The seconds of a `CLIENT_BURST` window: its `Retry-After`.
    const BURST_PERIOD_SECS: u64 = 10;

    fn kv_key(client_hash: &str) -> String {
        format!("block:{client_hash}")
    }

    /// Whether `client_hash` is blocked: the isolate's memory, else KV (cached at the edge).
    async fn known_block(env: &Env, client_hash: &str, now: i64) -> Option<i64> {
        match MEMO.with(|memo| memo.borrow().lookup(client_hash, now)) {
            Known::Blocked(until) => return Some(until),
            Known::NotBlocked => return None,
            Known::Unknown => {}
        }
        let cached = match env.kv(Binding::BlockedIps.name()) {
            Ok(kv) => kv.get(&kv_key(client_hash)).cache_ttl(60).text().await,
            Err(error) => {
                worker::console_error!("BLOCKED_IPS binding: {error}");
                Ok(None)
            }
        };
        let until = match cached {
            Ok(value) => value.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
            Err(error) => {
                // A KV failure does not open the gate for good: the rate limits still apply.
                worker::console_warn!("BLOCKED_IPS read failed: {error}");
                return None;
            }
        };
        MEMO.with(|memo| memo.borrow_mut().remember(client_hash, until, now));
        (until > now).then_some(until)
    }

    /// Counts one call of the client group with a Rate Limiting binding; `false` when over its limit.
    /// A binding that fails lets the request through (and says so in the log): the limits bound load,
    /// and the blocks already made still hold.
    async fn within(env: &Env, binding: Binding, client_hash: &str) -> bool {
        let limiter = match env.rate_limiter(binding.name()) {
            Ok(limiter) => limiter,
            Err(error) => {
                worker::console_error!("{} binding: {error}", binding.name());
                return true;
            }
        };
        match limiter.limit(client_hash.to_owned()).await {
            Ok(outcome) => outcome.success,
            Err(error) => {
                worker::console_error!("{} failed: {error}", binding.name());
                true
            }
        }
    }

    /// Admits a request of the client group, or refuses it: blocked, over the 10-second limit, or
    /// over the per-minute limit (which blocks the group).
    pub async fn admit(ctx: &RequestContext) -> ApiResult<()> {
        let client = ctx.client_hash.as_str();
        if let Some(until) = known_block(&ctx.env, client, ctx.now).await {
            return Err(blocked(until, ctx.now));
        }
        let burst = within(&ctx.env, Binding::ClientBurst, client);
        let minute = within(&ctx.env, Binding::ClientMinute, client);
        let (burst, minute) = futures_util::future::join(burst, minute).await;
        if !minute {
            return Err(block(ctx, BlockReason::TooManyRequests).await);
        }
        if !burst {
            return Err(ApiError::rate_limited(
                "too many requests; try again later",
                BURST_PERIOD_SECS,
            ));
        }
        Ok(())
    }

    /// The seconds of a `SALT_EVALUATIONS` window: its `Retry-After`.
    const EVALUATION_PERIOD_SECS: u64 = 60;

    /// Counts one OPRF evaluation of the client group; 429 `rate_limited` over `SALT_EVALUATIONS`.
    pub async fn admit_evaluation(ctx: &RequestContext) -> ApiResult<()> {
        if within(&ctx.env, Binding::SaltEvaluations, &ctx.client_hash).await {
            Ok(())
        } else {
            Err(ApiError::rate_limited(
                "too many password attempts from this network; try again later",
                EVALUATION_PERIOD_SECS,
            ))
        }
    }

    /// Counts a refused attempt (a token, confirmation or admin secret that did not verify) against the
    /// client group; blocks it when over `CLIENT_FAILURES`. The refusal itself is answered as it is.
    pub async fn count_refusal(ctx: &RequestContext) {
        if !within(&ctx.env, Binding::ClientFailures, &ctx.client_hash).await {
            block(ctx, BlockReason::TooManyRefusals).await;
        }
    }

    /// Blocks the client group for `BLOCK_IPS_FOR`: D1 (with its audit row, once per block), then KV
    /// and this isolate. With `BLOCK_IPS_FOR = 0` nothing is stored and the answer is a plain 429.
    async fn block(ctx: &RequestContext, reason: BlockReason) -> ApiError {
        let secs = ctx.config.block_ips_for_secs;
        if secs == 0 {
            return ApiError::rate_limited("too many requests; try again later", 60);
        }
        let until = ctx.now + secs;
        let client = ctx.client_hash.as_str();
        MEMO.with(|memo| memo.borrow_mut().remember(client, until, ctx.now));
        // A failure is logged where it happened; the isolate and KV still hold the block.
        if let Ok(marker) = crate::time::random_id() {
            let _ = ctx
                .store
                .block(client, reason, ctx.now, until, &marker)
                .await;
        }
        match ctx.env.kv(Binding::BlockedIps.name()) {
            Ok(kv) => {
                // KV keeps entries at least 60 s; the stored end time is what counts.
                let ttl = u64::try_from(secs).unwrap_or(0).max(60);
                let put = kv.put(&kv_key(client), until.to_string());
                let stored = match put {
                    Ok(put) => put.expiration_ttl(ttl).execute().await,
                    Err(error) => Err(error),
                };
                if let Err(error) = stored {
                    worker::console_warn!("could not cache a block in KV: {error}");
                }
            }
            Err(error) => worker::console_error!("BLOCKED_IPS binding: {error}"),
        }
        blocked(until, ctx.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_believes_what_it_learnt_for_a_minute() {
        let mut memo = BlockMemo::default();
        assert_eq!(memo.lookup("c", 1000), Known::Unknown);
        memo.remember("c", 0, 1000);
        assert_eq!(memo.lookup("c", 1000), Known::NotBlocked);
        assert_eq!(memo.lookup("c", 1059), Known::NotBlocked);
        assert_eq!(memo.lookup("c", 1060), Known::Unknown);
        assert_eq!(
            memo.lookup("c", 999),
            Known::Unknown,
            "a clock that went back"
        );
        memo.remember("c", 5000, 1100);
        assert_eq!(memo.lookup("c", 1159), Known::Blocked(5000));
        // After a minute it asks again: the operator may have lifted the block.
        assert_eq!(memo.lookup("c", 1160), Known::Unknown);
        memo.remember("c", 1130, 1100);
        assert_eq!(memo.lookup("c", 1129), Known::Blocked(1130));
        assert_eq!(
            memo.lookup("c", 1130),
            Known::NotBlocked,
            "the block has ended"
        );
    }

    #[test]
    fn a_full_memo_starts_over_rather_than_growing() {
        let mut memo = BlockMemo::default();
        for i in 0..MEMO_CAPACITY {
            memo.remember(&i.to_string(), 0, 10);
        }
        memo.remember("new", 99, 10);
        assert_eq!(memo.entries.len(), 1);
        assert_eq!(memo.lookup("new", 10), Known::Blocked(99));
    }

    #[test]
    fn retry_after_is_at_least_a_second_and_email_hours_are_aligned() {
        assert_eq!(retry_after(100, 40), 60);
        assert_eq!(retry_after(100, 100), 1);
        assert_eq!(retry_after(100, 200), 1);
        assert_eq!(email_hour(7200), (2, 3600));
        assert_eq!(email_hour(7201), (2, 3599));
        assert_eq!(blocked(130, 100).retry_after, Some(30));
    }
}
