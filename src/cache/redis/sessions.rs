//! Signed-in sessions in Redis: a hash per session (`session:<digest>`: account, device,
//! created) that expires with the session, a sorted set per account of its sessions' digests
//! (`account:<id>:sessions`, by creation), and one sorted set of signed-in accounts by when
//! their newest session ends (`signed_in`). Each change is one script, so a sign-out seen on
//! one replica is seen on all of them at once. Failed sign-ins are counters that expire with
//! their window (`sign_in_failures:<key>`).

use super::{cache_error, fail_fast, RedisCache};
use crate::adapter::AdapterError;
use crate::cache::{FailureCounts, Sessions, SharedKeys};
use crate::cache::{Failures, NewSession, SessionInfo};
use crate::domain::AccountId;
use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use fred::prelude::*;
use std::time::Duration;

/// Drops the account's digests whose session expired. Used by the scripts below; `P` is the
/// key prefix, `S` the account's set.
const PRUNE: &str = "local function prune(P, S)
  for _, d in ipairs(redis.call('ZRANGE', S, 0, -1)) do
    if redis.call('EXISTS', P .. 'session:' .. d) == 0 then redis.call('ZREM', S, d) end
  end
end
";

/// KEYS: session, account's set, signed-in set. ARGV: prefix, digest, account, device, now ms,
/// lifetime ms, most sessions.
const OPEN: &str = "local now, life = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 'account', ARGV[3], 'device', ARGV[4], 'created', ARGV[5])
redis.call('PEXPIRE', KEYS[1], life)
redis.call('ZADD', KEYS[2], now, ARGV[2])
prune(ARGV[1], KEYS[2])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[7])
if extra > 0 then
  for _, d in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do
    redis.call('DEL', ARGV[1] .. 'session:' .. d)
    redis.call('ZREM', KEYS[2], d)
  end
end
redis.call('PEXPIRE', KEYS[2], life)
redis.call('ZADD', KEYS[3], now + life, ARGV[3])
return 1";

/// KEYS: account's set. ARGV: prefix. Returns `[digest, device, created ms, ...]`.
const LIST: &str = "prune(ARGV[1], KEYS[1])
local out = {}
for _, d in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HMGET', ARGV[1] .. 'session:' .. d, 'device', 'created')
  if f[1] then table.insert(out, d); table.insert(out, f[1]); table.insert(out, f[2]) end
end
return out";

/// KEYS: session, account's set, signed-in set. ARGV: prefix, digest, account.
const END: &str = "if redis.call('HGET', KEYS[1], 'account') ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
prune(ARGV[1], KEYS[2])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) end
return 1";

/// KEYS: account's set, signed-in set. ARGV: prefix, account.
const END_ALL: &str = "local ended = 0
for _, d in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  ended = ended + redis.call('DEL', ARGV[1] .. 'session:' .. d)
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return ended";

/// KEYS: signed-in set. ARGV: now ms.
const SIGNED_IN: &str = "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])";

/// KEYS: the secret. ARGV: a fresh value, stored when there is none.
const SHARED_SECRET: &str = "redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])";

/// KEYS: one counter. Takes one back, never below zero, keeping the window.
const TAKE_BACK: &str = "local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0";

/// KEYS: counters. ARGV: window ms. Counts one more under each key; returns
/// `[count, ms left, ...]`.
const FAILURES: &str = "local out = {}
for _, k in ipairs(KEYS) do
  local n = redis.call('INCR', k)
  if n == 1 then redis.call('PEXPIRE', k, ARGV[1]) end
  table.insert(out, n)
  table.insert(out, math.max(redis.call('PTTL', k), 0))
end
return out";

impl RedisCache {
    fn session_key(&self, digest: &str) -> String {
        format!("{}session:{digest}", self.prefix)
    }

    fn sessions_key(&self, account: AccountId) -> String {
        format!("{}account:{}:sessions", self.prefix, account.0)
    }

    fn signed_in_key(&self) -> String {
        format!("{}signed_in", self.prefix)
    }

    fn failures_keys(&self, keys: &[String]) -> Vec<String> {
        let prefix = &self.prefix;
        keys.iter()
            .map(|k| format!("{prefix}sign_in_failures:{k}"))
            .collect()
    }

