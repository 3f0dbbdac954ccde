//! Requests per client address: a token bucket per address, in memory, for a bounded number of
//! addresses. And which address is the client's: the peer's, or behind a configured reverse
//! proxy the one it names in `X-Forwarded-For`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Addresses tracked at once; beyond that, buckets already full again are dropped first.
const MAX_ADDRESSES: usize = 50_000;

/// Token buckets: `per_minute` requests a minute, in bursts of up to the same.
pub struct Limiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute: f64::from(per_minute.max(1)), buckets: Mutex::default() }
    }

    /// Takes one token for `ip`; false when its bucket is empty.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_ADDRESSES && !buckets.contains_key(&ip) {
            // An address whose bucket has refilled loses nothing by being forgotten.
            buckets.retain(|_, b| self.refilled(*b, now) < self.per_minute);
            if buckets.len() >= MAX_ADDRESSES {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(ip).or_insert(Bucket { tokens: self.per_minute, at: now });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn refilled(&self, b: Bucket, now: Instant) -> f64 {
        let secs = now.saturating_duration_since(b.at).as_secs_f64();
        (b.tokens + secs * self.per_minute / 60.0).min(self.per_minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client_ip;
    use axum::http::HeaderMap;
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_come_back() {
        let limiter = Limiter::new(3);
        let t0 = Instant::now();
        let a = ip("10.0.0.1");
        assert!((0..3).all(|_| limiter.allow(a, t0)));
        assert!(!limiter.allow(a, t0), "the fourth request in the same instant");
        assert!(limiter.allow(ip("10.0.0.2"), t0), "another address has its own bucket");
        assert!(!limiter.allow(a, t0 + Duration::from_secs(10)), "one token takes 20 s");
        assert!(limiter.allow(a, t0 + Duration::from_secs(21)));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = ip("192.168.1.10");
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.7".parse().unwrap());
        assert_eq!(client_ip(Some(ip("198.51.100.1")), &headers, &[proxy]), ip("198.51.100.1"));
        assert_eq!(client_ip(Some(ip("198.51.100.1")), &headers, &[]), ip("198.51.100.1"));
        // The client may have written 1.2.3.4 itself; the proxy appended the real peer.
        assert_eq!(client_ip(Some(proxy), &headers, &[proxy]), ip("203.0.113.7"));
        assert_eq!(client_ip(Some(proxy), &HeaderMap::new(), &[proxy]), proxy);
    }
}
