//! Who is on the other end: the client's address, for throttling, audit and logs. The TCP
//! peer is the client unless it is one of the `trusted_proxies`; then the client is the
//! nearest address in `X-Forwarded-For` that is not a trusted proxy (the header nginx and
//! most proxies append to). A forwarded header from any other peer is ignored: anyone can
//! send one. `Forwarded:` is not read: a proxy that only writes that one would leave a
//! client's own `X-Forwarded-For` or `Forwarded` standing, so believing either would let
//! the client choose its address.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// An address block such as `10.0.0.0/8`, `192.168.1.7` or `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an address or address block (like 10.0.0.0/8)"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0-{max}"))?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(self.network), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// `::ffff:10.0.0.1` is `10.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarded headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    /// Addresses or blocks (`10.0.0.0/8`); an invalid one is an error naming `what`.
    pub fn parse(list: &[String], what: &str) -> Result<TrustedProxies, crate::HubError> {
        list.iter()
            .map(|p| {
                p.parse::<Cidr>()
                    .map_err(|e| crate::HubError::Settings(format!("{what}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client of a request that arrived from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        // Each proxy appends the address it saw: read from the right, skipping our own
        // proxies; the first other address is the client.
        let mut chain: Vec<IpAddr> = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            if let Ok(v) = value.to_str() {
                chain.extend(v.split(',').filter_map(|a| parse_forwarded_addr(a.trim())));
            }
        }
        chain
            .iter()
            .rev()
            .map(|ip| canonical(*ip))
            .find(|ip| !self.trusts(*ip))
            // Every hop trusted (clients inside a trusted block): the address our nearest
            // proxy saw, never one the client could have written further left.
            .or_else(|| chain.last().map(|ip| canonical(*ip)))
            .unwrap_or(canonical(peer))
    }
}

/// `203.0.113.7`, `203.0.113.7:5000`, `[2001:db8::1]:443`, `2001:db8::1`.
/// (Proxies write these forms into `X-Forwarded-For`.)
fn parse_forwarded_addr(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.split(']').next())
        .and_then(|a| a.parse().ok())
}

/// The client's address, as an extractor. Requests without a peer address (none in
/// practice: the listener always records it) count as `0.0.0.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Client, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let proxies = parts
            .extensions
            .get::<Arc<TrustedProxies>>()
            .cloned()
            .unwrap_or_default();
        Ok(Client(proxies.client(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn blocks_parse_and_match() {
        let c: Cidr = "10.0.0.0/8".parse().expect("cidr");
        assert!(c.contains(ip("10.200.3.4")) && !c.contains(ip("11.0.0.1")));
        assert!(c.contains(ip("::ffff:10.1.2.3")));
        let one: Cidr = "127.0.0.1".parse().expect("cidr");
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Cidr = "2001:db8::/32".parse().expect("cidr");
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!("0.0.0.0/0".parse::<Cidr>().expect("all").contains(ip("8.8.8.8")));
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err("`10.0.0.0/33`: the prefix length must be 0-32".to_string())
        );
        assert!("nginx".parse::<Cidr>().is_err());
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies(vec![
            "127.0.0.1".parse().expect("cidr"),
            "10.0.0.0/8".parse().expect("cidr"),
        ]);
        let xff = headers(&[("x-forwarded-for", "198.51.100.9, 203.0.113.7")]);
        // From the proxy: the nearest untrusted address.
        assert_eq!(proxies.client(ip("127.0.0.1"), &xff), ip("203.0.113.7"));
        // The same header from anyone else is ignored.
        assert_eq!(proxies.client(ip("192.0.2.1"), &xff), ip("192.0.2.1"));
        // A chain through two of our proxies.
        let two = headers(&[("x-forwarded-for", "203.0.113.7, 10.1.1.1")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &two), ip("203.0.113.7"));
        // A client forging a first hop cannot choose its address: the proxy appended the real one.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &forged), ip("203.0.113.7"));
        // `Forwarded:` is not read (a proxy that does not write it leaves the client's own).
        let rfc = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(proxies.client(ip("10.0.0.3"), &rfc), ip("10.0.0.3"));
        // Clients inside a trusted block: the hop our proxy appended, not the forged first one.
        let inside = headers(&[("x-forwarded-for", "10.0.0.99, 10.20.30.40")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &inside), ip("10.20.30.40"));
        // A proxy that forwards nothing: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
        // No trusted proxies at all (the default): always the peer.
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &xff), ip("127.0.0.1"));
    }
}
