use super::CatalogCache;
use crate::adapter::AdapterError;
use crate::domain::Car;
use async_trait::async_trait;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The embedded catalog cache: one copy in this process, refreshed after `ttl`.
pub struct MemoryCatalogCache {
    ttl: Duration,
    entry: Mutex<Option<(Instant, Arc<[Car]>)>>,
}

impl MemoryCatalogCache {
    pub fn new(ttl: Duration) -> Self {
        MemoryCatalogCache {
            ttl,
            entry: Mutex::new(None),
        }
    }
}

#[async_trait]
impl CatalogCache for MemoryCatalogCache {
    async fn get(&self) -> Result<Option<Arc<[Car]>>, AdapterError> {
        let entry = self.entry.lock();
        Ok(entry
            .as_ref()
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, cars)| cars.clone()))
    }

    async fn put(&self, cars: Arc<[Car]>) -> Result<(), AdapterError> {
        *self.entry.lock() = Some((Instant::now(), cars));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BuiltinCatalog;

    #[tokio::test]
    async fn a_filled_cache_hits_until_it_expires() {
        let cache = MemoryCatalogCache::new(Duration::from_millis(50));
        assert!(cache.get().await.unwrap().is_none());
        cache.put(BuiltinCatalog::cars().into()).await.unwrap();
        assert_eq!(cache.get().await.unwrap().unwrap().len(), 39);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(cache.get().await.unwrap().is_none());
    }
}
