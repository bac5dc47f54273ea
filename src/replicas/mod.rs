//! Several carstore processes, one store. Each process is a replica with a name; replicas that
//! share Redis tell each other what happens (order and load events, who is alive, "stop that
//! load run") over one pub/sub channel, so every dashboard shows the whole store whichever
//! replica it is connected to. The channel is best effort: when it is down, each replica serves
//! its own events and says so, and nothing ever waits on it.

mod channel;
mod roster;
mod wire;

pub use channel::{start_channel, Fanout};
pub use roster::{ChannelState, Roster, RosterView};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::watch;

/// What a process does: serve the store, or run the order worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Serve,
    Worker,
}

/// This process, as the other replicas and the dashboard see it.
#[derive(Debug)]
pub struct ThisReplica {
    pub name: String,
    pub role: Role,
    pub started_at: DateTime<Utc>,
    /// The name plus a random part: two processes given the same name (a copy-pasted config)
    /// still never take each other's messages for their own.
    pub origin: String,
    draining: AtomicBool,
    /// Requests whose handler is running, for the drain's log lines.
    in_flight: AtomicUsize,
    /// Set once the server stops accepting: endless answers (the event feeds) end then, so
    /// browsers reconnect to a replica that stays, and the stop is not held up by them.
    stopped: watch::Sender<bool>,
}

impl ThisReplica {
    pub fn new(name: &str, role: Role) -> ThisReplica {
        ThisReplica {
            name: name.to_owned(),
            role,
            started_at: Utc::now(),
            origin: format!("{name}#{:08x}", rand::random::<u32>()),
            draining: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            stopped: watch::Sender::new(false),
        }
    }

    /// Counts a request until the guard is dropped.
    pub fn request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The drain is over: no new connections from now on.
    pub fn stop(&self) {
        self.stopped.send_replace(true);
    }

    /// Resolves once [`ThisReplica::stop`] was called.
    pub fn stopping(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut stopped = self.stopped.subscribe();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    }

    /// SIGTERM arrived: `/readyz` says 503 from now on, so load balancers move on.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// How this replica describes itself; `ready` is what its `/readyz` would say.
    pub fn info(&self, ready: bool) -> ReplicaInfo {
        ReplicaInfo {
            instance: self.name.clone(),
            role: self.role,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: self.started_at,
            ready: ready && !self.draining(),
            draining: self.draining(),
        }
    }
}

pub struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One replica on the dashboard's Store panels and in `/api/replicas`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaInfo {
    pub instance: String,
    pub role: Role,
    pub version: String,
    pub started_at: DateTime<Utc>,
    /// Takes traffic: its order store answers and it is not stopping.
    pub ready: bool,
    /// Stopping: finishing what it holds, taking no new work from load balancers.
    pub draining: bool,
}
