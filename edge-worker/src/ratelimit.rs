//! Fixed-window rate limits, kept in a Durable Object per bucket (one client IP group, or one address
//! and action). The Durable Object is the source of truth; [`crate::limits`] puts blocked IPs in KV
//! only as a cache, so a blocked client is refused without a round trip to the object.
//!
//! This module holds the counting rules ([`LimiterState::check`], plain Rust, tested natively) and the
//! Durable Object class [`RateLimiter`] that applies them to its storage, with an alarm that deletes the
//! storage once every window and block has run out.

use serde::{Deserialize, Serialize};

/// One limit: at most `limit` calls per `window_secs`. A `blocks` rule, when exceeded, blocks the
/// bucket for the request's `block_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Window length, seconds.
    pub window_secs: u32,
    /// Calls allowed per window.
    pub limit: u32,
    /// Whether exceeding it blocks the bucket.
    pub blocks: bool,
}

/// What the worker asks the Durable Object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The limits of this bucket.
    pub rules: Vec<Rule>,
    /// How long a blocking rule blocks, seconds.
    pub block_secs: i64,
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// Counted and allowed.
    Allowed,
    /// Over a limit; try again after `retry_after` seconds.
    Limited {
        /// Seconds until the window that is full ends.
        retry_after: u64,
    },
    /// Blocked until `until_ms` (Unix milliseconds).
    Blocked {
        /// End of the block.
        until_ms: i64,
    },
}

impl Decision {
    /// Seconds until a call may succeed again, as of `now_ms` (at least 1); `None` when allowed.
    pub fn retry_after(&self, now_ms: i64) -> Option<u64> {
        match *self {
            Self::Allowed => None,
            Self::Limited { retry_after } => Some(retry_after.max(1)),
            Self::Blocked { until_ms } => Some(ceil_secs(until_ms - now_ms).max(1)),
        }
    }
}

/// One window's counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// When the window began, Unix milliseconds.
    pub start_ms: i64,
    /// Calls counted in it.
    pub count: u32,
}

/// A bucket's stored state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimiterState {
    /// One counter per rule, in the rules' order.
    pub windows: Vec<Window>,
    /// End of the current block (Unix milliseconds), or 0.
    pub blocked_until_ms: i64,
}

impl LimiterState {
    /// Applies `request` to a call made at `now_ms`: counts it when allowed; does not count refused
    /// calls (a blocked client stays blocked for `block_secs` however much it retries).
    pub fn check(&mut self, now_ms: i64, request: &CheckRequest) -> Decision {
        if self.blocked_until_ms > now_ms {
            return Decision::Blocked {
                until_ms: self.blocked_until_ms,
            };
        }
        self.blocked_until_ms = 0;
        if self.windows.len() != request.rules.len() {
            self.windows = vec![Window::default(); request.rules.len()];
        }
        for (window, rule) in self.windows.iter_mut().zip(&request.rules) {
            let over = now_ms >= window.start_ms + window_ms(rule) || now_ms < window.start_ms;
            if window.count == 0 || over {
                *window = Window {
                    start_ms: now_ms,
                    count: 0,
                };
            }
        }
        let full = self
            .windows
            .iter()
            .zip(&request.rules)
            .find(|(window, rule)| window.count >= rule.limit);
        if let Some((window, rule)) = full {
            if rule.blocks && request.block_secs > 0 {
                // The block replaces the windows: when it ends, the client starts afresh.
                self.windows = vec![Window::default(); request.rules.len()];
                self.blocked_until_ms = now_ms + request.block_secs * 1000;
                return Decision::Blocked {
                    until_ms: self.blocked_until_ms,
                };
            }
            return Decision::Limited {
                retry_after: ceil_secs(window.start_ms + window_ms(rule) - now_ms),
            };
        }
        for window in &mut self.windows {
            window.count = window.count.saturating_add(1);
        }
        Decision::Allowed
    }

