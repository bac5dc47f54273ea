//! A service's faults as gates its adapters' calls pass (`crate::calls`). Added latency and a
//! simulated outage sit INSIDE the breaker ([`Delays`]): it sees them as it sees a slow or
//! absent service, opens after the same failures and refuses at once as in a real outage. The
//! error ratio sits OUTSIDE ([`FailShare`]): a share of failed calls is what the breaker is
//! meant to ride out, and three unlucky calls in a row would open it and refuse everything for
//! a while, so the drill would show far more failures than the share it was set to.

use super::Faults;
use crate::adapter::AdapterError;
use crate::calls::{Call, Gate};
use crate::service::Service;
use std::future::Future;
use std::sync::Arc;

/// Latency, then an outage: met by every call but one finishing what was begun, the health
/// probes and the breakers' trials included, so a drill's outage keeps the breaker open and the
/// light `down` exactly as a real one does.
pub struct Delays {
    service: Service,
    faults: Arc<Faults>,
}

impl Delays {
    pub fn new(service: Service, faults: &Arc<Faults>) -> Delays {
        let faults = faults.clone();
        Delays { service, faults }
    }
}

impl Gate for Delays {
    async fn pass<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> Result<T, AdapterError> {
        {
            if call != Call::Finish {
                self.faults.before_call(self.service).await?;
            }
            work.await
        }
    }
}

/// The error ratio: a share of the calls that do work fail, as the service would fail them. A
/// flaky service still answers its pings (a light that flickers would say nothing), and what
/// was begun is still finished.
pub struct FailShare {
    service: Service,
    faults: Arc<Faults>,
}

impl FailShare {
    pub fn new(service: Service, faults: &Arc<Faults>) -> FailShare {
        let faults = faults.clone();
        FailShare { service, faults }
    }
}

impl Gate for FailShare {
    async fn pass<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> Result<T, AdapterError> {
        {
            if matches!(call, Call::Request | Call::Background) {
                self.faults.fail_share(self.service)?;
            }
            work.await
        }
    }
}
