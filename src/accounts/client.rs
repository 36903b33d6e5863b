//! Who is on the other end of the connection, as far as the sign-in
//! throttle is concerned.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::app::AppState;
use crate::error::AppError;

/// A client address as the throttle counts it: an IPv4 address, or the /64
/// network of an IPv6 one (one subscriber usually holds a whole /64, so
/// counting single IPv6 addresses would let one machine rotate past the
/// limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(String);

impl ClientAddr {
    pub fn from_ip(ip: IpAddr) -> ClientAddr {
        match ip {
            IpAddr::V4(v4) => ClientAddr(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddr(v4.to_string()),
                None => {
                    let s = v6.segments();
                    ClientAddr(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }

    /// The connection's peer, or with `trust_proxy` the address the proxy
    /// in front saw: the last entry of `X-Forwarded-For`, which that proxy
    /// appended. Entries before it are whatever the client chose to send.
    pub fn of_request(req: &HttpRequest, trust_proxy: bool) -> ClientAddr {
        if trust_proxy {
            let forwarded = req
                .headers()
                .get_all("X-Forwarded-For")
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",");
            if let Some(ip) = forwarded
                .rsplit(',')
                .map(str::trim)
                .find(|s| !s.is_empty())
                .and_then(|s| s.parse::<IpAddr>().ok())
            {
                return ClientAddr::from_ip(ip);
            }
        }
        match req.peer_addr() {
            Some(addr) => ClientAddr::from_ip(addr.ip()),
            // Only a test request built without a socket has no peer.
            None => ClientAddr("unknown".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = Ready<Result<ClientAddr, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.config.trust_proxy);
        ready(Ok(ClientAddr::of_request(req, trust_proxy)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn ipv6_addresses_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        assert_eq!(ClientAddr::from_ip(a), ClientAddr::from_ip(b));
        assert_eq!(ClientAddr::from_ip(a).as_str(), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(ClientAddr::from_ip(mapped).as_str(), "192.0.2.7");
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted_and_then_its_last_entry() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().expect("peer"))
            .insert_header(("X-Forwarded-For", "203.0.113.9, 198.51.100.4"))
            .to_http_request();
        assert_eq!(ClientAddr::of_request(&req, false).as_str(), "10.0.0.1");
        assert_eq!(ClientAddr::of_request(&req, true).as_str(), "198.51.100.4");
        let garbage = TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().expect("peer"))
            .insert_header(("X-Forwarded-For", "not an address"))
            .to_http_request();
        assert_eq!(ClientAddr::of_request(&garbage, true).as_str(), "10.0.0.1");
    }
}