    async fn failures_script(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        let args = vec![window.as_millis().to_string()];
        let flat: Vec<i64> = self
            .script_on(FAILURES, self.failures_keys(keys), args)
            .await?;
        Ok(flat
            .chunks(2)
            .map(|pair| Failures {
                count: pair[0].clamp(0, u32::MAX as i64) as u32,
                window_left: Duration::from_millis(pair.get(1).copied().unwrap_or(0) as u64),
            })
            .collect())
    }
}

fn with_prune(script: &str) -> String {
    format!("{PRUNE}{script}")
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

#[async_trait]
impl Sessions for RedisCache {
    async fn open(&self, s: &NewSession<'_>) -> Result<(), AdapterError> {
        let keys = vec![
            self.session_key(s.digest),
            self.sessions_key(s.account),
            self.signed_in_key(),
        ];
        let args = vec![
            self.prefix.clone(),
            s.digest.to_owned(),
            s.account.0.to_string(),
            s.device.to_owned(),
            now_ms().to_string(),
            s.lifetime.as_millis().to_string(),
            s.most.to_string(),
        ];
        let _: i64 = self.script_on(&with_prune(OPEN), keys, args).await?;
        Ok(())
    }

    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError> {
        let id: Option<i64> = self
            .client
            .with_options(&fail_fast())
            .hget(self.session_key(digest), "account")
            .await
            .map_err(cache_error)?;
        Ok(id.map(AccountId))
    }

    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError> {
        let keys = vec![self.sessions_key(account)];
        let flat: Vec<String> = self
            .script_on(&with_prune(LIST), keys, vec![self.prefix.clone()])
            .await?;
        flat.chunks(3)
            .map(|f| match f {
                [digest, device, created] => Ok(SessionInfo {
                    digest: digest.clone(),
                    device: device.clone(),
                    created_at: created
                        .parse()
                        .ok()
                        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                        .unwrap_or_default(),
                }),
                _ => Err(AdapterError::Corrupt(format!("session list {f:?}"))),
            })
            .collect()
    }

    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError> {
        let keys = vec![
            self.session_key(digest),
            self.sessions_key(account),
            self.signed_in_key(),
        ];
        let args = vec![
            self.prefix.clone(),
            digest.to_owned(),
            account.0.to_string(),
        ];
        let ended: i64 = self.script_on(&with_prune(END), keys, args).await?;
        Ok(ended == 1)
    }

    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError> {
        let keys = vec![self.sessions_key(account), self.signed_in_key()];
        let args = vec![self.prefix.clone(), account.0.to_string()];
        let ended: i64 = self.script_on(END_ALL, keys, args).await?;
        Ok(ended.clamp(0, u32::MAX as i64) as u32)
    }

    async fn signed_in(&self) -> Result<u64, AdapterError> {
        let keys = vec![self.signed_in_key()];
        let count: i64 = self
            .script_on(SIGNED_IN, keys, vec![now_ms().to_string()])
            .await?;
        Ok(count.max(0) as u64)
    }
}

#[async_trait]
impl FailureCounts for RedisCache {
    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        self.failures_script(keys, window).await
    }

    async fn take_back_failure(&self, key: &str) -> Result<(), AdapterError> {
        let keys = self.failures_keys(&[key.to_owned()]);
        self.script_on::<i64>(TAKE_BACK, keys, Vec::new())
            .await
            .map(drop)
    }

    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError> {
        let keys = self.failures_keys(&[key.to_owned()]);
        self.client
            .with_options(&fail_fast())
            .del::<i64, _>(keys)
            .await
            .map(drop)
            .map_err(cache_error)
    }
}

#[async_trait]
impl SharedKeys for RedisCache {
    async fn shared_secret(&self, name: &str, fresh: &str) -> Result<String, AdapterError> {
        let key = format!("{}secret:{name}", self.prefix);
        self.script_on(SHARED_SECRET, vec![key], vec![fresh.to_owned()])
            .await
    }

    async fn mark(&self, name: &str, ttl: Duration) -> Result<(), AdapterError> {
        let key = format!("{}mark:{name}", self.prefix);
        let expire = Some(Expiration::PX(ttl.as_millis().max(1) as i64));
        self.client
            .with_options(&fail_fast())
            .set::<(), _, _>(key, "1", expire, None, false)
            .await
            .map_err(cache_error)
    }

    async fn is_marked(&self, name: &str) -> Result<bool, AdapterError> {
        let key = format!("{}mark:{name}", self.prefix);
        self.client
            .with_options(&fail_fast())
            .exists::<i64, _>(key)
            .await
            .map(|n| n > 0)
            .map_err(cache_error)
    }
}
