//! How many wrong sign-ins are let through: per account, so one account's password cannot be
//! guessed at speed, and per client, so one client cannot guess across many accounts. Both are
//! counted in the session store, so every replica counts the same attempts. An email is
//! counted whether or not an account has it: limiting only real accounts would tell a guesser
//! which emails are real.

pub use crate::access::client_key;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::time::Duration;

/// Wrong sign-ins for one email within [`WINDOW`]; further attempts are refused until it ends.
pub const PER_ACCOUNT: u32 = 5;
/// Wrong sign-ins from one client within [`WINDOW`], whatever the emails.
pub const PER_CLIENT: u32 = 20;
/// The window failures are counted in, from the first of them.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Sign-ups from one client within [`SIGN_UP_WINDOW`], made or refused alike: each costs a
/// password hash, and a refused one (`409 email_taken`) tells the client an email has an
/// account, so this also bounds how fast emails can be tried.
pub const SIGN_UPS_PER_CLIENT: u32 = 10;
pub const SIGN_UP_WINDOW: Duration = Duration::from_secs(60 * 60);

/// The sign-up counter's key for a client.
pub fn sign_up_key(client: IpAddr) -> String {
    format!("sign_up:{}", client_key(client))
}

/// The counters' keys for one attempt: the email's (a digest, so no address is stored in the
/// clear) and the client's (IPv6 clients per /64, the block one host usually has).
pub fn keys(login: &str, client: IpAddr) -> [String; 2] {
    let email: String = Sha256::digest(login.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    [
        format!("email:{email}"),
        format!("client:{}", client_key(client)),
    ]
}

/// The limits in the keys' order.
pub const LIMITS: [u32; 2] = [PER_ACCOUNT, PER_CLIENT];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_digested_and_v6_clients_counted_per_64() {
        let [email, client] = keys("ada@example.com", "2001:db8:1:2:3:4:5:6".parse().unwrap());
        assert!(!email.contains("ada"));
        assert_eq!(client, "client:2001:db8:1:2::/64");
        let [_, other] = keys("ada@example.com", "2001:db8:1:2:ffff::1".parse().unwrap());
        assert_eq!(client, other);
        let [_, v4] = keys("x", "::ffff:10.0.0.7".parse().unwrap());
        assert_eq!(v4, "client:10.0.0.7");
    }
}
