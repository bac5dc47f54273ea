//! The log windows the dashboard can open: carstore's own, and one per service that has a log
//! source. Most sources are known at start; a service whose control attaches later (its Docker
//! engine came up after carstore) gets its window then, so each service's slot fills at most once.

use super::LogFeed;
use crate::service::{PerService, Service};
use std::sync::{Arc, OnceLock};

pub struct LogWindows {
    /// carstore's own log, always there.
    pub own: Arc<LogFeed>,
    services: PerService<OnceLock<Arc<LogFeed>>>,
}

impl LogWindows {
    pub fn new(own: Arc<LogFeed>) -> LogWindows {
        LogWindows {
            own,
            services: PerService::default(),
        }
    }

    /// Opens the service's window: its source pushes into the returned feed. A second source
    /// for the same service shares the window rather than hiding the first.
    pub fn open(&self, service: Service) -> Arc<LogFeed> {
        self.services.get(service).get_or_init(LogFeed::new).clone()
    }

    /// The service's window, once it has a log source.
    pub fn of(&self, service: Service) -> Option<Arc<LogFeed>> {
        self.services.get(service).get().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_opened_later_is_found_by_its_service() {
        let windows = LogWindows::new(LogFeed::new());
        assert!(windows.of(Service::Redis).is_none());
        let feed = windows.open(Service::Redis);
        feed.push("stdout", "ready");
        let found = windows.of(Service::Redis).expect("opened");
        assert_eq!(found.subscribe(None, 1).backlog[0].line, "ready");
    }
}
