//! What each store shows of the one store they make: the dashboard's feed on one store against
//! the orders placed through the others, carts read on every store, the audit log and the list
//! of replicas on every store, and `/readyz` as a load balancer reads it during a stop.

use crate::chaos_load::{quantile_ms, Step};
use crate::helpers::try_wait_for;
use crate::replicas_feed::Feed;
use crate::replicas_fleet::Proc;
use crate::replicas_load::Shot;
use crate::replicas_stops::Stop;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// An order event must reach the other stores' feeds within this.
const FEED_LIMIT: Duration = Duration::from_secs(1);
/// The worker's `processed` event, after the checkout's answer.
const PROCESSED_LIMIT: Duration = Duration::from_secs(5);

/// Polls `/readyz` until it answers 503; false if it never does within `within`.
pub async fn readyz_turns_503(store: &str, within: Duration) -> bool {
    let client = reqwest::Client::new();
    let turned = async || {
        let answer = client
            .get(format!("{store}/readyz"))
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        match answer.is_ok_and(|r| r.status() == 503) {
            true => Ok(()),
            false => Err(()),
        }
    };
    try_wait_for(within, turned).await.is_ok()
}

/// The status of a GET, 0 for no answer.
pub async fn status_of(url: &str) -> u16 {
    reqwest::get(url).await.map_or(0, |r| r.status().as_u16())
}

/// Shoppers who fill a cart through haproxy (two adds, likely on two stores) and leave it:
/// each one's session and the items its cart held.
pub async fn fill_carts(haproxy: &str, shoppers: i64) -> Vec<(String, Value)> {
    let mut carts = Vec::new();
    for n in 0..shoppers {
        let client = crate::helpers::shopper();
        for (car, quantity) in [(1 + n, 1 + n % 3), (20 + n, 1)] {
            let added = client
                .post(format!("{haproxy}/api/cart"))
                .json(&json!({ "car_id": car, "quantity": quantity }))
                .send()
                .await
                .unwrap();
            assert_eq!(added.status(), 201, "adding to a cart through haproxy");
        }
        let cart = crate::helpers::get_json(&client, &format!("{haproxy}/api/cart")).await;
        let session = cart["session_id"].as_str().expect("session_id").to_owned();
        assert_eq!(cart["items"].as_array().unwrap().len(), 2, "{cart}");
        carts.push((session, cart["items"].clone()));
    }
    carts
}

/// Each cart, read directly from every store with the shopper's cookie, is the one it filled.
pub async fn judge_carts(carts: &[(String, Value)], stores: &[Proc]) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for (session, items) in carts {
        for store in stores {
            let cart: Value = client
                .get(format!("{}/api/cart", store.url))
                .header("Cookie", format!("session_id={session}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if cart["items"] != *items {
                wrong.push(format!(
                    "cart {session} on {}: {} instead of {items}",
                    store.name, cart["items"]
                ));
            }
        }
    }
    println!(
        "replicas: carts: {} shoppers' carts read on each of {} stores after the restarts, {} differ",
        carts.len(),
        stores.len(),
        wrong.len()
    );
    wrong
}

/// The first `order` event of each order on the feed, apart from its `processed` one, and the
/// store each order event names.
#[derive(Default)]
struct FeedIndex {
    first: HashMap<(i64, bool), Duration>,
    instance_of: HashMap<i64, String>,
}

fn index(feed: &Feed) -> FeedIndex {
    let mut index = FeedIndex::default();
    for e in feed.events() {
        let Some(id) = e.data["order_id"].as_i64() else {
            continue;
        };
        let processed = e.event == "processed" || e.data["status"] == "processed";
        if e.event != "order" && !processed {
            continue;
        }
        index.first.entry((id, processed)).or_insert(e.at);
        if let (false, Some(name)) = (processed, e.data["instance"].as_str()) {
            index.instance_of.insert(id, name.to_owned());
        }
    }
    index
}

/// Each order placed through another store than the feed's, with its first 201; leaving out
/// the checkouts on their way at the SIGKILL: the store that wrote such an order may have died
/// before telling anyone, and a retry elsewhere answers with the order but cannot announce it.
/// Also how many shoppers were left out.
fn placed_elsewhere<'a>(
    shots: &'a [Shot],
    feed_on: &str,
    killed: &Stop,
) -> (BTreeMap<i64, &'a Shot>, usize) {
    let mut placed = BTreeMap::new();
    let at_kill = |s: &&Shot| s.overlaps(killed.at, killed.at) || killed.burst.contains(&s.shopper);
    let mut lost = HashSet::new();
    for shot in shots.iter().filter(at_kill) {
        lost.insert(shot.shopper);
    }
    for shot in shots
        .iter()
        .filter(|s| s.step == Step::Checkout && !lost.contains(&s.shopper))
    {
        if let (Some(id), Some(server)) = (shot.order_id, &shot.server) {
            if server != feed_on {
                placed.entry(id).or_insert(shot);
            }
        }
    }
    (placed, lost.len())
}

