//! The admin's browser session: what the sign-in cookie holds instead of the token. It is
//! `<expiry>.<id>.<tag>`, the tag made with a key derived from the admin token, so every
//! replica sharing the token can check it with no lookup (the dashboard keeps working through
//! any outage) and changing the token ends every session. Signing out marks the id in the
//! session store until it would have expired, so every replica refuses it from then on; this
//! replica also remembers it, for when the store cannot be asked.

use crate::config::AdminToken;
use parking_lot::Mutex;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How long a sign-in lasts.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Signed-out sessions this replica remembers itself; past it the soonest to expire go first.
const REMEMBERED: usize = 1_000;

/// One checked session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub id: String,
    pub expires_unix: i64,
}

impl AdminSession {
    /// Seconds it has left at `now`.
    pub fn left(&self, now_unix: i64) -> Duration {
        Duration::from_secs((self.expires_unix - now_unix).max(1) as u64)
    }

    /// Its name in the session store's marks.
    pub fn mark(&self) -> String {
        format!("admin_session_ended:{}", self.id)
    }
}

pub struct AdminSessions {
    key: [u8; 32],
    ended: Mutex<HashMap<String, i64>>,
}

impl AdminSessions {
    pub fn new(token: &AdminToken) -> AdminSessions {
        let mut h = Sha256::new();
        h.update(b"carstore admin sessions\0");
        h.update(token.expose().as_bytes());
        AdminSessions {
            key: h.finalize().into(),
            ended: Mutex::default(),
        }
    }

    /// A new session's cookie value.
    pub fn issue(&self, now_unix: i64) -> String {
        let mut raw = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut raw);
        let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let expires = now_unix + LIFETIME.as_secs() as i64;
        let body = format!("{expires}.{id}");
        let tag = self.tag(&body);
        format!("{body}.{tag}")
    }

    /// The session a cookie value stands for: tagged by this key, not expired, not ended here.
    pub fn check(&self, value: &str, now_unix: i64) -> Option<AdminSession> {
        let (body, tag) = value.rsplit_once('.')?;
        let (expires, id) = body.split_once('.')?;
        let expected = self.tag(body);
        if !bool::from(expected.as_bytes().ct_eq(tag.as_bytes())) {
            return None;
        }
        let expires_unix: i64 = expires.parse().ok()?;
        if expires_unix <= now_unix || self.ended.lock().contains_key(id) {
            return None;
        }
        Some(AdminSession {
            id: id.to_owned(),
            expires_unix,
        })
    }

    /// Remembers a signed-out session on this replica.
    pub fn end(&self, session: &AdminSession, now_unix: i64) {
        let mut ended = self.ended.lock();
        ended.retain(|_, expires| *expires > now_unix);
        if ended.len() >= REMEMBERED {
            let soonest = ended
                .iter()
                .min_by_key(|(_, e)| **e)
                .map(|(k, _)| k.clone());
            if let Some(soonest) = soonest {
                ended.remove(&soonest);
            }
        }
        ended.insert(session.id.clone(), session.expires_unix);
    }

    fn tag(&self, body: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(body.as_bytes());
        h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(token: &str) -> AdminSessions {
        AdminSessions::new(&AdminToken::new(token.into()).unwrap())
    }

    #[test]
    fn a_session_holds_no_token_and_checks_only_under_its_token() {
        let (a, b) = (
            sessions("first-admin-token-9f3c1"),
            sessions("second-admin-token-7d2e4"),
        );
        let value = a.issue(1_000);
        assert!(!value.contains("first-admin-token"));
        let session = a.check(&value, 1_001).expect("a fresh session");
        assert_eq!(session.expires_unix, 1_000 + LIFETIME.as_secs() as i64);
        assert!(b.check(&value, 1_001).is_none(), "another token's key");
        assert!(
            a.check("first-admin-token-9f3c1", 1_001).is_none(),
            "the raw token"
        );
    }

    #[test]
    fn expired_forged_and_ended_sessions_are_refused() {
        let a = sessions("first-admin-token-9f3c1");
        let value = a.issue(1_000);
        let expires = 1_000 + LIFETIME.as_secs() as i64;
        assert!(a.check(&value, expires).is_none(), "expired");
        let later = value.replacen(&expires.to_string(), &(expires + 999).to_string(), 1);
        assert!(a.check(&later, 1_001).is_none(), "an expiry moved");
        let session = a.check(&value, 1_001).unwrap();
        a.end(&session, 1_001);
        assert!(a.check(&value, 1_002).is_none(), "signed out");
        assert!(
            a.check(&a.issue(1_000), 1_002).is_some(),
            "others still work"
        );
    }
}
