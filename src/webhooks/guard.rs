//! Which endpoints a webhook may reach. A server that posts to any address
//! an admin types is a way into the firm's own network (the cloud metadata
//! service, an internal admin page), so an endpoint must be http(s) and every
//! address its host resolves to must be public, unless the deployment allows
//! private ones (`WEBHOOKS_ALLOW_PRIVATE`, for tests and closed networks).
//! The check runs at registration and again before every try, against the
//! very address the try then connects to, so a name that later resolves
//! elsewhere is caught too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// An endpoint address that passed the syntax checks.
pub struct Target {
    pub url: Url,
    host: String,
    port: u16,
}

/// Checks the form of an endpoint address: absolute http(s), a host, no
/// user name or password.
pub fn parse(raw: &str) -> Result<Target, String> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        format!("The endpoint address is not a URL ({e}); write it in full, for example https://ats.example.com/hooks/assay.")
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(format!(
            "The endpoint address must start with https:// (or http://), not {}:.",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Leave the user name and password out of the endpoint address: every delivery is signed instead.".into(),
        );
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => return Err("The endpoint address has no host name.".into()),
    };
    let port = url.port_or_known_default().unwrap_or(443);
    Ok(Target { url, host, port })
}

/// Whether an address is on this machine or a private, link-local or
/// otherwise non-public network.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 224
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments().first().copied().unwrap_or(0);
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

/// Resolves the endpoint's host and returns the address to connect to,
/// refusing a private one unless `allow_private`.
pub async fn resolve(target: &Target, allow_private: bool) -> Result<SocketAddr, String> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| format!("The endpoint's host {} could not be found: {e}.", target.host))?
        .collect();
    let Some(first) = found.first().copied() else {
        return Err(format!("The endpoint's host {} has no address.", target.host));
    };
    if !allow_private {
        if let Some(bad) = found.iter().find(|a| is_private(a.ip())) {
            return Err(format!(
                "The endpoint's host {} resolves to {}, a loopback or private address; webhooks go only to public addresses.",
                target.host,
                bad.ip()
            ));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn an_endpoint_must_be_http_with_a_host_and_no_password() {
        assert!(parse("ftp://example.com/x").is_err());
        assert!(parse("https://user:pw@example.com/x").is_err());
        assert!(parse("not a url").is_err());
        assert_eq!(parse("https://example.com/hook").map(|t| t.port).ok(), Some(443));
    }
}