    /// When nothing in this state matters any more (Unix milliseconds): the end of the block and of
    /// every window that has counted something.
    pub fn expires_at_ms(&self, rules: &[Rule]) -> i64 {
        self.windows
            .iter()
            .zip(rules)
            .filter(|(window, _)| window.count > 0)
            .map(|(window, rule)| window.start_ms + window_ms(rule))
            .fold(self.blocked_until_ms, i64::max)
    }
}

fn window_ms(rule: &Rule) -> i64 {
    i64::from(rule.window_secs) * 1000
}

fn ceil_secs(ms: i64) -> u64 {
    u64::try_from((ms + 999).div_euclid(1000)).unwrap_or(0)
}

/// The Durable Object class (`RATE_LIMITER` binding): one instance per bucket name.
/// What a bucket keeps in its storage: its counters and the rules they count against (the alarm
/// needs the rules to know when the counters expire).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The counters and block.
    pub state: LimiterState,
    /// The rules of the last call.
    pub rules: Vec<Rule>,
}

impl Stored {
    /// When the stored counters and block stop mattering (Unix milliseconds).
    pub fn expires_at_ms(&self) -> i64 {
        self.state.expires_at_ms(&self.rules)
    }
}

/// The Durable Object class (`RATE_LIMITER` binding): one instance per bucket name.
#[cfg(target_arch = "wasm32")]
mod durable {
    use super::{CheckRequest, Stored};
    use std::cell::{Cell, RefCell};
    use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

    const KEY: &str = "bucket";

    /// Counts calls of one bucket (SQLite-backed class). The counters live in memory and in storage
    /// (written on every call, so an evicted object forgets nothing); an alarm deletes the storage once
    /// every window and block has run out.
    #[durable_object(alarm)]
    pub struct RateLimiter {
        state: State,
        cached: RefCell<Option<Stored>>,
        alarm_pending: Cell<bool>,
    }

    impl RateLimiter {
        async fn load(&self) -> Result<Stored> {
            let cached = self.cached.borrow().clone();
            match cached {
                Some(stored) => Ok(stored),
                None => Ok(self.state.storage().get(KEY).await?.unwrap_or_default()),
            }
        }
    }

    impl DurableObject for RateLimiter {
        fn new(state: State, _env: Env) -> Self {
            Self {
                state,
                cached: RefCell::new(None),
                alarm_pending: Cell::new(false),
            }
        }

        async fn fetch(&self, mut req: Request) -> Result<Response> {
            let Ok(request) = req.json::<CheckRequest>().await else {
                return Response::error("bad request", 400);
            };
            let mut stored = self.load().await?;
            let decision = stored.state.check(crate::time::now_ms(), &request);
            stored.rules = request.rules;
            let expires_at = stored.expires_at_ms();
            *self.cached.borrow_mut() = Some(stored.clone());
            let storage = self.state.storage();
            storage.put(KEY, &stored).await?;
            // The alarm re-arms itself while the counters matter, so one pending alarm is enough.
            if !self.alarm_pending.get() {
                storage.set_alarm(expires_at).await?;
                self.alarm_pending.set(true);
            }
            Response::from_json(&decision)
        }

