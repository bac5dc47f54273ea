//! Who is in the store right now: this replica, and every other one heard from lately. What
//! `/api/replicas` answers and the dashboard draws as one Store panel per replica.

use super::{ReplicaInfo, Role, ThisReplica};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A replica silent for this long (three missed heartbeats and a half) is gone.
pub(super) const GONE_AFTER: Duration = Duration::from_millis(3500);
/// Replicas remembered at most: a bound on what a flood of made-up heartbeats can fill.
const MAX_OTHERS: usize = 64;

/// Whether this replica hears the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelState {
    /// Heard and heard from: every dashboard shows the whole store.
    Up,
    /// Redis is configured but not answering: this replica shows its own events only.
    Down,
    /// One process by design: embedded mode, or no Redis to share.
    None,
}

pub struct Roster {
    pub this: Arc<ThisReplica>,
    /// What this replica's `/readyz` would say, apart from draining.
    ready: Box<dyn Fn() -> bool + Send + Sync>,
    others: Mutex<HashMap<String, (ReplicaInfo, Instant)>>,
    channel: Mutex<(ChannelState, &'static str)>,
    subscribed: std::sync::atomic::AtomicBool,
}

/// `GET /api/replicas`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Replicas)]
pub struct RosterView {
    /// The replica that answered.
    pub this: String,
    pub channel: ChannelState,
    /// The channel's state in words, for the dashboard.
    pub note: &'static str,
    /// This replica first, then the others by name.
    pub replicas: Vec<ReplicaView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Replica)]
pub struct ReplicaView {
    pub instance: String,
    pub role: Role,
    pub version: String,
    pub started_at: DateTime<Utc>,
    /// Takes traffic: its order store answers and it is not stopping.
    pub ready: bool,
    /// Stopping: finishing what it holds, taking no new work from load balancers.
    pub draining: bool,
    #[schema(minimum = 0)]
    pub uptime_secs: i64,
    /// Whether this is the replica that answered.
    pub this: bool,
}

impl Roster {
    pub fn new(
        this: Arc<ThisReplica>,
        ready: impl Fn() -> bool + Send + Sync + 'static,
        channel: ChannelState,
        note: &'static str,
    ) -> Roster {
        Roster {
            this,
            ready: Box::new(ready),
            others: Mutex::default(),
            channel: Mutex::new((channel, note)),
            subscribed: Default::default(),
        }
    }

    pub fn this_info(&self) -> ReplicaInfo {
        self.this.info((self.ready)())
    }

    pub(super) fn heard(&self, origin: &str, info: ReplicaInfo) {
        let mut others = self.others.lock();
        if others.len() >= MAX_OTHERS && !others.contains_key(origin) {
            // Replicas restarted or killed leave silent entries: those go first.
            others.retain(|_, (_, seen)| seen.elapsed() < GONE_AFTER);
            if others.len() >= MAX_OTHERS {
                return;
            }
        }
        others.insert(origin.to_owned(), (info, Instant::now()));
    }

    pub(super) fn forget(&self, origin: &str) {
        let mut others = self.others.lock();
        others.remove(origin);
    }

    /// Hearing the others needs the subscription: until it is made, the channel is down
    /// however well publishing goes.
    pub(super) fn subscribed(&self) {
        self.subscribed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub(super) fn set_channel(&self, state: ChannelState, note: &'static str) {
        let subscribed = self.subscribed.load(std::sync::atomic::Ordering::Relaxed);
        let (state, note) = match state {
            ChannelState::Up if !subscribed => (ChannelState::Down, "subscribing to Redis"),
            other => (other, note),
        };
        let mut channel = self.channel.lock();
        if channel.0 != state {
            match state {
                ChannelState::Down => tracing::warn!(
                    service = "redis",
                    "replica channel down: this dashboard shows this replica's events only"
                ),
                _ => tracing::info!("replica channel up: events shared with every replica"),
            }
        }
        *channel = (state, note);
    }

    pub fn channel(&self) -> ChannelState {
        self.channel.lock().0
    }

    pub fn view(&self) -> RosterView {
        let (channel, note) = *self.channel.lock();
        let now = Utc::now();
        let view = |info: ReplicaInfo, this| ReplicaView {
            uptime_secs: (now - info.started_at).num_seconds().max(0),
            instance: info.instance,
            role: info.role,
            version: info.version,
            started_at: info.started_at,
            ready: info.ready,
            draining: info.draining,
            this,
        };
        let mut others: Vec<_> = {
            let mut others = self.others.lock();
            others.retain(|_, (_, seen)| seen.elapsed() < GONE_AFTER);
            others.values().map(|(info, _)| info.clone()).collect()
        };
        others.sort_by(|a, b| (&a.instance, a.started_at).cmp(&(&b.instance, b.started_at)));
        let mut replicas = vec![view(self.this_info(), true)];
        // While the channel is down the others' last words are stale: show this replica only.
        if channel == ChannelState::Up {
            replicas.extend(others.into_iter().map(|info| view(info, false)));
        }
        RosterView {
            this: self.this.name.clone(),
            channel,
            note,
            replicas,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Role;
    use super::*;

    fn roster() -> Roster {
        let this = Arc::new(ThisReplica::new("store-a", Role::Serve));
        Roster::new(this, || true, ChannelState::Up, "shared")
    }

    #[test]
    fn this_replica_comes_first_then_the_others_heard_lately() {
        let roster = roster();
        let b = ThisReplica::new("store-b", Role::Serve).info(true);
        let w = ThisReplica::new("worker-1", Role::Worker).info(false);
        roster.heard("store-b#1", b);
        roster.heard("worker-1#2", w);
        let names: Vec<_> = roster
            .view()
            .replicas
            .iter()
            .map(|r| (r.instance.clone(), r.this))
            .collect();
        assert_eq!(
            names,
            [
                ("store-a".into(), true),
                ("store-b".into(), false),
                ("worker-1".into(), false)
            ]
        );
        roster.forget("store-b#1");
        assert_eq!(roster.view().replicas.len(), 2);
    }

    #[test]
    fn a_draining_replica_is_not_ready_and_a_down_channel_shows_only_this_one() {
        let roster = roster();
        roster.heard(
            "store-b#1",
            ThisReplica::new("store-b", Role::Serve).info(true),
        );
        roster.this.start_draining();
        let me = roster.this_info();
        assert!(me.draining && !me.ready);
        roster.set_channel(ChannelState::Down, "Redis is not answering");
        let view = roster.view();
        assert_eq!(view.replicas.len(), 1);
        assert_eq!(view.channel, ChannelState::Down);
    }

    #[test]
    fn made_up_replicas_cannot_grow_the_roster_without_bound() {
        let roster = roster();
        for n in 0..(MAX_OTHERS * 2) {
            let info = ThisReplica::new(&format!("r{n}"), Role::Serve).info(true);
            roster.heard(&format!("r{n}#0"), info);
        }
        assert_eq!(roster.view().replicas.len(), MAX_OTHERS + 1);
    }
}