#[derive(Default)]
struct FeedFigures {
    delays: Vec<Duration>,
    never: Vec<i64>,
    outside: usize,
    wrong_instance: usize,
    processed_due: usize,
    processed_seen: usize,
}

/// Orders answered 201 through the other stores while the feed on one store was open must be in
/// it within a second, naming the store; their `processed` events must follow. While the feed's
/// store restarts (`restarted`), from its SIGTERM until haproxy has it back, a browser's feed
/// would have moved to another store through the load balancer (this one reconnects straight to
/// its store, sooner): orders placed then are only counted.
pub fn judge_feed(shots: &[Shot], feed: &Feed, killed: &Stop, restarted: &Stop) -> Vec<String> {
    let index = index(feed);
    let feed_on = &restarted.name;
    let (placed, at_kill) = placed_elsewhere(shots, &restarted.name, killed);
    let mut f = FeedFigures::default();
    for (id, shot) in &placed {
        let restarting = shot.overlaps(restarted.at, restarted.back_at);
        if restarting || !feed.open_over(shot.sent, shot.answered_at() + FEED_LIMIT) {
            f.outside += 1;
            continue;
        }
        match index.first.get(&(*id, false)) {
            Some(at) => f.delays.push(at.saturating_sub(shot.answered_at())),
            None => f.never.push(*id),
        }
        let named = index.instance_of.get(id);
        f.wrong_instance += (named.is_some() && named != shot.server.as_ref()) as usize;
        if feed.open_over(shot.sent, shot.answered_at() + PROCESSED_LIMIT) {
            f.processed_due += 1;
            let due = shot.answered_at() + PROCESSED_LIMIT;
            f.processed_seen += index.first.get(&(*id, true)).is_some_and(|at| *at <= due) as usize;
        }
    }
    let over_limit = f.delays.iter().filter(|d| **d > FEED_LIMIT).count();
    println!(
        "replicas: feed on {feed_on} ({} connections): {} orders placed through the other stores while it was open, {} seen (delay after the 201: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms), {} never seen, {over_limit} over {} ms; {} placed while {feed_on} restarted, {at_kill} shoppers left out for checking out at the SIGKILL; {} without the placing store's name; processed events {} of {} within {} s",
        feed.connections(),
        placed.len() - f.outside,
        f.delays.len(),
        quantile_ms(f.delays.clone(), 0.5),
        quantile_ms(f.delays.clone(), 0.99),
        quantile_ms(f.delays.clone(), 1.0),
        f.never.len(),
        FEED_LIMIT.as_millis(),
        f.outside,
        f.wrong_instance,
        f.processed_seen,
        f.processed_due,
        PROCESSED_LIMIT.as_secs(),
    );
    for id in f.never.iter().take(5) {
        let shot = placed[id];
        println!(
            "    order {id} never seen: answered 201 by {:?} at {:.3} s",
            shot.server,
            shot.answered_at().as_secs_f64()
        );
    }
    let mut wrong = Vec::new();
    if f.delays.is_empty() || !f.never.is_empty() || over_limit > 0 {
        wrong.push(format!(
            "feed on {feed_on}: {} orders from other stores never seen (first: {:?}), {over_limit} late, {} seen",
            f.never.len(),
            &f.never[..f.never.len().min(5)],
            f.delays.len()
        ));
    }
    if f.wrong_instance > 0 {
        wrong.push(format!(
            "feed on {feed_on}: {} order events without the placing store's name",
            f.wrong_instance
        ));
    }
    if f.processed_seen < f.processed_due {
        wrong.push(format!(
            "feed on {feed_on}: processed events for {} of {} orders",
            f.processed_seen, f.processed_due
        ));
    }
    wrong
}

/// Every store lists all three, ready and not draining, and names itself.
pub async fn judge_replica_list(stores: &[Proc]) -> Vec<String> {
    let mut wrong = Vec::new();
    for store in stores {
        let listed = reqwest::get(format!("{}/api/replicas", store.url))
            .await
            .unwrap();
        let status = listed.status();
        let body: Value = listed.json().await.unwrap_or(Value::Null);
        let ok = |name: &str| {
            body["replicas"].as_array().is_some_and(|all| {
                all.iter()
                    .any(|r| r["instance"] == name && r["ready"] == true && r["draining"] == false)
            })
        };
        let all_listed = stores.iter().all(|s| ok(&s.name));
        if status != 200 || body["this"] != store.name.as_str() || !all_listed {
            wrong.push(format!("/api/replicas on {}: {status} {body}", store.name));
        }
    }
    println!(
        "replicas: /api/replicas on each store lists all three ready: {}",
        wrong.is_empty()
    );
    wrong
}
