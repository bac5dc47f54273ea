use super::*;
use async_trait::async_trait;
use std::sync::atomic::AtomicBool;

/// A service whose answer the test decides.
struct Switch(AtomicBool);

#[async_trait]
impl Ping for Switch {
    fn mode(&self) -> crate::adapter::Mode {
        crate::adapter::Mode::Service
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        match self.0.load(Ordering::Relaxed) {
            true => Ok(()),
            false => Err(AdapterError::unavailable(Service::Redis, "gone")),
        }
    }
}

fn breaker(answers: bool) -> (Arc<Breaker>, Arc<Switch>, Arc<EventBus>) {
    let bus = Arc::new(EventBus::default());
    let switch = Arc::new(Switch(AtomicBool::new(answers)));
    (
        Breaker::new(Service::Redis, switch.clone(), bus.clone()),
        switch,
        bus,
    )
}

async fn fail(b: &Arc<Breaker>) -> Result<(), AdapterError> {
    b.call(async { Err::<(), _>(AdapterError::unavailable(Service::Redis, "gone")) })
        .await
}

async fn succeed(b: &Arc<Breaker>) -> Result<(), AdapterError> {
    b.call(async { Ok(()) }).await
}

#[tokio::test]
async fn a_few_failures_in_a_row_open_it_and_then_calls_are_refused_without_running() {
    let (b, _, _) = breaker(false);
    for _ in 0..FAILURES_TO_OPEN {
        assert!(fail(&b).await.is_err());
    }
    assert_ne!(b.state(), BreakerState::Closed);
    let ran = AtomicBool::new(false);
    let refused = b
        .call(async {
            ran.store(true, Ordering::Relaxed);
            Ok(())
        })
        .await;
    assert!(matches!(
        refused,
        Err(AdapterError::Unavailable {
            service: Service::Redis,
            ..
        })
    ));
    assert!(
        !ran.load(Ordering::Relaxed),
        "an open breaker must not run the call"
    );
    assert_eq!(b.refused(), 1);
}

#[tokio::test]
async fn a_success_between_failures_keeps_it_closed() {
    let (b, _, _) = breaker(false);
    for _ in 0..FAILURES_TO_OPEN - 1 {
        let _ = fail(&b).await;
    }
    succeed(&b).await.unwrap();
    let _ = fail(&b).await;
    assert_eq!(b.state(), BreakerState::Closed);
}

#[tokio::test]
async fn while_the_service_is_away_it_stays_open_and_its_return_closes_it_within_a_trial() {
    let (b, switch, _) = breaker(false);
    b.probe_failed();
    tokio::time::sleep(TRIAL_EVERY * 3).await;
    assert!(succeed(&b).await.is_err(), "still refused: the trials fail");
    switch.0.store(true, Ordering::Relaxed);
    tokio::time::sleep(TRIAL_EVERY * 2).await;
    assert_eq!(b.state(), BreakerState::Closed);
    succeed(&b).await.expect("calls go through again");
}

#[tokio::test]
async fn probes_open_and_close_it_and_each_visible_move_is_published_once() {
    let (b, _, bus) = breaker(false);
    let mut events = bus.subscribe();
    b.probe_failed();
    b.probe_failed();
    b.probe_passed();
    b.probe_passed();
    let seen: Vec<BreakerState> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|e| match e {
            StoreEvent::Breaker(change) => Some(change.state),
            _ => None,
        })
        .collect();
    assert_eq!(seen, vec![BreakerState::Open, BreakerState::Closed]);
    succeed(&b).await.unwrap();
}

#[tokio::test]
async fn corrupt_data_is_not_an_outage() {
    let (b, _, _) = breaker(true);
    for _ in 0..FAILURES_TO_OPEN + 1 {
        let _ = b
            .call(async { Err::<(), _>(AdapterError::Corrupt("bad row".into())) })
            .await;
    }
    assert_eq!(b.state(), BreakerState::Closed);
}

#[tokio::test]
async fn a_call_waiting_on_a_service_found_down_meanwhile_is_let_go_at_once() {
    let (b, _, _) = breaker(false);
    let waiting = tokio::spawn({
        let b = b.clone();
        async move {
            let started = std::time::Instant::now();
            let result = b
                .call(async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    Ok(())
                })
                .await;
            (result, started.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    b.probe_failed();
    let (result, took) = waiting.await.unwrap();
    assert!(result.is_err());
    assert!(took < Duration::from_secs(1), "let go after {took:?}");
}
