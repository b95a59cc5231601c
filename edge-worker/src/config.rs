//! Configuration: the vars of wrangler.toml and the four secrets ([`Setting`]), read and checked
//! once per isolate (`bindings::config`).
//!
//! The worker refuses to serve (503 `misconfigured`) when a secret is missing, when `OPRF_SEED` is
//! not exactly 64 hex characters, or, unless `PUBLIC_URI` is a loopback URL (local development), when
//! a secret is one of the published development values or shorter than [`MIN_SECRET_BYTES`].

use crate::bindings::Setting;
use core::fmt;

/// Shortest secret accepted outside local development, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The values `.dev.vars.example` publishes. They are refused outside local development.
pub const DEVELOPMENT_SECRETS: [&str; 4] = [
    "local-development-salt-secret-not-for-production",
    "local-development-confirmation-secret-not-for-production",
    "local-development-admin-secret-not-for-production",
    DEVELOPMENT_OPRF_SEED,
];

/// The `OPRF_SEED` of `.dev.vars.example`: the hex of "local-dev-oprf-seed-not-for-prod".
pub const DEVELOPMENT_OPRF_SEED: &str =
    "6c6f63616c2d6465762d6f7072662d736565642d6e6f742d666f722d70726f64";

/// Bytes of `OPRF_SEED` (written as twice as many hex characters).
pub const OPRF_SEED_BYTES: usize = 32;

/// Everything the worker is configured with.
#[derive(Clone)]
pub struct Config {
    /// The service's origin, exactly as tokens carry it in `aud` (no trailing slash).
    pub public_uri: String,
    /// Where the queue consumer POSTs confirmation messages.
    pub confirmation_uri: String,
    /// Lifetime of a confirmation token, seconds.
    pub confirmation_ttl: i64,
    /// How long a client group over `CLIENT_MINUTE` or `CLIENT_FAILURES` stays blocked, seconds.
    pub block_ips_for_secs: i64,
    /// Confirmation emails (signup and recovery) per address per client group per hour.
    pub max_emails_per_address_per_client_per_hour: u32,
    /// Confirmation emails per address per hour, all client groups together.
    pub max_emails_per_address_per_hour: u32,
    /// First redelivery delay when the mail system fails, seconds (doubles each attempt).
    pub delivery_retry_base_secs: u32,
    /// OPRF evaluations per address per clock hour (the guess budget).
    pub guesses_per_address_per_hour: u32,
    /// OPRF evaluations per address per UTC day.
    pub guesses_per_address_per_day: u32,
    /// Whether keys of the version-1 derivation may still sign (`LEGACY_SIGN_IN`).
    pub legacy_sign_in: LegacySignIn,
    /// How long sessions last (`SESSION_IDLE_SECS`, `SESSION_MAX_SECS`).
    pub session_lifetime: SessionLifetime,
    /// The seed every address's OPRF key is derived from.
    pub oprf_seed: OprfSeed,
    /// HMAC key of the per-address salts.
    pub salt_secret: Secret,
    /// HMAC key of the delivery signature.
    pub confirmation_secret: Secret,
    /// Bearer token of the admin endpoints.
    pub admin_secret: Secret,
}

/// A secret value; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The bytes, for keying MACs and comparisons.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// `OPRF_SEED`, decoded: the 32 bytes `protocol::salt::address_oprf_key` derives each address's key
/// from. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct OprfSeed([u8; OPRF_SEED_BYTES]);

impl OprfSeed {
    /// Exactly 64 hex characters (either case), as `openssl rand -hex 32` writes them.
    pub fn from_hex(text: &str) -> Option<Self> {
        let digits = text.as_bytes();
        if digits.len() != 2 * OPRF_SEED_BYTES {
            return None;
        }
        let mut bytes = [0u8; OPRF_SEED_BYTES];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let high = char::from(*pair.first()?).to_digit(16)?;
            let low = char::from(*pair.get(1)?).to_digit(16)?;
            *byte = u8::try_from(high * 16 + low).ok()?;
        }
        Some(Self(bytes))
    }

    /// The seed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for OprfSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OprfSeed(..)")
    }
}