        async fn alarm(&self) -> Result<Response> {
            let storage = self.state.storage();
            let expires_at = self.load().await?.expires_at_ms();
            if expires_at > crate::time::now_ms() {
                storage.set_alarm(expires_at).await?;
            } else {
                storage.delete_all().await?;
                *self.cached.borrow_mut() = None;
                self.alarm_pending.set(false);
            }
            Response::empty()
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use durable::RateLimiter;

#[cfg(test)]
mod tests {
    use super::*;

    fn ip_rules(per_second: u32, per_minute: u32, block_secs: i64) -> CheckRequest {
        CheckRequest {
            rules: vec![
                Rule {
                    window_secs: 1,
                    limit: per_second,
                    blocks: false,
                },
                Rule {
                    window_secs: 60,
                    limit: per_minute,
                    blocks: true,
                },
            ],
            block_secs,
        }
    }

    #[test]
    fn per_second_limit_resets_each_second_without_blocking() {
        let rules = ip_rules(3, 100, 3600);
        let mut state = LimiterState::default();
        let t = 1_700_000_000_000;
        for _ in 0..3 {
            assert_eq!(state.check(t, &rules), Decision::Allowed);
        }
        assert_eq!(
            state.check(t + 400, &rules),
            Decision::Limited { retry_after: 1 }
        );
        assert_eq!(state.check(t + 1000, &rules), Decision::Allowed);
        assert_eq!(state.blocked_until_ms, 0);
    }

    #[test]
    fn over_the_minute_limit_blocks_for_the_block_time() {
        let rules = ip_rules(100, 5, 7200);
        let mut state = LimiterState::default();
        let t = 1_700_000_000_000;
        for i in 0..5 {
            assert_eq!(state.check(t + i * 10, &rules), Decision::Allowed);
        }
        let blocked = state.check(t + 100, &rules);
        assert_eq!(
            blocked,
            Decision::Blocked {
                until_ms: t + 100 + 7_200_000
            }
        );
        assert_eq!(blocked.retry_after(t + 100), Some(7200));
        // Still blocked after the minute is over, and retrying does not extend the block.
        assert_eq!(state.check(t + 120_000, &rules), blocked);
        assert_eq!(state.expires_at_ms(&rules.rules), t + 100 + 7_200_000);
        assert_eq!(state.check(t + 100 + 7_200_000, &rules), Decision::Allowed);
        // When the block ends the client starts afresh, even within the same minute.
        let short = ip_rules(100, 5, 2);
        let mut state = LimiterState::default();
        for i in 0..5 {
            assert_eq!(state.check(t + i, &short), Decision::Allowed);
        }
        assert!(matches!(
            state.check(t + 10, &short),
            Decision::Blocked { .. }
        ));
        assert!(matches!(
            state.check(t + 1000, &short),
            Decision::Blocked { .. }
        ));
        assert_eq!(state.check(t + 2010, &short), Decision::Allowed);
        assert_eq!(state.expires_at_ms(&short.rules), t + 2010 + 60_000);
    }

    #[test]
    fn non_blocking_limits_say_when_the_window_ends() {
        let request = CheckRequest {
            rules: vec![Rule {
                window_secs: 3600,
                limit: 2,
                blocks: false,
            }],
            block_secs: 3600,
        };
        let mut state = LimiterState::default();
        let t = 1_000_000;
        assert_eq!(state.check(t, &request), Decision::Allowed);
        assert_eq!(state.check(t + 1000, &request), Decision::Allowed);
        assert_eq!(
            state.check(t + 600_500, &request),
            Decision::Limited { retry_after: 3000 }
        );
        assert_eq!(state.check(t + 3_600_000, &request), Decision::Allowed);
    }

    #[test]
    fn stored_buckets_expire_with_their_last_window_or_block() {
        let request = ip_rules(1, 1, 30);
        let mut stored = Stored::default();
        assert_eq!(stored.state.check(1_000, &request), Decision::Allowed);
        stored.rules = request.rules.clone();
        assert_eq!(stored.expires_at_ms(), 61_000);
        assert!(matches!(
            stored.state.check(2_000, &request),
            Decision::Blocked { until_ms: 32_000 }
        ));
        assert_eq!(stored.expires_at_ms(), 32_000);
    }

    #[test]
    fn a_changed_rule_set_starts_over() {
        let mut state = LimiterState::default();
        assert_eq!(state.check(0, &ip_rules(1, 1, 0)), Decision::Allowed);
        let one_rule = CheckRequest {
            rules: vec![Rule {
                window_secs: 60,
                limit: 1,
                blocks: false,
            }],
            block_secs: 0,
        };
        assert_eq!(state.check(10, &one_rule), Decision::Allowed);
        assert_eq!(
            state.check(20, &one_rule),
            Decision::Limited { retry_after: 60 }
        );
    }
}
