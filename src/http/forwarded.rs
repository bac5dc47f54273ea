//! What a request says of where it came from, believed only from a trusted proxy
//! ([`TrustedProxies`]): whether the shopper's connection was HTTPS, and the client's address.
//! carstore itself serves plain HTTP, so HTTPS always means a proxy in front said so.

use crate::config::TrustedProxies;
use actix_web::HttpRequest;
use std::net::{IpAddr, Ipv4Addr};

fn peer(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

/// The proxy in front said the shopper's connection was HTTPS.
pub fn over_https(req: &HttpRequest, proxies: &TrustedProxies) -> bool {
    if !proxies.trusts(peer(req)) {
        return false;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let forwarded_proto = header("x-forwarded-proto")
        .and_then(|v| v.split(',').next())
        .map(str::trim);
    let standard = header("forwarded").and_then(|v| {
        v.split([';', ',']).map(str::trim).find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.eq_ignore_ascii_case("proto")
                .then(|| value.trim_matches('"'))
        })
    });
    forwarded_proto
        .or(standard)
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The client's address: the TCP peer, or behind trusted proxies the last address in
/// `X-Forwarded-For` that is not one of them (the ones before it the client could have written).
pub fn address(req: &HttpRequest, proxies: &TrustedProxies) -> IpAddr {
    let peer = peer(req);
    if !proxies.trusts(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !proxies.trusts(**a))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(peer: &str) -> TestRequest {
        TestRequest::default().peer_addr(format!("{peer}:40000").parse().unwrap())
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.1").unwrap();
        let req = from("10.0.0.1")
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("X-Forwarded-For", "6.6.6.6, 203.0.113.9"))
            .to_http_request();
        assert!(over_https(&req, &proxies));
        assert_eq!(
            address(&req, &proxies),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let spoofed = from("198.51.100.2")
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("X-Forwarded-For", "203.0.113.9"))
            .to_http_request();
        assert!(!over_https(&spoofed, &proxies));
        assert_eq!(
            address(&spoofed, &proxies),
            "198.51.100.2".parse::<IpAddr>().unwrap()
        );
        let standard = from("10.0.0.1")
            .insert_header(("Forwarded", "for=203.0.113.9;proto=https"))
            .to_http_request();
        assert!(over_https(&standard, &proxies));
    }
}
