//! Every name the worker looks up in its environment, in one place: the bindings wrangler.toml
//! declares ([`Binding`]) and the vars and secrets it is configured with ([`Setting`]). A test holds
//! them to wrangler.toml and .dev.vars.example. On wasm32, [`config`] reads the settings once per
//! isolate for every handler (fetch and the queue consumer alike).

/// A binding of wrangler.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    /// D1: accounts, confirmations, replay records, audit, undelivered messages.
    Db,
    /// The rate-limiter Durable Object namespace.
    RateLimiter,
    /// KV: a cache of blocked client groups.
    BlockedIps,
    /// The static pages.
    Assets,
    /// The queue producer of confirmation deliveries.
    Confirmations,
}

impl Binding {
    /// Every binding.
    pub const ALL: [Binding; 5] = [
        Self::Db,
        Self::RateLimiter,
        Self::BlockedIps,
        Self::Assets,
        Self::Confirmations,
    ];

    /// The name wrangler.toml gives it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Db => "DB",
            Self::RateLimiter => "RATE_LIMITER",
            Self::BlockedIps => "BLOCKED_IPS",
            Self::Assets => "ASSETS",
            Self::Confirmations => "CONFIRMATIONS",
        }
    }
}

/// A var (wrangler.toml `[vars]`) or a secret (`wrangler secret put`; locally `.dev.vars`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    /// The service's origin: every token's `aud`.
    PublicUri,
    /// Where confirmation messages are POSTed.
    ConfirmationUri,
    /// Lifetime of a confirmation, seconds.
    ConfirmationTtl,
    /// Per-IP calls per second.
    MaxCallsPerSecond,
    /// Per-IP calls per minute.
    MaxCallsPerMinute,
    /// Hours an IP over the per-minute limit stays blocked.
    BlockIpsFor,
    /// Salt answers per address per minute.
    MaxSaltsPerAddressPerMinute,
    /// Confirmation emails per address per hour.
    MaxEmailsPerAddressPerHour,
    /// Confirm attempts per address per hour.
    MaxConfirmsPerAddressPerHour,
    /// First redelivery delay, seconds.
    DeliveryRetryBaseSecs,
    /// Secret: HMAC key of the salts and the keyed hashes.
    SaltSecret,
    /// Secret: HMAC key of the delivery signature.
    ConfirmationSecret,
    /// Secret: bearer token of the admin endpoints.
    AdminSecret,
}

impl Setting {
    /// Every setting.
    pub const ALL: [Setting; 13] = [
        Self::PublicUri,
        Self::ConfirmationUri,
        Self::ConfirmationTtl,
        Self::MaxCallsPerSecond,
        Self::MaxCallsPerMinute,
        Self::BlockIpsFor,
        Self::MaxSaltsPerAddressPerMinute,
        Self::MaxEmailsPerAddressPerHour,
        Self::MaxConfirmsPerAddressPerHour,
        Self::DeliveryRetryBaseSecs,
        Self::SaltSecret,
        Self::ConfirmationSecret,
        Self::AdminSecret,
    ];

    /// The variable's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::PublicUri => "PUBLIC_URI",
            Self::ConfirmationUri => "CONFIRMATION_URI",
            Self::ConfirmationTtl => "CONFIRMATION_TTL",
            Self::MaxCallsPerSecond => "MAX_CALLS_PER_SECOND",
            Self::MaxCallsPerMinute => "MAX_CALLS_PER_MINUTE",
            Self::BlockIpsFor => "BLOCK_IPS_FOR",
            Self::MaxSaltsPerAddressPerMinute => "MAX_SALTS_PER_ADDRESS_PER_MINUTE",
            Self::MaxEmailsPerAddressPerHour => "MAX_EMAILS_PER_ADDRESS_PER_HOUR",
            Self::MaxConfirmsPerAddressPerHour => "MAX_CONFIRMS_PER_ADDRESS_PER_HOUR",
            Self::DeliveryRetryBaseSecs => "DELIVERY_RETRY_BASE_SECS",
            Self::SaltSecret => "SALT_SECRET",
            Self::ConfirmationSecret => "CONFIRMATION_SECRET",
            Self::AdminSecret => "ADMIN_SECRET",
        }
    }

    /// Whether it is a secret (never in wrangler.toml).
    pub const fn is_secret(self) -> bool {
        matches!(
            self,
            Self::SaltSecret | Self::ConfirmationSecret | Self::AdminSecret
        )
    }
}

#[cfg(target_arch = "wasm32")]
pub use isolate::config;

#[cfg(target_arch = "wasm32")]
mod isolate {
    use super::Setting;
    use crate::config::{Config, ConfigError};
    use std::cell::RefCell;
    use worker::Env;

    thread_local! {
        /// The configuration, read once per isolate: vars and secrets are fixed for a deployed
        /// version, and a new version (or `wrangler secret put`) starts new isolates.
        static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
    }

    /// The configuration, from the cache or read and checked now (an unusable one is not cached, so
    /// each request reports it).
    pub fn config(env: &Env) -> Result<Config, ConfigError> {
        if let Some(config) = CONFIG.with(|cell| cell.borrow().clone()) {
            return Ok(config);
        }
        let lookup = |setting: Setting| env.var(setting.name()).ok().map(|v| v.to_string());
        let config = Config::from_lookup(lookup)?;
        CONFIG.with(|cell| *cell.borrow_mut() = Some(config.clone()));
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const WRANGLER: &str = include_str!("../../wrangler.toml");
    const DEV_VARS: &str = include_str!("../../.dev.vars.example");

    /// `(section, key, value)` of every `key = "value"` line of wrangler.toml.
    fn wrangler_entries() -> Vec<(&'static str, &'static str, &'static str)> {
        let mut section = "";
        let mut entries = Vec::new();
        for line in WRANGLER.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line;
            } else if let Some((key, value)) = line.split_once(" = ") {
                if let Some(value) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    entries.push((section, key, value));
                }
            }
        }
        entries
    }

    #[test]
    fn the_bindings_are_wranglers() {
        let declared: BTreeSet<_> = wrangler_entries()
            .into_iter()
            .filter(|(section, key, _)| {
                *key == "binding" || (*section == "[[durable_objects.bindings]]" && *key == "name")
            })
            .map(|(_, _, value)| value)
            .collect();
        let ours: BTreeSet<_> = Binding::ALL.iter().map(|b| b.name()).collect();
        assert_eq!(ours, declared);
    }

    #[test]
    fn the_vars_are_wranglers_and_the_secrets_are_in_the_development_example() {
        let vars: BTreeSet<_> = wrangler_entries()
            .into_iter()
            .filter(|(section, _, _)| *section == "[vars]")
            .map(|(_, key, _)| key)
            .collect();
        let ours: BTreeSet<_> = Setting::ALL
            .iter()
            .filter(|s| !s.is_secret())
            .map(|s| s.name())
            .collect();
        assert_eq!(ours, vars);
        for secret in Setting::ALL.iter().filter(|s| s.is_secret()) {
            let line = format!("\n{}=", secret.name());
            assert!(
                DEV_VARS.contains(&line),
                "{} not in .dev.vars.example",
                secret.name()
            );
            assert!(
                WRANGLER.contains(secret.name()),
                "{} not named in wrangler.toml",
                secret.name()
            );
        }
        let names: BTreeSet<_> = Setting::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), Setting::ALL.len());
    }
}