protocol::vocabulary! {
    /// `LEGACY_SIGN_IN`: whether keys derived the version-1 way (Argon2id of the password alone, which
    /// anyone holding a public key can attack offline) may still sign, so that their accounts can
    /// sign in and move to version 2. Off, they are refused with `legacy_key_retired`, and their
    /// owners move by recovery.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum LegacySignIn {
        /// The var's value.
        fn as_str, fn parse;
        /// Version-1 keys sign in (and can only move to version 2 through the inbox).
        On => "on",
        /// Version-1 keys are refused.
        Off => "off",
    }
}

impl LegacySignIn {
    /// Whether version-1 keys are accepted.
    pub const fn accepts_legacy_keys(self) -> bool {
        matches!(self, Self::On)
    }
}

/// How long a session lasts: it ends `idle` seconds after its last use, and `max` seconds after its
/// creation whatever its use. `60 <= idle <= max <= 365 days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLifetime {
    /// `SESSION_IDLE_SECS`.
    pub idle: i64,
    /// `SESSION_MAX_SECS`.
    pub max: i64,
}

impl SessionLifetime {
    /// The longest `SESSION_MAX_SECS`: a year.
    pub const LONGEST: u32 = 365 * 24 * 3600;

    /// `(idle_expires_at, expires_at)` of a session created at `now`.
    pub const fn expiries_from(self, now: i64) -> (i64, i64) {
        (now.saturating_add(self.idle), now.saturating_add(self.max))
    }
}

/// Why the configuration cannot be used. Names the variable, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required secret is not set or empty.
    MissingSecret(Setting),
    /// A secret is a published development value or too short, outside local development.
    WeakSecret(Setting),
    /// A secret does not have its required form (`OPRF_SEED`: 64 hex characters).
    MalformedSecret(Setting),
    /// A var does not parse or is out of range.
    InvalidVar(Setting),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSecret(setting) => write!(f, "secret {} is not set", setting.name()),
            Self::WeakSecret(setting) => write!(
                f,
                "secret {} is a development value or shorter than {MIN_SECRET_BYTES} bytes",
                setting.name()
            ),
            Self::MalformedSecret(setting) => {
                write!(
                    f,
                    "secret {} does not have its required form",
                    setting.name()
                )
            }
            Self::InvalidVar(setting) => {
                write!(f, "var {} is missing or out of range", setting.name())
            }
        }
    }
}

/// Defaults of the optional vars (wrangler.toml repeats them).
pub mod defaults {
    /// `CONFIRMATION_TTL`.
    pub const CONFIRMATION_TTL: i64 = 3600;
    /// `BLOCK_IPS_FOR`, hours.
    pub const BLOCK_IPS_FOR_HOURS: i64 = 1;
    /// `MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR`.
    pub const MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR: u32 = 3;
    /// `MAX_EMAILS_PER_ADDRESS_PER_HOUR`.
    pub const MAX_EMAILS_PER_ADDRESS_PER_HOUR: u32 = 30;
    /// `DELIVERY_RETRY_BASE_SECS`.
    pub const DELIVERY_RETRY_BASE_SECS: u32 = 10;
    /// `GUESSES_PER_ADDRESS_PER_HOUR`.
    pub const GUESSES_PER_ADDRESS_PER_HOUR: u32 = 10;
    /// `GUESSES_PER_ADDRESS_PER_DAY`.
    pub const GUESSES_PER_ADDRESS_PER_DAY: u32 = 30;
    /// `LEGACY_SIGN_IN`.
    pub const LEGACY_SIGN_IN: super::LegacySignIn = super::LegacySignIn::On;
    /// `SESSION_IDLE_SECS`: 12 hours.
    pub const SESSION_IDLE_SECS: u32 = 12 * 3600;
    /// `SESSION_MAX_SECS`: 7 days.
    pub const SESSION_MAX_SECS: u32 = 7 * 24 * 3600;
}

