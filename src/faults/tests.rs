use super::*;

use crate::adapter::AdapterError;
use crate::service::Service;
use std::time::Instant;

const DATABASE: FaultTarget = FaultTarget::Service(Service::Postgres);
const CACHE: FaultTarget = FaultTarget::Service(Service::Redis);
const QUEUE: FaultTarget = FaultTarget::Service(Service::Rabbit);

fn asked(value: Option<u64>) -> FaultRequest {
    FaultRequest {
        value,
        ..FaultRequest::default()
    }
}

fn fault(target: FaultTarget, kind: FaultKind, value: Option<u64>) -> Fault {
    parse_fault(target, kind, &asked(value), Utc::now()).unwrap()
}

fn code(e: FaultRefused) -> &'static str {
    match e {
        FaultRefused::NotFound(code, _) | FaultRefused::Invalid(code, _) => code,
    }
}

#[test]
fn a_path_names_a_known_target_and_a_kind_meant_for_it() {
    assert_eq!(
        parse_path("database", "latency"),
        Ok((DATABASE, FaultKind::Latency))
    );
    assert_eq!(
        parse_path("processor", "poison"),
        Ok((FaultTarget::Processor, FaultKind::Poison))
    );
    let refused = |t, k| code(parse_path(t, k).unwrap_err());
    assert_eq!(refused("disk", "latency"), "unknown_target");
    assert_eq!(refused("cache", "fire"), "unknown_fault");
    assert_eq!(refused("cache", "poison"), "fault_not_for_target");
    assert_eq!(refused("store", "outage"), "fault_not_for_target");
    assert_eq!(refused("processor", "errors"), "fault_not_for_target");
}

#[test]
fn values_are_checked_against_their_kind() {
    let now = Utc::now();
    let check = |kind, value| parse_fault(CACHE, kind, &asked(value), now).map_err(code);
    assert_eq!(check(FaultKind::Latency, None), Err("value_missing"));
    assert_eq!(
        check(FaultKind::Latency, Some(0)),
        Err("value_out_of_range")
    );
    assert_eq!(
        check(FaultKind::Latency, Some(60_001)),
        Err("value_out_of_range")
    );
    assert_eq!(
        check(FaultKind::Errors, Some(101)),
        Err("value_out_of_range")
    );
    assert_eq!(check(FaultKind::Outage, Some(5)), Err("value_not_used"));
    assert_eq!(
        check(FaultKind::Errors, Some(100)).unwrap().value,
        Some(100)
    );
    assert_eq!(check(FaultKind::Outage, None).unwrap().value, None);
    let jitter = FaultRequest {
        jitter_ms: Some(10),
        ..asked(Some(5))
    };
    let errors = parse_fault(CACHE, FaultKind::Errors, &jitter, now);
    assert_eq!(errors.map_err(code), Err("jitter_not_used"));
}

#[test]
fn a_fault_expires_within_a_day_and_routes_belong_to_the_store() {
    let now = Utc::now();
    let with = |expires_in_secs, route: Option<&str>| FaultRequest {
        value: Some(10),
        expires_in_secs,
        route: route.map(str::to_owned),
        ..FaultRequest::default()
    };
    let store =
        |asked: &FaultRequest| parse_fault(FaultTarget::Routes, FaultKind::Errors, asked, now);
    let set = store(&with(Some(60), Some("/api/cart"))).unwrap();
    assert_eq!(set.expires_at, Some(now + chrono::Duration::seconds(60)));
    assert_eq!(set.route.as_deref(), Some("/api/cart"));
    assert_eq!(
        store(&with(Some(0), None)).map_err(code),
        Err("expiry_out_of_range")
    );
    assert_eq!(
        store(&with(Some(86_401), None)).map_err(code),
        Err("expiry_out_of_range")
    );
    for exempt in ["/api/faults", "/api", "/healthz", "/metrics/x"] {
        let refused = store(&with(None, Some(exempt))).map_err(code);
        assert_eq!(refused, Err("route_exempt"), "{exempt}");
    }
    assert_eq!(
        store(&with(None, Some("cart"))).map_err(code),
        Err("invalid_route")
    );
    let cache = parse_fault(
        CACHE,
        FaultKind::Errors,
        &with(None, Some("/api/cart")),
        now,
    );
    assert_eq!(cache.map_err(code), Err("route_not_used"));
}

#[test]
fn a_route_covers_itself_and_what_is_under_it() {
    assert!(covers("/api/cart", "/api/cart"));
    assert!(covers("/api/cart", "/api/cart/items/3"));
    assert!(!covers("/api/cart", "/api/carts"));
    assert!(!covers("/api/cart", "/api/cars"));
}

#[test]
fn the_registry_keeps_one_fault_per_target_and_kind_and_forgets_expired_ones() {
    let faults = Faults::default();
    faults
        .set(fault(CACHE, FaultKind::Latency, Some(100)))
        .unwrap();
    faults
        .set(fault(CACHE, FaultKind::Latency, Some(200)))
        .unwrap();
    assert_eq!(faults.list().len(), 1);
    assert_eq!(faults.list()[0].value, Some(200));
    let mut gone = fault(DATABASE, FaultKind::Outage, None);
    gone.expires_at = Some(Utc::now() - chrono::Duration::seconds(1));
    faults.set(gone).unwrap();
    assert!(faults.find(DATABASE, FaultKind::Outage).is_none());
    assert_eq!(faults.list().len(), 1);
    assert!(faults.clear(CACHE, FaultKind::Latency));
    assert!(!faults.clear(CACHE, FaultKind::Latency));
    assert!(faults.list().is_empty());
}

