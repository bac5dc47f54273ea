use super::*;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn breaker() -> (Arc<Breaker>, Arc<EventBus>) {
    let bus = Arc::new(EventBus::default());
    (Breaker::new(Service::Redis, bus.clone()), bus)
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
    let (b, _) = breaker();
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
    let (b, _) = breaker();
    for _ in 0..FAILURES_TO_OPEN - 1 {
        let _ = fail(&b).await;
    }
    succeed(&b).await.unwrap();
    let _ = fail(&b).await;
    assert_eq!(b.state(), BreakerState::Closed);
}

#[tokio::test]
async fn probes_open_and_close_it_and_each_visible_move_is_published_once() {
    let (b, bus) = breaker();
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
    let (b, _) = breaker();
    for _ in 0..FAILURES_TO_OPEN + 1 {
        let _ = b
            .call(async { Err::<(), _>(AdapterError::Corrupt("bad row".into())) })
            .await;
    }
    assert_eq!(b.state(), BreakerState::Closed);
}

#[tokio::test]
async fn a_call_waiting_on_a_service_found_down_meanwhile_is_let_go_at_once() {
    let (b, _) = breaker();
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