impl Config {
    /// Reads the configuration through `lookup` (the worker's env in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(Setting) -> Option<String>) -> Result<Self, ConfigError> {
        let public_uri = lookup(Setting::PublicUri)
            .filter(|uri| is_origin_uri(uri))
            .ok_or(ConfigError::InvalidVar(Setting::PublicUri))?;
        let confirmation_uri = lookup(Setting::ConfirmationUri)
            .filter(|uri| is_http_uri(uri))
            .ok_or(ConfigError::InvalidVar(Setting::ConfirmationUri))?;
        let local = is_local_development(&public_uri);
        let secret = |setting: Setting| -> Result<Secret, ConfigError> {
            let value = lookup(setting)
                .filter(|value| !value.is_empty())
                .ok_or(ConfigError::MissingSecret(setting))?;
            let weak =
                DEVELOPMENT_SECRETS.contains(&value.as_str()) || value.len() < MIN_SECRET_BYTES;
            if weak && !local {
                return Err(ConfigError::WeakSecret(setting));
            }
            Ok(Secret(value))
        };
        let number = |setting: Setting, default: u32, min: u32, max: u32| {
            parse_number(lookup(setting), default, min, max).ok_or(ConfigError::InvalidVar(setting))
        };
        let salt_secret = secret(Setting::SaltSecret)?;
        let confirmation_secret = secret(Setting::ConfirmationSecret)?;
        let admin_secret = secret(Setting::AdminSecret)?;
        let oprf_seed = secret(Setting::OprfSeed)?;
        let oprf_seed = OprfSeed::from_hex(&oprf_seed.0)
            .ok_or(ConfigError::MalformedSecret(Setting::OprfSeed))?;
        // The published value in any letter case is still the published value.
        if !local && Some(&oprf_seed) == OprfSeed::from_hex(DEVELOPMENT_OPRF_SEED).as_ref() {
            return Err(ConfigError::WeakSecret(Setting::OprfSeed));
        }
        let legacy_sign_in = match lookup(Setting::LegacySignIn) {
            None => defaults::LEGACY_SIGN_IN,
            Some(text) => LegacySignIn::parse(text.trim())
                .ok_or(ConfigError::InvalidVar(Setting::LegacySignIn))?,
        };
        let guesses_per_address_per_hour = number(
            Setting::GuessesPerAddressPerHour,
            defaults::GUESSES_PER_ADDRESS_PER_HOUR,
            1,
            1_000_000,
        )?;
        // A day allowing fewer guesses than an hour would make the hourly budget meaningless.
        let guesses_per_address_per_day = number(
            Setting::GuessesPerAddressPerDay,
            defaults::GUESSES_PER_ADDRESS_PER_DAY,
            guesses_per_address_per_hour,
            24_000_000,
        )?;
        let session_idle = number(
            Setting::SessionIdleSecs,
            defaults::SESSION_IDLE_SECS,
            60,
            SessionLifetime::LONGEST,
        )?;
        // A session's idle limit is reached, at the latest, when the session ends anyway.
        let session_max = number(
            Setting::SessionMaxSecs,
            defaults::SESSION_MAX_SECS,
            session_idle,
            SessionLifetime::LONGEST,
        )?;
        let block_ips_for_secs = match lookup(Setting::BlockIpsFor) {
            None => defaults::BLOCK_IPS_FOR_HOURS * 3600,
            Some(text) => hours_to_secs(text.trim(), 720)
                .ok_or(ConfigError::InvalidVar(Setting::BlockIpsFor))?,
        };
        Ok(Self {
            confirmation_ttl: i64::from(number(
                Setting::ConfirmationTtl,
                defaults::CONFIRMATION_TTL as u32,
                60,
                7 * 24 * 3600,
            )?),
            block_ips_for_secs,
            max_emails_per_address_per_client_per_hour: number(
                Setting::MaxEmailsPerAddressPerClientPerHour,
                defaults::MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR,
                1,
                1_000_000,
            )?,
            max_emails_per_address_per_hour: number(
                Setting::MaxEmailsPerAddressPerHour,
                defaults::MAX_EMAILS_PER_ADDRESS_PER_HOUR,
                1,
                1_000_000,
            )?,
            delivery_retry_base_secs: number(
                Setting::DeliveryRetryBaseSecs,
                defaults::DELIVERY_RETRY_BASE_SECS,
                1,
                3600,
            )?,
            guesses_per_address_per_hour,
            guesses_per_address_per_day,
            legacy_sign_in,
            session_lifetime: SessionLifetime {
                idle: i64::from(session_idle),
                max: i64::from(session_max),
            },
            oprf_seed,
            salt_secret,
            confirmation_secret,
            admin_secret,
            public_uri,
            confirmation_uri,
        })
    }

    /// The origin browsers send in `Origin` for pages of this service (PUBLIC_URI is an origin).
    pub fn public_origin(&self) -> &str {
        &self.public_uri
    }
}

