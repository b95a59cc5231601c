//! Configuration: the vars of wrangler.toml and the three secrets ([`Setting`]), read and checked
//! once per isolate (`bindings::config`).
//!
//! The worker refuses to serve (503 `misconfigured`) when a secret is missing, or, unless `PUBLIC_URI`
//! is a loopback URL (local development), when a secret is one of the published development values or
//! shorter than [`MIN_SECRET_BYTES`].

use crate::bindings::Setting;
use core::fmt;

/// Shortest secret accepted outside local development, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The values `.dev.vars.example` publishes. They are refused outside local development.
pub const DEVELOPMENT_SECRETS: [&str; 3] = [
    "local-development-salt-secret-not-for-production",
    "local-development-confirmation-secret-not-for-production",
    "local-development-admin-secret-not-for-production",
];

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

/// Why the configuration cannot be used. Names the variable, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required secret is not set or empty.
    MissingSecret(Setting),
    /// A secret is a published development value or too short, outside local development.
    WeakSecret(Setting),
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
            salt_secret: secret(Setting::SaltSecret)?,
            confirmation_secret: secret(Setting::ConfirmationSecret)?,
            admin_secret: secret(Setting::AdminSecret)?,
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

    fn vars(public_uri: &str, secrets: [&str; 3]) -> HashMap<&'static str, String> {
        HashMap::from([
            ("PUBLIC_URI", public_uri.to_owned()),
            (
                "CONFIRMATION_URI",
                "http://127.0.0.1:8025/messages".to_owned(),
            ),
            ("SALT_SECRET", secrets[0].to_owned()),
            ("CONFIRMATION_SECRET", secrets[1].to_owned()),
            ("ADMIN_SECRET", secrets[2].to_owned()),
        ])
    }

    fn load(map: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|setting| map.get(setting.name()).cloned())
    }

    const STRONG: [&str; 3] = [
        "0123456789abcdef0123456789abcdef-salt",
        "0123456789abcdef0123456789abcdef-confirm",
        "0123456789abcdef0123456789abcdef-admin",
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
        let short = ["short", STRONG[1], STRONG[2]];
        assert_eq!(
            load(&vars("https://notary.example", short)).err(),
            Some(ConfigError::WeakSecret(Setting::SaltSecret))
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
