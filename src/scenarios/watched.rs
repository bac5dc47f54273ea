//! Word of a run's changes: whoever shows the run (the live feed) waits for the next change
//! instead of asking again and again. Every write to a run's view, and every new run, wakes each
//! receiver once; a burst of writes before a receiver looks is one wake-up.

use parking_lot::{Mutex, MutexGuard};
use std::ops::{Deref, DerefMut};
use tokio::sync::watch;

/// Told of every change to the runs; cheap to clone, one per run and one for the holder.
#[derive(Clone)]
pub struct Changes(watch::Sender<()>);

impl Default for Changes {
    fn default() -> Self {
        Changes(watch::Sender::new(()))
    }
}

impl Changes {
    /// Wakes every receiver; never waits, and costs nothing with none.
    pub fn tell(&self) {
        self.0.send_modify(|_| ());
    }

    /// A receiver that wakes at the next change after this call.
    pub fn subscribe(&self) -> watch::Receiver<()> {
        self.0.subscribe()
    }
}

/// A value behind a lock that tells [`Changes`] when a guard written through is let go; a guard
/// only read through tells no one.
pub struct Watched<T> {
    value: Mutex<T>,
    changes: Changes,
}

impl<T> Watched<T> {
    pub fn new(value: T, changes: Changes) -> Self {
        Watched {
            value: Mutex::new(value),
            changes,
        }
    }

    pub fn lock(&self) -> Guard<'_, T> {
        Guard {
            inner: self.value.lock(),
            changes: &self.changes,
            written: false,
        }
    }
}

pub struct Guard<'a, T> {
    inner: MutexGuard<'a, T>,
    changes: &'a Changes,
    written: bool,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.written = true;
        &mut self.inner
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        if self.written {
            self.changes.tell();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_wakes_a_receiver_and_a_read_does_not() {
        let changes = Changes::default();
        let watched = Watched::new(1, changes.clone());
        let mut rx = changes.subscribe();
        assert_eq!(*watched.lock(), 1);
        assert!(!rx.has_changed().unwrap(), "a read tells no one");
        *watched.lock() = 2;
        *watched.lock() = 3;
        rx.changed().await.unwrap();
        assert!(!rx.has_changed().unwrap(), "two writes, one wake-up");
    }
}
