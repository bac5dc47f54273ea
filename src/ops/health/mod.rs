//! One probing loop per backing service feeds both its light and its breaker: about once a
//! second while the breaker is closed, and from the moment it opens every [`TRIAL_EVERY`], so
//! these probes are the breaker's trials too and the first answer after an outage closes it.
//! Each service's health is kept with the time it entered it, and every change broadcast.

use crate::adapter::{AdapterError, Mode};
use crate::breaker::{BreakerState, Breakers};
use crate::events::{EventBus, Health, HealthChange, StoreEvent};
use crate::faults::{FaultKind, FaultTarget, Faults};
use crate::service::{PerService, Service};
use chrono::Utc;
use futures_util::future::{join_all, BoxFuture};
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PROBE_EVERY: Duration = Duration::from_secs(1);
/// A probe that takes longer than this counts as failed.
const PROBE_TIMEOUT: Duration = Duration::from_millis(800);
/// How often the service of an open breaker is probed to see whether it is back.
const TRIAL_EVERY: Duration = Duration::from_millis(200);
/// A trial that takes longer than this counts as failed.
const TRIAL_TIMEOUT: Duration = Duration::from_millis(500);
/// Answers slower than this make the service `degraded`.
const SLOW: Duration = Duration::from_millis(250);
/// Slow probes in a row before a service counts as `degraded`.
const SLOW_STREAK: u32 = 2;
/// How long a started service may take to answer before it is `down` again.
const START_GRACE: Duration = Duration::from_secs(60);

type ProbeFn = Box<dyn Fn() -> BoxFuture<'static, Result<(), AdapterError>> + Send + Sync>;

/// How to ask one service whether it answers.
pub struct HealthProbe {
    service: Service,
    kind: Mode,
    run: ProbeFn,
}

impl HealthProbe {
    pub fn new<F, Fut>(service: Service, kind: Mode, run: F) -> HealthProbe
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), AdapterError>> + Send + 'static,
    {
        HealthProbe {
            service,
            kind,
            run: Box::new(move || Box::pin(run())),
        }
    }
}

pub struct HealthMonitor {
    probes: Vec<HealthProbe>,
    /// Each watched service's health; `None` for one this process does not watch (its probe
    /// then runs only as its breaker's trial).
    states: Mutex<PerService<Option<Tracked>>>,
    bus: Arc<EventBus>,
    /// Told every probe's outcome: a failed probe opens a service's breaker, an answer closes it.
    breakers: Breakers,
    /// An embedded service is probed while a fault is set on it, so a drill on a laptop shows
    /// its light `down` or `degraded` like a real service's; latency set on purpose counts as
    /// slow whatever the probe measured, so the light turns amber for any latency drill.
    faults: Arc<Faults>,
}

/// A service's health plus what the hysteresis needs.
struct Tracked {
    now: HealthChange,
    /// Slow answers in a row: one slow probe is noise, two are a trend.
    slow_in_a_row: u32,
    /// A start that has not answered by then is `down`, not `starting` forever.
    starting_until: Option<Instant>,
    /// Whether a probe has ever passed. Until then a failed probe leaves the breaker alone: a
    /// store just started may not have its first connection yet, and that is not an outage.
    answered_once: bool,
    /// Runs inside carstore: `embedded` whenever no fault says otherwise.
    embedded: bool,
}

impl HealthMonitor {
    /// Embedded services start (and stay) `embedded`; real ones `down` until their first probe.
    /// Probes every service `probes` names; the lights of those `watched` only.
    pub fn new(
        probes: Vec<HealthProbe>,
        watched: &[Service],
        bus: Arc<EventBus>,
        breakers: Breakers,
        faults: Arc<Faults>,
    ) -> Arc<HealthMonitor> {
        let now = Utc::now();
        let states = PerService::new(|service| {
            let p = probes.iter().find(|p| p.service == service)?;
            if !watched.contains(&service) {
                return None;
            }
            Some(Tracked {
                now: HealthChange {
                    service: p.service,
                    health: if p.kind == Mode::Embedded {
                        Health::Embedded
                    } else {
                        Health::Down
                    },
                    since: now,
                    latency_ms: None,
                },
                slow_in_a_row: 0,
                starting_until: None,
                // An embedded service answers from the start, so a drill's outage opens its
                // breaker from the first failed probe, as a real one's does.
                answered_once: p.kind == Mode::Embedded,
                embedded: p.kind == Mode::Embedded,
            })
        });
        Arc::new(HealthMonitor {
            probes,
            states: Mutex::new(states),
            bus,
            breakers,
            faults,
        })
    }

    /// Every service's current health.
    pub fn snapshot(&self) -> Vec<HealthChange> {
        let states = self.states.lock();
        let watched = states.iter().filter_map(|(_, t)| t.as_ref());
        watched.map(|t| t.now.clone()).collect()
    }

    pub fn health_of(&self, service: Service) -> Option<HealthChange> {
        let states = self.states.lock();
        states.get(service).as_ref().map(|t| t.now.clone())
    }

    /// A start was requested: `starting` until the probe passes.
    pub fn mark_starting(&self, service: Service) {
        self.record(service, Err(()), Some(Health::Starting));
    }

