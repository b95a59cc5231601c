//! Every name the worker looks up in its environment, in one place: the bindings wrangler.toml
//! declares ([`Binding`]) and the vars and secrets it is configured with ([`Setting`]). A test holds
//! them to wrangler.toml and .dev.vars.example. On wasm32, [`config`] reads the settings once per
//! isolate for every handler (fetch and the queue consumer alike).

protocol::vocabulary! {
    /// A binding of wrangler.toml.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Binding {
        /// The name wrangler.toml gives it.
        fn name;
        /// D1: accounts, confirmations, replay records, audit, undelivered messages.
        Db => "DB",
        /// Rate Limiting: every request of a client group, per 10 seconds.
        ClientBurst => "CLIENT_BURST",
        /// Rate Limiting: every request of a client group, per minute; over it blocks the group.
        ClientMinute => "CLIENT_MINUTE",
        /// Rate Limiting: refused attempts of a client group, per minute; over it blocks the group.
        ClientFailures => "CLIENT_FAILURES",
        /// Rate Limiting: OPRF evaluations (`POST /salt`) of a client group across addresses, per minute.
        SaltEvaluations => "SALT_EVALUATIONS",
        /// KV: a cache of blocked client groups.
        BlockedIps => "BLOCKED_IPS",
        /// The static pages.
        Assets => "ASSETS",
        /// The queue producer of confirmation deliveries.
        Confirmations => "CONFIRMATIONS",
    }
}

protocol::vocabulary! {
    /// A var (wrangler.toml `[vars]`) or a secret (`wrangler secret put`; locally `.dev.vars`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Setting {
        /// The variable's name.
        fn name;
        /// The service's origin: every token's `aud`.
        PublicUri => "PUBLIC_URI",
        /// Where confirmation messages are POSTed.
        ConfirmationUri => "CONFIRMATION_URI",
        /// Lifetime of a confirmation, seconds.
        ConfirmationTtl => "CONFIRMATION_TTL",
        /// Hours a blocked client group stays blocked.
        BlockIpsFor => "BLOCK_IPS_FOR",
        /// Confirmation emails per address per client group per hour.
        MaxEmailsPerAddressPerClientPerHour => "MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR",
        /// Confirmation emails per address per hour, from all client groups together.
        MaxEmailsPerAddressPerHour => "MAX_EMAILS_PER_ADDRESS_PER_HOUR",
        /// First redelivery delay, seconds.
        DeliveryRetryBaseSecs => "DELIVERY_RETRY_BASE_SECS",
        /// OPRF evaluations per address per clock hour.
        GuessesPerAddressPerHour => "GUESSES_PER_ADDRESS_PER_HOUR",
        /// OPRF evaluations per address per UTC day.
        GuessesPerAddressPerDay => "GUESSES_PER_ADDRESS_PER_DAY",
        /// `on` or `off`: whether version-1 keys may still sign.
        LegacySignIn => "LEGACY_SIGN_IN",
        /// Seconds a session may go unused before it ends.
        SessionIdleSecs => "SESSION_IDLE_SECS",
        /// Seconds after its creation a session ends, however often it is used.
        SessionMaxSecs => "SESSION_MAX_SECS",
        /// Secret: HMAC key of the salts and the keyed hashes.
        SaltSecret => "SALT_SECRET",
        /// Secret: HMAC key of the delivery signature.
        ConfirmationSecret => "CONFIRMATION_SECRET",
        /// Secret: bearer token of the admin endpoints.
        AdminSecret => "ADMIN_SECRET",
        /// Secret: 32 bytes in hex, the seed of every address's OPRF key.
        OprfSeed => "OPRF_SEED",
    }
}

impl Setting {
    /// Whether it is a secret (never in wrangler.toml).
    pub const fn is_secret(self) -> bool {
        matches!(
            self,
            Self::SaltSecret | Self::ConfirmationSecret | Self::AdminSecret | Self::OprfSeed
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
                *key == "binding" || (*section == "[[ratelimits]]" && *key == "name")
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
