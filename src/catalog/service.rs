use super::{CarQuery, CarSource};
use crate::adapter::AdapterError;
use crate::cache::CatalogCache;
use crate::domain::{Car, CarId};
use bytes::Bytes;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long this process keeps its own copy before asking the shared cache again: the catalog
/// is read on every page, and a copy in memory costs no round trip to Redis.
const LOCAL_FOR: Duration = Duration::from_secs(2);

/// Writes the whole catalog as the body of `GET /api/cars`.
///
/// The wire format belongs to the HTTP layer, but the bytes are worth making once per copy
/// rather than once per request, and the copy lives here. So whoever builds the service hands
/// in the HTTP layer's encoder (the catalog never imports from `http`): the catalog decides
/// *when* to encode, the HTTP layer decides *how*.
pub type EncodeListing = fn(&[Car]) -> Bytes;

/// This process's copy of the catalog, with the listing body made once.
struct Local {
    until: Instant,
    cars: Arc<[Car]>,
    listing: Bytes,
}

/// Reads the catalog through two levels: this process's copy for a moment, then the shared cache,
/// then the source on a miss. A cache outage only costs speed — the catalog keeps working
/// straight from the source.
pub struct CatalogService {
    local: Mutex<Option<Local>>,
    encode: EncodeListing,
    source: Arc<dyn CarSource>,
    cache: Arc<dyn CatalogCache>,
    /// The last catalog read, served when both the cache and the source are away, so a long
    /// database outage does not take the shop window (and every cart) with it.
    last_good: Mutex<Option<Arc<[Car]>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// How often the cache answered, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct CacheCounts {
    pub hits: u64,
    /// Reads the cache could not answer: not there, or the cache was away.
    pub misses: u64,
}

impl CatalogService {
    pub fn new(
        source: Arc<dyn CarSource>,
        cache: Arc<dyn CatalogCache>,
        encode: EncodeListing,
    ) -> Self {
        CatalogService {
            local: Mutex::new(None),
            encode,
            source,
            cache,
            last_good: Mutex::new(None),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub async fn all(&self) -> Result<Arc<[Car]>, AdapterError> {
        Ok(self.local().await?.0)
    }

    /// The whole catalog encoded by `encode`, made once per copy: what `GET /api/cars` sends.
    pub async fn listing(&self) -> Result<Bytes, AdapterError> {
        Ok(self.local().await?.1)
    }

    async fn local(&self) -> Result<(Arc<[Car]>, Bytes), AdapterError> {
        if let Some(local) = self.local.lock().as_ref() {
            if Instant::now() < local.until {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok((local.cars.clone(), local.listing.clone()));
            }
        }
        let cars = self.shared().await?;
        let listing = (self.encode)(&cars);
        *self.local.lock() = Some(Local {
            until: Instant::now() + LOCAL_FOR,
            cars: cars.clone(),
            listing: listing.clone(),
        });
        Ok((cars, listing))
    }

    /// The shared cache, then the source.
    async fn shared(&self) -> Result<Arc<[Car]>, AdapterError> {
        match self.cache.get().await {
            Ok(Some(cars)) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(cars);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, "catalog cache unavailable, reading the source")
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let cars: Arc<[Car]> = match self.source.load_cars().await {
            Ok(cars) => cars.into(),
            Err(e) => return self.last_good().ok_or(e),
        };
        *self.last_good.lock() = Some(cars.clone());
        if let Err(e) = self.cache.put(cars.clone()).await {
            tracing::debug!(error = %e, "could not refill the catalog cache");
        }
        Ok(cars)
    }

    pub fn cache_counts(&self) -> CacheCounts {
        CacheCounts {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn last_good(&self) -> Option<Arc<[Car]>> {
        self.last_good.lock().clone()
    }

    pub async fn search(&self, query: &CarQuery) -> Result<Vec<Car>, AdapterError> {
        Ok(query.apply(&self.all().await?))
    }

    pub async fn find(&self, id: CarId) -> Result<Option<Car>, AdapterError> {
        Ok(self.all().await?.iter().find(|c| c.id == id).cloned())
    }
}
