//! The guess budget: how many OPRF evaluations (`POST /salt`) an address gets per clock hour and per
//! UTC day (`GUESSES_PER_ADDRESS_PER_HOUR`, `GUESSES_PER_ADDRESS_PER_DAY`). Each evaluation is one
//! online password guess, the only kind v2 leaves, so this is the limit on guessing a password.
//!
//! Unlike every other limit, it is counted per address alone, whoever asks and whether or not the
//! address has an account (counting only addresses with accounts would tell which have one). So
//! anyone can spend an address's budget; the owner is not locked out for good because:
//! - a successful signed request of the account (sign-in, signed change, disable) resets it;
//! - the owner can ask for a salt ticket by email ([`crate::ticket`]), which evaluates a few more
//!   times past a spent budget;
//! - the windows end on the clock (the `Retry-After` of the refusal).
//!
//! The count is one D1 upsert per evaluation (`store::Store::spend_guess`); this module holds its
//! arithmetic, which is tested natively.

/// Seconds in the hourly window.
pub const HOUR_SECS: i64 = 3600;
/// Seconds in the daily window.
pub const DAY_SECS: i64 = 86_400;

/// The windows an evaluation at `now` counts in: Unix seconds / 3600 and / 86400.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// The clock hour.
    pub hour: i64,
    /// The UTC day.
    pub day: i64,
}

impl Windows {
    /// The windows of `now`.
    pub const fn at(now: i64) -> Self {
        Self {
            hour: now.div_euclid(HOUR_SECS),
            day: now.div_euclid(DAY_SECS),
        }
    }
}

/// The budget per address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Evaluations per clock hour.
    pub per_hour: u32,
    /// Evaluations per UTC day.
    pub per_day: u32,
}

/// An address's evaluations in the current windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Counts {
    /// In the current hour.
    pub hour_count: i64,
    /// In the current day.
    pub day_count: i64,
}

impl Limits {
    /// Seconds from `now` until the address may be evaluated again, when `counts` fill a window:
    /// the end of the full window, the later one when both are full. `None` when neither is full.
    pub fn retry_after(self, counts: Counts, now: i64) -> Option<u64> {
        let windows = Windows::at(now);
        let hour_full = counts.hour_count >= i64::from(self.per_hour);
        let day_full = counts.day_count >= i64::from(self.per_day);
        let end = if day_full {
            (windows.day + 1) * DAY_SECS
        } else if hour_full {
            (windows.hour + 1) * HOUR_SECS
        } else {
            return None;
        };
        Some(crate::limits::retry_after(end, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        per_hour: 10,
        per_day: 30,
    };

    fn counts(hour_count: i64, day_count: i64) -> Counts {
        Counts {
            hour_count,
            day_count,
        }
    }

    #[test]
    fn windows_are_aligned_on_the_clock() {
        assert_eq!(Windows::at(0), Windows { hour: 0, day: 0 });
        assert_eq!(Windows::at(3599), Windows { hour: 0, day: 0 });
        assert_eq!(Windows::at(3600), Windows { hour: 1, day: 0 });
        assert_eq!(Windows::at(86_400), Windows { hour: 24, day: 1 });
    }

    #[test]
    fn retry_after_is_the_end_of_the_full_window() {
        let now = 86_400 * 10 + 3600 * 5 + 600;
        assert_eq!(LIMITS.retry_after(counts(9, 29), now), None);
        assert_eq!(LIMITS.retry_after(counts(10, 12), now), Some(3000));
        assert_eq!(
            LIMITS.retry_after(counts(3, 30), now),
            Some(86_400 - 3600 * 5 - 600)
        );
        assert_eq!(
            LIMITS.retry_after(counts(10, 30), now),
            Some(86_400 - 3600 * 5 - 600),
            "both full: the later end"
        );
        assert_eq!(LIMITS.retry_after(counts(10, 10), 3600 - 1), Some(1));
    }
}
