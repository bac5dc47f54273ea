//! Who may hold what: the admin's browser sessions, and the places for live feeds, per client
//! and in all. Below the HTTP layer and the app state, so both can hold them; above `config`.

mod admin_session;
mod feeds;

pub use admin_session::{AdminSession, AdminSessions, LIFETIME as ADMIN_SESSION_LIFETIME};
pub use feeds::{
    FeedSlot, FeedSlots, FeedsFull, IN_ALL as FEEDS_IN_ALL, PER_CLIENT as FEEDS_PER_CLIENT,
    RETRY_AFTER_SECS as FEEDS_RETRY_AFTER_SECS,
};

use std::net::IpAddr;

/// A client as limits count it: IPv4 as is, IPv6 per /64 (the block one host usually has).
pub fn client_key(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}
