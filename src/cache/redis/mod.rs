//! Carts and the catalog cache in Redis. Carts are one hash per session (`car_id -> quantity`)
//! with a sliding expiry (the cart retention, 24 h by default); every cart change is one Lua
//! script, so it is atomic in Redis however many requests of one session arrive at once.
//! Commands fail fast while Redis is away (a 503 now beats a hung request), and the client
//! reconnects forever in the background.

mod cached;
mod claims;
mod scripts;
mod sessions;

use super::{CartAdd, CartLine, CatalogCache, Claimed};
use crate::adapter::{AdapterError, Mode, Ping};
use crate::cache::{CartClaims, CartLines};
use crate::config::{Retention, ServiceUrl};
use crate::domain::{Car, CarId, Quantity, SessionId};
use crate::service::Service;
use anyhow::Context;
use async_trait::async_trait;
use fred::prelude::*;
use fred::types::config::UnresponsiveConfig;
use scripts::{ADD, CLEAR, LINES, MERGE, SET};
use std::sync::Arc;
use std::time::Duration;

const CATALOG_TTL_SECS: i64 = 60;
const COMMAND_TIMEOUT: Duration = Duration::from_millis(1500);

#[derive(Clone)]
pub struct RedisCache {
    client: Arc<Client>,
    prefix: String,
    /// A cart's key expires this long after its last read or change.
    cart_ttl_secs: i64,
}

impl RedisCache {
    /// Starts connecting in the background and returns at once: carstore starts while Redis is
    /// down and uses it as soon as it answers.
    pub fn connect(url: &ServiceUrl, prefix: &str) -> anyhow::Result<RedisCache> {
        let client = builder(url)?
            .build()
            .context("cannot build the Redis client")?;
        client.connect();
        Ok(RedisCache {
            client: Arc::new(client),
            prefix: prefix.to_owned(),
            cart_ttl_secs: Retention::default().carts.as_secs() as i64,
        })
    }

    /// Carts expire after `ttl` without use (whole seconds, at least one).
    pub fn with_cart_ttl(mut self, ttl: Duration) -> RedisCache {
        self.cart_ttl_secs = ttl.as_secs().clamp(1, i64::MAX as u64) as i64;
        self
    }

    fn cart_key(&self, session: &SessionId) -> String {
        format!("{}cart:{}", self.prefix, session.as_str())
    }

    fn catalog_key(&self) -> String {
        format!("{}catalog", self.prefix)
    }

    /// Runs a script on one key, failing at once instead of queueing while disconnected.
    async fn script<R: FromValue>(
        &self,
        script: &str,
        key: String,
        args: Vec<String>,
    ) -> Result<R, AdapterError> {
        self.script_on(script, vec![key], args).await
    }

    async fn script_on<R: FromValue>(
        &self,
        script: &str,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<R, AdapterError> {
        self.client
            .with_options(&fail_fast())
            .eval(script, keys, args)
            .await
            .map_err(cache_error)
    }
}

/// How every carstore Redis client connects: it keeps trying when Redis is down at start too,
/// not only after a first connection, gives up on a silent server quickly, and reconnects
/// forever in the background. The replica channel's clients are made the same way.
pub(crate) fn builder(url: &ServiceUrl) -> anyhow::Result<Builder> {
    let mut config =
        Config::from_url(url.expose()).with_context(|| format!("Redis URL {url} is not valid"))?;
    config.fail_fast = false;
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(1);
            c.internal_command_timeout = COMMAND_TIMEOUT;
            c.max_command_attempts = 1;
            c.unresponsive = UnresponsiveConfig {
                max_timeout: Some(Duration::from_secs(2)),
                interval: Duration::from_millis(500),
            };
        })
        .with_performance_config(|p| p.default_command_timeout = COMMAND_TIMEOUT)
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 250, 2));
    Ok(builder)
}

/// Per-command options: fail at once instead of queueing while disconnected.
pub(crate) fn fail_fast() -> Options {
    Options {
        fail_fast: true,
        timeout: Some(COMMAND_TIMEOUT),
        ..Default::default()
    }
}

fn cache_error(e: Error) -> AdapterError {
    AdapterError::unavailable(Service::Redis, e)
}

