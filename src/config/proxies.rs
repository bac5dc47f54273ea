//! The reverse proxies whose word carstore takes about a request: that it came over HTTPS
//! (`X-Forwarded-Proto`) and from which client (`X-Forwarded-For`). Any client can write those
//! headers, so they count only when the TCP peer is a proxy named here. None by default.

use anyhow::Context;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or networks: `10.0.0.5, 172.16.0.0/12, ::1`.
    pub fn parse(list: &str) -> anyhow::Result<Self> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .with_context(|| {
                        format!("trusted proxy {item:?} must be an IP address or a network like 10.0.0.0/8")
                    })
            })
            .collect::<anyhow::Result<_>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_networks_are_trusted_and_nothing_else() {
        let proxies = TrustedProxies::parse("10.0.0.5, 172.16.0.0/12,::1").unwrap();
        assert!(proxies.trusts("10.0.0.5".parse().unwrap()));
        assert!(proxies.trusts("172.20.1.2".parse().unwrap()));
        assert!(proxies.trusts("::ffff:172.20.1.2".parse().unwrap()));
        assert!(proxies.trusts("::1".parse().unwrap()));
        assert!(!proxies.trusts("10.0.0.6".parse().unwrap()));
        assert!(!TrustedProxies::default().trusts("127.0.0.1".parse().unwrap()));
        assert!(TrustedProxies::parse("10.0.0.0/99").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