#[test]
fn the_registry_is_bounded() {
    let faults = Faults::default();
    for ms in 0..MAX_FAULTS as u32 {
        let mut f = fault(CACHE, FaultKind::Latency, Some(1));
        f.jitter_ms = Some(ms);
        faults.active.write().push(f);
    }
    let refused = faults.set(fault(QUEUE, FaultKind::Outage, None));
    assert_eq!(refused, Err(MAX_FAULTS));
    assert_eq!(faults.clear_all().len(), MAX_FAULTS);
}

#[tokio::test]
async fn an_outage_fails_every_call_after_its_latency_and_counts_them() {
    let faults = Faults::default();
    faults
        .set(fault(CACHE, FaultKind::Latency, Some(50)))
        .unwrap();
    faults.set(fault(CACHE, FaultKind::Outage, None)).unwrap();
    let started = Instant::now();
    let failed = faults.before_call(Service::Redis).await.unwrap_err();
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert!(matches!(
        failed,
        AdapterError::Unavailable {
            service: Service::Redis,
            ..
        }
    ));
    assert!(failed.to_string().contains("fault injected"), "{failed}");
    assert!(faults.before_call(Service::Postgres).await.is_ok());
    let mut counts = faults.injected();
    counts.sort_by_key(|(_, k, _)| k.as_str());
    assert_eq!(
        counts,
        vec![
            (CACHE, FaultKind::Latency, 1),
            (CACHE, FaultKind::Outage, 1)
        ]
    );
    assert_eq!(
        faults.note(Service::Redis).unwrap(),
        "fault injected: latency, outage"
    );
}

#[test]
fn an_error_ratio_fails_about_its_share_of_calls() {
    let faults = Faults::default();
    faults
        .set(fault(DATABASE, FaultKind::Errors, Some(30)))
        .unwrap();
    let failed = (0..10_000)
        .filter(|_| faults.fail_share(Service::Postgres).is_err())
        .count();
    // 30% of 10 000 has a standard deviation of about 46: 2 700..3 300 is more than six of them.
    assert!(
        (2_700..3_300).contains(&failed),
        "{failed} of 10 000 failed"
    );
    assert!(faults.fail_share(Service::Redis).is_ok());
}

#[test]
fn poison_is_taken_one_message_at_a_time_and_ends_after_the_last() {
    let faults = Faults::default();
    faults
        .set(fault(FaultTarget::Processor, FaultKind::Poison, Some(2)))
        .unwrap();
    assert!(faults.take_poison());
    assert_eq!(faults.list()[0].value, Some(1));
    assert!(faults.take_poison());
    assert!(!faults.take_poison());
    assert!(faults.list().is_empty());
}

#[test]
fn a_store_fault_fails_only_its_route() {
    let faults = Faults::default();
    let mut on_cart = fault(FaultTarget::Routes, FaultKind::Errors, Some(100));
    on_cart.route = Some("/api/cart".into());
    faults.set(on_cart).unwrap();
    assert!(faults.fails_request("/api/cart/items", None));
    assert!(!faults.fails_request("/api/cars", None));
    let mut on_car = fault(FaultTarget::Routes, FaultKind::Errors, Some(100));
    on_car.route = Some("/api/cars/{id}".into());
    faults.set(on_car).unwrap();
    assert!(faults.fails_request("/api/cars/7", Some("/api/cars/{id}")));
    assert!(!faults.fails_request("/api/cars", Some("/api/cars")));
}

#[test]
fn faults_that_end_on_their_own_are_handed_on_once_with_when_they_ended() {
    let faults = Faults::default();
    let expiry = Utc::now() - chrono::Duration::milliseconds(300);
    let mut expired = fault(CACHE, FaultKind::Outage, None);
    expired.expires_at = Some(expiry);
    faults.set(expired).unwrap();
    faults
        .set(fault(FaultTarget::Processor, FaultKind::Poison, Some(1)))
        .unwrap();
    faults
        .set(fault(DATABASE, FaultKind::Latency, Some(5)))
        .unwrap();
    assert!(faults.take_poison());
    // Cleared by someone is not an end on its own: that change is told by whoever cleared it.
    assert_eq!(faults.clear_all().len(), 1);
    let ended: Vec<_> = faults
        .take_ended()
        .into_iter()
        .map(|(f, at)| (f.target, f.kind, at))
        .collect();
    assert_eq!(ended.len(), 2, "{ended:?}");
    assert_eq!(ended[0], (CACHE, FaultKind::Outage, expiry));
    assert_eq!(
        (ended[1].0, ended[1].1),
        (FaultTarget::Processor, FaultKind::Poison)
    );
    assert!(faults.take_ended().is_empty(), "each end is handed on once");
}

#[test]
fn ends_nobody_hands_on_are_bounded() {
    let faults = Faults::default();
    for _ in 0..MAX_FAULTS * 3 {
        let mut gone = fault(QUEUE, FaultKind::Outage, None);
        gone.expires_at = Some(Utc::now() - chrono::Duration::seconds(1));
        faults.set(gone).unwrap();
        assert!(faults.list().is_empty());
    }
    assert_eq!(faults.take_ended().len(), MAX_FAULTS);
}