    /// Every service's probing loop, until the process ends.
    pub async fn run(self: Arc<Self>) {
        let services: Vec<Service> = self.probes.iter().map(|p| p.service).collect();
        join_all(services.into_iter().map(|s| self.clone().watch(s))).await;
    }

    /// One service: a probe every [`PROBE_EVERY`] from the start of the last, however long it
    /// took; every [`TRIAL_EVERY`] while its breaker is open, the first one [`TRIAL_EVERY`] after
    /// it opens.
    async fn watch(self: Arc<Self>, service: Service) {
        use tokio::time::{sleep_until, Instant};
        let breaker = self.breakers.get(service).clone();
        loop {
            let started = Instant::now();
            self.probe(service).await;
            let opened = breaker.when_opened();
            tokio::pin!(opened);
            opened.as_mut().enable();
            let next_trial = match breaker.state() {
                BreakerState::Closed => tokio::select! {
                    _ = sleep_until(started + PROBE_EVERY) => continue,
                    _ = opened => Instant::now() + TRIAL_EVERY,
                },
                _ => started + TRIAL_EVERY,
            };
            sleep_until(next_trial).await;
        }
    }

    #[cfg(test)]
    async fn probe_all(&self) {
        join_all(self.probes.iter().map(|p| self.probe(p.service))).await;
    }

    /// Probes a service once, as its light's probe, its breaker's trial, or both. An embedded
    /// service is not probed while no fault is set on it and its breaker is closed.
    async fn probe(&self, service: Service) {
        let Some(p) = self.probes.iter().find(|p| p.service == service) else {
            return;
        };
        let breaker = self.breakers.get(service);
        let watched = self.states.lock().get(service).is_some();
        let trial = breaker.begin_trial();
        let drilled = self.faults.note(service).is_some();
        if p.kind == Mode::Embedded && !drilled && !trial {
            return self.record(service, Err(()), Some(Health::Embedded));
        }
        if !watched && !trial {
            return;
        }
        let limit = if trial { TRIAL_TIMEOUT } else { PROBE_TIMEOUT };
        let started = Instant::now();
        let answer = tokio::time::timeout(limit, (p.run)()).await;
        let outcome = matches!(answer, Ok(Ok(())))
            .then(|| started.elapsed())
            .ok_or(());
        match (watched, outcome) {
            (true, outcome) => self.record(service, outcome, None),
            (false, Ok(_)) => breaker.probe_passed(),
            (false, Err(())) => {}
        }
        if trial && outcome.is_err() {
            breaker.trial_failed();
        }
    }

    /// Applies a probe's outcome (or a forced health) and broadcasts a change of health.
    fn record(&self, service: Service, outcome: Result<Duration, ()>, forced: Option<Health>) {
        let mut states = self.states.lock();
        let Some(state) = states.get_mut(service).as_mut() else {
            return;
        };
        if forced == Some(Health::Starting) {
            state.starting_until = Some(Instant::now() + START_GRACE);
        }
        if forced == Some(Health::Embedded) {
            return self.rest(state);
        }
        let slowed = self
            .faults
            .find(FaultTarget::Service(service), FaultKind::Latency)
            .is_some();
        state.slow_in_a_row = match outcome {
            Ok(took) if took > SLOW || slowed => state.slow_in_a_row + 1,
            _ => 0,
        };
        let still_starting = state
            .starting_until
            .is_some_and(|until| Instant::now() < until);
        let health = forced.unwrap_or(match outcome {
            Ok(_) if state.slow_in_a_row >= SLOW_STREAK => Health::Degraded,
            Ok(_) if state.embedded => Health::Embedded,
            Ok(_) => Health::Up,
            // A service being started stays `starting` until it answers, within reason.
            Err(()) if state.now.health == Health::Starting && still_starting => Health::Starting,
            Err(()) => Health::Down,
        });
        let breaker = self.breakers.get(service);
        if outcome.is_ok() {
            state.starting_until = None;
            state.answered_once = true;
            breaker.probe_passed();
        } else if state.answered_once && !(state.embedded && forced.is_some()) {
            // A start asked of an embedded service (a command control) is no failed probe.
            breaker.probe_failed();
        }
        state.now.latency_ms = outcome.ok().map(|d| d.as_secs_f64() * 1000.0);
        self.change(state, health);
    }

    /// An embedded service whose drill ended is `embedded` again, and its breaker closed.
    fn rest(&self, state: &mut Tracked) {
        if state.now.health == Health::Embedded {
            return;
        }
        state.slow_in_a_row = 0;
        state.now.latency_ms = None;
        self.breakers.get(state.now.service).probe_passed();
        self.change(state, Health::Embedded);
    }

    fn change(&self, state: &mut Tracked, health: Health) {
        if health != state.now.health {
            state.now.health = health;
            state.now.since = Utc::now();
            let service = state.now.service.as_str();
            tracing::info!(service, health = ?health, "service health changed");
            self.bus.publish(StoreEvent::Health(state.now.clone()));
        }
    }
}

#[cfg(test)]
mod tests;
