//! The log windows the dashboard can open, by name. Most are known at start; a service whose
//! control attaches later (its Docker engine came up after carstore) gets its window then.

use super::LogFeed;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct LogWindows(RwLock<Vec<(&'static str, Arc<LogFeed>)>>);

impl LogWindows {
    /// Opens the window `name`: its source pushes into the returned feed.
    pub fn open(&self, name: &'static str) -> Arc<LogFeed> {
        let feed = LogFeed::new();
        self.add(name, feed.clone());
        feed
    }

    pub fn add(&self, name: &'static str, feed: Arc<LogFeed>) {
        // Only pushes happen under the lock, so a poisoned one still holds a whole list.
        let mut windows = self.0.write().unwrap_or_else(|p| p.into_inner());
        windows.push((name, feed));
    }

    pub fn find(&self, name: &str) -> Option<Arc<LogFeed>> {
        let windows = self.0.read().unwrap_or_else(|p| p.into_inner());
        windows
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, feed)| feed.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_opened_later_is_found_by_its_name() {
        let windows = LogWindows::default();
        windows.add("carstore", LogFeed::new());
        assert!(windows.find("redis").is_none());
        let feed = windows.open("redis");
        feed.push("stdout", "ready");
        let found = windows.find("redis").expect("opened");
        assert_eq!(found.subscribe(None, 1).backlog[0].line, "ready");
    }
}