/// `BLOCK_IPS_FOR`: hours written as a decimal number (`1`, `0.5`, `.25`; at most 9 decimals and at
/// most `max_hours`) in whole seconds, rounded half up. Parsed exactly by hand: `parse::<f64>` would
/// bring core's float parser and its tables into the worker (about 17 KB of the .wasm, 14 KiB gzip)
/// for this one setting.
fn hours_to_secs(text: &str, max_hours: u64) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let number = |digits: &str| -> Option<u64> {
        match digits {
            "" => Some(0),
            _ if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok(),
            _ => None,
        }
    };
    if (whole.is_empty() && fraction.is_empty()) || fraction.len() > 9 {
        return None;
    }
    let scale = 10u64.pow(u32::try_from(fraction.len()).ok()?);
    let (whole, fraction) = (number(whole)?, number(fraction)?);
    if whole > max_hours || (whole == max_hours && fraction > 0) {
        return None;
    }
    let units = whole
        .checked_mul(scale)?
        .checked_add(fraction)?
        .checked_mul(3600)?;
    i64::try_from(units.checked_add(scale / 2)? / scale).ok()
}

fn parse_number(text: Option<String>, default: u32, min: u32, max: u32) -> Option<u32> {
    match text {
        None => Some(default),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n)),
    }
}

/// `http(s)://host[:port]` with nothing after it: the form of an origin, which is what `aud` carries.
pub fn is_origin_uri(uri: &str) -> bool {
    let Some(rest) = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        && !rest.bytes().any(|b| b.is_ascii_uppercase())
}

fn is_http_uri(uri: &str) -> bool {
    (uri.starts_with("https://") || uri.starts_with("http://"))
        && !uri
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
}

