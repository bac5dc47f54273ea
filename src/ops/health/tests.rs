use super::*;
use crate::service::Service;
use std::sync::atomic::{AtomicBool, Ordering};

fn monitor(up: Arc<AtomicBool>) -> (Arc<HealthMonitor>, Arc<EventBus>) {
    let bus = Arc::new(EventBus::default());
    let probe = HealthProbe::new(Service::Redis, Mode::Service, move || {
        let up = up.load(Ordering::Relaxed);
        async move {
            if up {
                Ok(())
            } else {
                Err(AdapterError::unavailable(Service::Redis, "down"))
            }
        }
    });
    let embedded = HealthProbe::new(Service::Postgres, Mode::Embedded, || async { Ok(()) });
    let breakers = crate::breaker::Breaker::per_service(&bus);
    let watched = [Service::Redis, Service::Postgres];
    let probes = vec![probe, embedded];
    let m = HealthMonitor::new(probes, &watched, bus.clone(), breakers, Arc::default());
    (m, bus)
}

#[tokio::test]
async fn transitions_are_broadcast_once_each() {
    let up = Arc::new(AtomicBool::new(true));
    let (m, bus) = monitor(up.clone());
    let mut events = bus.subscribe();
    m.probe_all().await;
    m.probe_all().await;
    up.store(false, Ordering::Relaxed);
    m.probe_all().await;
    // The breaker's moves travel on the same bus; only health matters here.
    let seen: Vec<Health> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|e| match e {
            StoreEvent::Health(h) => Some(h.health),
            _ => None,
        })
        .collect();
    assert_eq!(seen, vec![Health::Up, Health::Down]);
    assert_eq!(
        m.health_of(Service::Postgres).unwrap().health,
        Health::Embedded
    );
}

#[tokio::test]
async fn a_started_service_stays_starting_until_it_answers() {
    let up = Arc::new(AtomicBool::new(false));
    let (m, _bus) = monitor(up.clone());
    m.mark_starting(Service::Redis);
    m.probe_all().await;
    assert_eq!(
        m.health_of(Service::Redis).unwrap().health,
        Health::Starting
    );
    up.store(true, Ordering::Relaxed);
    m.probe_all().await;
    assert_eq!(m.health_of(Service::Redis).unwrap().health, Health::Up);
}

/// Waits up to `limit` for `done`, looking every 20 ms.
async fn within(limit: Duration, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !done() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test]
async fn an_open_breaker_is_tried_by_the_probes_and_closed_by_the_first_answer() {
    let up = Arc::new(AtomicBool::new(true));
    let (m, _bus) = monitor(up.clone());
    let breaker = m.breakers.get(Service::Redis).clone();
    let probing = tokio::spawn(m.clone().run());
    assert!(
        within(Duration::from_secs(2), || m
            .health_of(Service::Redis)
            .unwrap()
            .health
            == Health::Up)
        .await
    );
    up.store(false, Ordering::Relaxed);
    breaker.probe_failed();
    // Trials every 200 ms fail, so it stays open (or half-open, a trial in flight).
    tokio::time::sleep(TRIAL_EVERY * 3).await;
    assert_ne!(breaker.state(), BreakerState::Closed, "the trials fail");
    up.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let closed = within(Duration::from_secs(2), || {
        breaker.state() == BreakerState::Closed
    })
    .await;
    assert!(closed, "the first answer closes it");
    let took = started.elapsed().as_millis();
    println!("closed {took} ms after the service returned (trials every 200 ms)");
    probing.abort();
}
