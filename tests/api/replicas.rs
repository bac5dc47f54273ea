//! Replicas as one store, proven behind a load balancer: three `carstore serve --no-worker`
//! stores and two `carstore worker`s (the real binary) on the shared Postgres, Redis and
//! RabbitMQ, behind haproxy checking `/readyz`, under an open-model load of mixed shoppers. One
//! store is killed with SIGKILL and started again; then every store is restarted in turn with
//! SIGTERM. Afterwards: every checkout answered 201 is one order in the database, processed
//! exactly once; the rolling restart cost no request; a cart reads the same on every store; a
//! dashboard on one store saw the orders placed through the others within a second; and the
//! audit log is the same everywhere. Last, throughput through haproxy with one store and three.
//!
//! Run on its own by the test command (`cargo test --test api replicas:: -- --nocapture`), so
//! its `replicas ...` figures are in the output; `CARSTORE_REPLICAS_RATE` sets the shoppers per
//! second.

use crate::chaos_db::Db;
use crate::replicas_checks as checks;
use crate::replicas_feed::Feed;
use crate::replicas_fleet::{shared_vars, stops_accepting, HeldRequest, Proc, DRAIN};
use crate::replicas_haproxy::{require_haproxy, Haproxy, CHECK_INTERVAL};
use crate::replicas_load::{shop, Shots};
use crate::replicas_views as views;
use crate::services::RealEnv;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Load before the first stop, and after each store is back before the next.
const SETTLE: Duration = Duration::from_secs(4);
const BETWEEN_RESTARTS: Duration = Duration::from_secs(2);
const BACK_WITHIN: Duration = Duration::from_secs(20);