/// Whether `public_uri` names this machine (`localhost`, `127.0.0.1` or `[::1]`, any port): only then
/// are development secrets accepted.
pub fn is_local_development(public_uri: &str) -> bool {
    let Some(host_port) = public_uri
        .strip_prefix("http://")
        .or_else(|| public_uri.strip_prefix("https://"))
    else {
        return false;
    };
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().map(|h| format!("[{h}]"))
    } else {
        host_port.split(':').next().map(str::to_owned)
    };
    matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(public_uri: &str, secrets: [&str; 4]) -> HashMap<&'static str, String> {
        HashMap::from([
            ("PUBLIC_URI", public_uri.to_owned()),
            (
                "CONFIRMATION_URI",
                "http://127.0.0.1:8025/messages".to_owned(),
            ),
            ("SALT_SECRET", secrets[0].to_owned()),
            ("CONFIRMATION_SECRET", secrets[1].to_owned()),
            ("ADMIN_SECRET", secrets[2].to_owned()),
            ("OPRF_SEED", secrets[3].to_owned()),
        ])
    }

    fn load(map: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|setting| map.get(setting.name()).cloned())
    }

    const STRONG: [&str; 4] = [
        "0123456789abcdef0123456789abcdef-salt",
        "0123456789abcdef0123456789abcdef-confirm",
        "0123456789abcdef0123456789abcdef-admin",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ];

    #[test]
    fn development_secrets_only_on_loopback() {
        for local in [
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
        ] {
            assert!(load(&vars(local, DEVELOPMENT_SECRETS)).is_ok(), "{local}");
        }
        for remote in [
            "https://notary.example",
            "https://localhost.example",
            "https://127.0.0.1.example",
        ] {
            assert_eq!(
                load(&vars(remote, DEVELOPMENT_SECRETS)).err(),
                Some(ConfigError::WeakSecret(Setting::SaltSecret)),
                "{remote}"
            );
            assert!(load(&vars(remote, STRONG)).is_ok());
        }
        let short = ["short", STRONG[1], STRONG[2], STRONG[3]];
        assert_eq!(
            load(&vars("https://notary.example", short)).err(),
            Some(ConfigError::WeakSecret(Setting::SaltSecret))
        );
    }

    #[test]
    fn the_oprf_seed_is_64_hex_characters_and_never_the_published_one_outside_loopback() {
        let remote = "https://notary.example";
        let with_seed = |public_uri: &str, seed: &str| {
            let mut map = vars(public_uri, STRONG);
            map.insert("OPRF_SEED", seed.to_owned());
            load(&map)
        };
        let config = with_seed(remote, STRONG[3]).unwrap();
        assert_eq!(config.oprf_seed.as_bytes()[..3], [0x9f, 0x86, 0xd0]);
        assert_eq!(
            with_seed(remote, &STRONG[3].to_uppercase())
                .unwrap()
                .oprf_seed,
            config.oprf_seed
        );
        assert_eq!(
            with_seed(remote, DEVELOPMENT_OPRF_SEED).err(),
            Some(ConfigError::WeakSecret(Setting::OprfSeed))
        );
        assert_eq!(
            with_seed(remote, &DEVELOPMENT_OPRF_SEED.to_uppercase()).err(),
            Some(ConfigError::WeakSecret(Setting::OprfSeed))
        );
        assert!(with_seed("http://127.0.0.1:8787", DEVELOPMENT_OPRF_SEED).is_ok());
        for malformed in [
            &STRONG[3][..62],
            &format!("{}00", STRONG[3]),
            &format!("{}zz", &STRONG[3][..62]),
            &format!("+{}", &STRONG[3][1..]),
            "local-development-oprf-seed-not-for-production-local-development",
        ] {
            for public_uri in [remote, "http://127.0.0.1:8787"] {
                assert_eq!(
                    with_seed(public_uri, malformed).err(),
                    Some(ConfigError::MalformedSecret(Setting::OprfSeed)),
                    "{malformed}"
                );
            }
        }
        assert_eq!(
            with_seed(remote, "").err(),
            Some(ConfigError::MissingSecret(Setting::OprfSeed))
        );
        assert_eq!(
            format!("{:?}", config.oprf_seed),
            "OprfSeed(..)",
            "never shown"
        );
    }

    #[test]
    fn session_lifetimes_default_to_12_hours_idle_and_7_days_in_all_and_idle_never_exceeds_all() {
        let mut map = vars("https://notary.example", STRONG);
        let lifetime = load(&map).unwrap().session_lifetime;
        assert_eq!((lifetime.idle, lifetime.max), (43_200, 604_800));
        assert_eq!(lifetime.expiries_from(1_000), (44_200, 605_800));
        map.insert("SESSION_IDLE_SECS", "60".into());
        map.insert("SESSION_MAX_SECS", "60".into());
        assert_eq!(load(&map).unwrap().session_lifetime.max, 60);
        for (name, bad) in [
            ("SESSION_MAX_SECS", "59"),
            ("SESSION_MAX_SECS", "31536001"),
            ("SESSION_IDLE_SECS", "59"),
            ("SESSION_IDLE_SECS", "12h"),
        ] {
            let mut map = map.clone();
            map.insert(name, bad.into());
            let setting = Setting::ALL.into_iter().find(|s| s.name() == name).unwrap();
            assert_eq!(
                load(&map).err(),
                Some(ConfigError::InvalidVar(setting)),
                "{name}={bad}"
            );
        }
        map.insert("SESSION_IDLE_SECS", "120".into());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::InvalidVar(Setting::SessionMaxSecs)),
            "idle longer than the whole session"
        );
    }

    #[test]
    fn legacy_sign_in_and_the_guess_budget() {
        let mut map = vars("https://notary.example", STRONG);
        let config = load(&map).unwrap();
        assert_eq!(config.legacy_sign_in, LegacySignIn::On);
        assert!(config.legacy_sign_in.accepts_legacy_keys());
        assert_eq!(
            (
                config.guesses_per_address_per_hour,
                config.guesses_per_address_per_day
            ),
            (10, 30)
        );
        map.insert("LEGACY_SIGN_IN", "off".into());
        assert!(!load(&map).unwrap().legacy_sign_in.accepts_legacy_keys());
        for bad in ["Off", "false", "0", ""] {
            map.insert("LEGACY_SIGN_IN", bad.into());
            assert_eq!(
                load(&map).err(),
                Some(ConfigError::InvalidVar(Setting::LegacySignIn)),
                "{bad}"
            );
        }
        map.remove("LEGACY_SIGN_IN");
        map.insert("GUESSES_PER_ADDRESS_PER_HOUR", "5".into());
        map.insert("GUESSES_PER_ADDRESS_PER_DAY", "5".into());
        assert!(load(&map).is_ok());
        map.insert("GUESSES_PER_ADDRESS_PER_DAY", "4".into());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::InvalidVar(Setting::GuessesPerAddressPerDay))
        );
        map.insert("GUESSES_PER_ADDRESS_PER_HOUR", "0".into());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::InvalidVar(Setting::GuessesPerAddressPerHour))
        );
    }

    #[test]
    fn missing_secrets_are_refused_everywhere() {
        let mut map = vars("http://127.0.0.1:8787", DEVELOPMENT_SECRETS);
        map.remove("ADMIN_SECRET");
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::MissingSecret(Setting::AdminSecret))
        );
        map.insert("ADMIN_SECRET", String::new());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::MissingSecret(Setting::AdminSecret))
        );
    }

    #[test]
    fn defaults_and_ranges() {
        let mut map = vars("https://notary.example", STRONG);
        let config = load(&map).unwrap();
        assert_eq!(config.confirmation_ttl, 3600);
        assert_eq!(config.max_emails_per_address_per_client_per_hour, 3);
        assert_eq!(config.max_emails_per_address_per_hour, 30);
        assert_eq!(config.block_ips_for_secs, 3600);
        map.insert("BLOCK_IPS_FOR", "0.001".into());
        map.insert("CONFIRMATION_TTL", "120".into());
        let config = load(&map).unwrap();
        assert_eq!(config.block_ips_for_secs, 4);
        assert_eq!(config.confirmation_ttl, 120);
        map.insert("MAX_EMAILS_PER_ADDRESS_PER_HOUR", "0".into());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::InvalidVar(Setting::MaxEmailsPerAddressPerHour))
        );
        map.insert("MAX_EMAILS_PER_ADDRESS_PER_HOUR", "ten".into());
        assert!(load(&map).is_err());
    }

    #[test]
    fn block_hours_are_exact_decimal_hours() {
        for (text, secs) in [
            ("0", 0),
            ("1", 3600),
            ("0.5", 1800),
            (".25", 900),
            ("2.", 7200),
            ("0.001", 4),
            ("0.000125", 0),
            ("0.000139", 1),
            ("720", 720 * 3600),
            ("720.000000000", 720 * 3600),
            ("0.000000001", 0),
        ] {
            assert_eq!(hours_to_secs(text, 720), Some(secs), "{text}");
        }
        for text in [
            "",
            ".",
            "-1",
            "+1",
            "1e2",
            "1.5.0",
            " 1",
            "720.1",
            "721",
            "0.0000000001",
            "inf",
            "NaN",
            "1,5",
            "99999999999999999999999",
        ] {
            assert_eq!(hours_to_secs(text, 720), None, "{text}");
        }
        let mut map = vars("https://notary.example", STRONG);
        map.insert("BLOCK_IPS_FOR", " 0.5 ".into());
        assert_eq!(load(&map).unwrap().block_ips_for_secs, 1800);
        map.insert("BLOCK_IPS_FOR", "1e2".into());
        assert_eq!(
            load(&map).err(),
            Some(ConfigError::InvalidVar(Setting::BlockIpsFor))
        );
    }

    #[test]
    fn public_uri_must_be_an_origin() {
        for bad in [
            "https://notary.example/",
            "https://notary.example/path",
            "ftp://notary.example",
            "https://Notary.example",
            "notary.example",
            "https://",
        ] {
            assert_eq!(
                load(&vars(bad, STRONG)).err(),
                Some(ConfigError::InvalidVar(Setting::PublicUri)),
                "{bad}"
            );
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(..)");
    }
}
