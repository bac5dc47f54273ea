//! This process as one replica among several: joining the replica channel when the store's
//! services are shared, and stopping the way load balancers need (drain, then stop).

use super::adapters::Adapters;
use crate::breaker::BreakerState;
use crate::config::Settings;
use crate::load::LoadRuns;
use crate::replicas::{start_channel, ChannelState, Fanout, Roster, ThisReplica};
use actix_web::dev::ServerHandle;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::task::JoinHandle;

/// The roster this process shows and its side of the replica channel. Replicas share events only
/// when they share the store: the order database and Redis, which carries the channel.
pub(super) fn join(
    settings: &Settings,
    adapters: &Adapters,
    this: Arc<ThisReplica>,
    load: Option<&Arc<LoadRuns>>,
) -> anyhow::Result<(Arc<Roster>, Arc<Fanout>)> {
    let orders = adapters.breakers.postgres.clone();
    let ready = move || orders.state() == BreakerState::Closed;
    let alone = |note| {
        let roster = Roster::new(this.clone(), ready.clone(), ChannelState::None, note);
        Ok((Arc::new(roster), Arc::new(Fanout::alone())))
    };
    let (Some(redis), Some(_)) = (&settings.redis_url, &settings.database_url) else {
        return if settings.database_url.is_none() {
            alone("embedded mode: one process, its orders in its own SQLite file")
        } else {
            alone("no Redis configured: replicas cannot share their events")
        };
    };
    let roster = Arc::new(Roster::new(
        this.clone(),
        ready.clone(),
        ChannelState::Down,
        "connecting to Redis",
    ));
    let fanout = start_channel(
        redis,
        &settings.redis_prefix,
        roster.clone(),
        adapters.events.clone(),
        load.cloned(),
    )?;
    Ok((roster, Arc::new(fanout)))
}

/// SIGTERM (a load balancer's or Kubernetes' stop): `/readyz` turns 503 and requests are still
/// served for the drain period, so the balancer moves traffic away first; then no new
/// connections, and requests in flight finish. Ctrl-C, or a second signal, skips the drain.
/// Listens from the moment it is called (before the store says where it serves), in a task.
pub(super) fn stop_on_signal(
    server: ServerHandle,
    this: Arc<ThisReplica>,
    drain: Duration,
) -> JoinHandle<()> {
    let (Ok(term), Ok(int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM and SIGINT; stop carstore with SIGKILL");
        return tokio::spawn(async {});
    };
    tokio::spawn(drain_then_stop(server, this, drain, term, int))
}

async fn drain_then_stop(
    server: ServerHandle,
    this: Arc<ThisReplica>,
    drain: Duration,
    mut term: Signal,
    mut int: Signal,
) {
    tokio::select! {
        _ = term.recv() => {
            this.start_draining();
            tracing::info!(
                drain_ms = drain.as_millis() as u64,
                in_flight = this.in_flight(),
                "SIGTERM: draining; /readyz answers 503, requests are still served"
            );
            tokio::select! {
                _ = tokio::time::sleep(drain) => {}
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ = int.recv() => {}
    }
    tracing::info!(
        in_flight = this.in_flight(),
        "stopping: no new connections; finishing the requests in flight"
    );
    this.stop();
    server.stop(true).await;
}