/// HGETALL's flat `[field, value, ...]` as cart lines, ordered by car id.
fn to_lines(flat: Vec<String>) -> Result<Vec<CartLine>, AdapterError> {
    let mut lines = flat
        .chunks(2)
        .map(
            |pair| match (pair[0].parse(), pair.get(1).and_then(|q| q.parse().ok())) {
                (Ok(car), Some(quantity)) => Ok(CartLine {
                    car_id: CarId(car),
                    quantity,
                }),
                _ => Err(AdapterError::Corrupt(format!(
                    "cart field {:?} is not a car and a quantity",
                    pair
                ))),
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    lines.sort_by_key(|l| l.car_id);
    Ok(lines)
}

#[async_trait]
impl Ping for RedisCache {
    fn mode(&self) -> Mode {
        Mode::Service
    }

    /// fred reports a dropped connection the moment it sees it; commands sent in that moment
    /// would otherwise sit in its queue until their timeout.
    fn when_connection_lost(&self, lost: Arc<dyn Fn() + Send + Sync>) {
        let _listener = self.client.on_error(move |_| {
            lost();
            async { Ok(()) }
        });
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        let _: String = self
            .client
            .with_options(&fail_fast())
            .ping(None)
            .await
            .map_err(cache_error)?;
        Ok(())
    }
}

#[async_trait]
impl CartLines for RedisCache {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        to_lines(
            self.script(
                LINES,
                self.cart_key(session),
                vec![self.cart_ttl_secs.to_string()],
            )
            .await?,
        )
    }

    async fn add(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: Quantity,
        max: u32,
    ) -> Result<CartAdd, AdapterError> {
        let args = vec![
            car.to_string(),
            quantity.get().to_string(),
            max.to_string(),
            self.cart_ttl_secs.to_string(),
        ];
        let n: i64 = self.script(ADD, self.cart_key(session), args).await?;
        Ok(if n < 0 {
            CartAdd::LineFull {
                current: (-1 - n) as u32,
            }
        } else {
            CartAdd::Added
        })
    }

    async fn set(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: u32,
    ) -> Result<(), AdapterError> {
        let args = vec![
            car.to_string(),
            quantity.to_string(),
            self.cart_ttl_secs.to_string(),
        ];
        self.script::<i64>(SET, self.cart_key(session), args)
            .await
            .map(drop)
    }

    async fn clear(&self, session: &SessionId) -> Result<(), AdapterError> {
        self.script::<i64>(CLEAR, self.cart_key(session), vec![])
            .await
            .map(drop)
    }

    async fn merge(
        &self,
        from: &SessionId,
        into: &SessionId,
        max: u32,
    ) -> Result<(), AdapterError> {
        let keys = vec![self.cart_key(from), self.cart_key(into)];
        let args = vec![max.to_string(), self.cart_ttl_secs.to_string()];
        self.script_on::<i64>(MERGE, keys, args).await.map(drop)
    }
}

#[async_trait]
impl CartClaims for RedisCache {
    async fn claim(&self, session: &SessionId, claim: &str) -> Result<Claimed, AdapterError> {
        self.claim_cart(session, claim).await
    }

    async fn settle(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.settle_claim(session, claim).await
    }

    async fn release(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.release_claim(session, claim).await
    }
}

#[async_trait]
impl CatalogCache for RedisCache {
    async fn get(&self) -> Result<Option<Arc<[Car]>>, AdapterError> {
        let cached: Option<String> = self
            .client
            .with_options(&fail_fast())
            .get(self.catalog_key())
            .await
            .map_err(cache_error)?;
        let Some(json) = cached else { return Ok(None) };
        let cars: Vec<cached::CachedCar> = serde_json::from_str(&json)
            .map_err(|e| AdapterError::Corrupt(format!("cached catalog: {e}")))?;
        cars.into_iter()
            .map(cached::CachedCar::into_car)
            .collect::<Result<Vec<_>, _>>()
            .map(|c| Some(c.into()))
    }

    async fn put(&self, cars: Arc<[Car]>) -> Result<(), AdapterError> {
        let json =
            serde_json::to_string(&cars.iter().map(cached::CachedCar::from).collect::<Vec<_>>())
                .expect("cars always serialise");
        self.client
            .with_options(&fail_fast())
            .set::<(), _, _>(
                self.catalog_key(),
                json,
                Some(Expiration::EX(CATALOG_TTL_SECS)),
                None,
                false,
            )
            .await
            .map_err(cache_error)
    }
}
