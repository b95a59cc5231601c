//! Which client a request counts against: `CF-Connecting-IP` only (Cloudflare sets it; headers such as
//! `X-Forwarded-For` are written by the client and are never read), with IPv6 grouped by /64 because
//! one subscriber usually holds a whole /64.

use std::net::{IpAddr, Ipv6Addr};

/// The rate-limit group of a `CF-Connecting-IP` value: the IPv4 address, the IPv6 /64 prefix, or one
/// shared group for a missing or unparsable header.
pub fn client_group(cf_connecting_ip: Option<&str>) -> String {
    match cf_connecting_ip.and_then(|text| text.trim().parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_ipv6_by_64_and_keeps_ipv4() {
        assert_eq!(client_group(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(
            client_group(Some("2001:db8:1:2:aaaa::1")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_group(Some("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            client_group(Some("2001:db8:1:3::1")),
            client_group(Some("2001:db8:1:2::1"))
        );
        assert_eq!(client_group(Some("::ffff:198.51.100.1")), "198.51.100.1");
    }

    #[test]
    fn missing_or_garbage_share_one_group() {
        assert_eq!(client_group(None), "unknown");
        assert_eq!(client_group(Some("not an ip")), "unknown");
        assert_eq!(client_group(Some("1.2.3.4, 5.6.7.8")), "unknown");
    }
}