/// A store stopped and started again, as it happened (times since the load began).
pub struct Stop {
    pub name: String,
    pub at: Duration,
    /// Requests on the store by haproxy's count just before the signal.
    pub in_flight: u64,
    /// When `/readyz` first answered 503 after SIGTERM.
    pub not_ready_after: Option<Duration>,
    /// When haproxy took it out of the rotation.
    pub out_after: Option<Duration>,
    /// What a request sent straight to it answered once `/readyz` said 503.
    pub served_when_not_ready: Option<u16>,
    /// When it stopped accepting connections: the drain's end.
    pub closed_after: Option<Duration>,
    /// The answer to a request it had begun to read at SIGTERM and got the rest of after its
    /// drain.
    pub held: Option<u16>,
    /// How it exited, and when.
    pub exit: Option<(std::process::ExitStatus, Duration)>,
    /// When haproxy had it back in the rotation.
    pub back_at: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_behind_haproxy_stay_one_store_through_a_kill_and_a_rolling_restart() {
    require_haproxy();
    let env = RealEnv::shared().await;
    let vars = shared_vars(&env);
    let mut stores: Vec<Proc> = ["store-a", "store-b", "store-c"]
        .iter()
        .map(|name| Proc::serve(name, &vars))
        .collect();
    let mut workers: Vec<Proc> = ["worker-1", "worker-2"]
        .iter()
        .map(|name| Proc::worker(name, &vars))
        .collect();
    for process in stores.iter_mut().chain(workers.iter_mut()) {
        process.start().await;
    }
    let servers: Vec<(&str, u16)> = stores.iter().map(|s| (&*s.name, s.port())).collect();
    let haproxy = Haproxy::start(&servers);
    for store in &stores {
        haproxy.wait_for(&store.name, "UP", BACK_WITHIN).await;
    }
    let rate: f64 = std::env::var("CARSTORE_REPLICAS_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30.0);
    println!(
        "replicas: 3 stores (serve --no-worker, drain {DRAIN:?}) and 2 workers on the shared services, haproxy checking /readyz every {} ms (out after 2 failures, back after 2 successes); {rate} shoppers/s",
        CHECK_INTERVAL.as_millis()
    );

    let began = Instant::now();
    let feed_stop = Arc::new(AtomicBool::new(false));
    let feed = Feed::follow(
        format!("{}/api/events", stores[0].url),
        began,
        feed_stop.clone(),
    );
    let carts = views::fill_carts(&haproxy.url, 12).await;
    views::wrong_sign_in(&stores[2].url).await;
    let (shots, load_stop) = (Shots::default(), Arc::new(AtomicBool::new(false)));
    let load = tokio::spawn(shop(
        haproxy.url.clone(),
        rate,
        began,
        shots.clone(),
        load_stop.clone(),
    ));
    tokio::time::sleep(SETTLE).await;

    let killed = kill_and_restart(&mut stores[2], &haproxy, began).await;
    tokio::time::sleep(SETTLE).await;
    let mut rolling = Vec::new();
    for store in &mut stores {
        rolling.push(restart_gracefully(store, &haproxy, began).await);
        tokio::time::sleep(BETWEEN_RESTARTS).await;
    }
    tokio::time::sleep(SETTLE).await;
    load_stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    let load_secs = began.elapsed().as_secs_f64();

    let shots = shots.all();
    let mut failures = Vec::new();
    checks::print_load(&shots, load_secs);
    failures.extend(checks::judge_kill(&killed, &shots));
    failures.extend(checks::judge_rolling(&rolling, &shots));
    failures.extend(checks::judge_instance_header(&shots));
    let db = Db::connect(&env.db.url()).await;
    failures.extend(checks::judge_orders(&shots, &db, &workers).await);
    // The feed gets a moment for the last orders' events before it is judged.
    tokio::time::sleep(Duration::from_secs(1)).await;
    feed_stop.store(true, Ordering::Relaxed);
    failures.extend(views::judge_feed(&shots, &feed));
    failures.extend(views::judge_carts(&carts, &stores).await);
    views::wrong_sign_in(&stores[1].url).await;
    failures.extend(views::judge_audit(&stores).await);
    failures.extend(views::judge_replica_list(&stores).await);
    checks::print_haproxy(&haproxy).await;

    failures.extend(checks::compare_one_and_three(&haproxy, &stores[0]).await);
    failures.extend(stop_workers(&mut workers).await);
    for process in stores.iter().chain(&workers) {
        let complaints = process.complaints();
        println!(
            "replicas: {} logged {} WARN/ERROR lines",
            process.name,
            complaints.len()
        );
        for line in complaints.iter().take(5) {
            println!("    {line}");
        }
    }
    assert!(
        failures.is_empty(),
        "replicas run failed:\n{}",
        failures.join("\n")
    );
}

/// SIGKILL, then started again as soon as haproxy has noticed.
async fn kill_and_restart(store: &mut Proc, haproxy: &Haproxy, began: Instant) -> Stop {
    let in_flight = haproxy.servers().await[&store.name].current;
    let at = began.elapsed();
    store.kill();
    haproxy.wait_for(&store.name, "DOWN", BACK_WITHIN).await;
    let out_after = began.elapsed() - at;
    store.start().await;
    haproxy.wait_for(&store.name, "UP", BACK_WITHIN).await;
    Stop {
        name: store.name.clone(),
        at,
        in_flight,
        not_ready_after: None,
        out_after: Some(out_after),
        served_when_not_ready: None,
        closed_after: None,
        held: None,
        exit: None,
        back_at: began.elapsed(),
    }
}

/// SIGTERM: `/readyz` should say 503 at once, haproxy take the store out, the store go on
/// serving for its drain, then stop accepting, finish what it holds and exit 0; then it is
/// started again and waited for in the rotation.
async fn restart_gracefully(store: &mut Proc, haproxy: &Haproxy, began: Instant) -> Stop {
    let held = HeldRequest::open(store).await;
    let in_flight = haproxy.servers().await[&store.name].current;
    let at = began.elapsed();
    let since = || began.elapsed() - at;
    store.sigterm();
    let not_ready_after = views::readyz_turns_503(&store.url, Duration::from_secs(1))
        .await
        .map(|_| since());
    let served_when_not_ready = views::status_of(&format!("{}/api/cars", store.url)).await;
    let out = haproxy
        .reaches(&store.name, "DOWN", Duration::from_secs(5))
        .await;
    let out_after = out.then(since);
    let closed = stops_accepting(store, Duration::from_secs(15)).await;
    let closed_after = closed.then(since);
    let held = held.finish().await;
    let exit = store
        .exited(Duration::from_secs(30))
        .await
        .map(|s| (s, since()));
    if exit.is_none() {
        store.kill(); // still running after 30 s: the judge says so; the test goes on
    }
    store.start().await;
    haproxy.wait_for(&store.name, "UP", BACK_WITHIN).await;
    Stop {
        name: store.name.clone(),
        at,
        in_flight,
        not_ready_after,
        out_after,
        served_when_not_ready: Some(served_when_not_ready),
        closed_after,
        held: Some(held),
        exit,
        back_at: began.elapsed(),
    }
}

/// A worker stopped with SIGTERM finishes and exits 0.
async fn stop_workers(workers: &mut [Proc]) -> Vec<String> {
    let mut wrong = Vec::new();
    for worker in workers {
        let asked = Instant::now();
        worker.sigterm();
        let exit = worker.exited(Duration::from_secs(15)).await;
        println!(
            "replicas: {} stopped with SIGTERM: {exit:?} after {} ms",
            worker.name,
            asked.elapsed().as_millis()
        );
        if !exit.is_some_and(|s| s.success()) {
            wrong.push(format!("{} on SIGTERM: {exit:?}", worker.name));
        }
    }
    wrong
}
