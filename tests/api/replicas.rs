//! Replicas as one store, proven behind a load balancer: three `carstore serve --no-worker`
//! stores and two `carstore worker`s (the real binary) on the shared Postgres, Redis and
//! RabbitMQ, behind haproxy checking `/readyz`, under an open-model load of mixed shoppers. One
//! store is killed with SIGKILL and started again; then every store is restarted in turn with
//! SIGTERM. Afterwards: every checkout answered 201 is one order in the database, processed
//! exactly once; the rolling restart cost no request; a cart reads the same on every store; a
//! dashboard on one store saw the orders placed through the others within a second; and the
//! audit log is the same everywhere. Last, throughput through haproxy with one store and three.
//!
//! Run on its own by the test command (`cargo test --features services --test api replicas::replicas_ --
//! --nocapture`), so its `replicas ...` figures are in the output; `CARSTORE_REPLICAS_RATE` sets
//! the shoppers per second.

use crate::chaos_db::Db;
use crate::helpers::pace;
use crate::replicas_audit as audit;
use crate::replicas_checks as checks;
use crate::replicas_feed::Feed;
use crate::replicas_fleet::{shared_vars, Proc, DRAIN};
use crate::replicas_haproxy::{require_haproxy, Haproxy, CHECK_INTERVAL};
use crate::replicas_load::{shop, Shot, Shots};
use crate::replicas_stops::{Stop, Stopper};
use crate::replicas_throughput::compare_one_and_three;
use crate::replicas_views as views;
use crate::services::RealEnv;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Load before the first stop, and after each store is back before the next.
const SETTLE: Duration = Duration::from_secs(4);
const BETWEEN_RESTARTS: Duration = Duration::from_secs(2);
/// The store whose dashboard feed is followed, and the one killed.
const FEED_ON: usize = 0;
const KILLED: usize = 2;

/// The processes of the test and haproxy in front of the stores.
struct Fleet {
    stores: Vec<Proc>,
    workers: Vec<Proc>,
    haproxy: Haproxy,
}

/// What happened under load.
struct Run {
    shots: Vec<Shot>,
    killed: Stop,
    rolling: Vec<Stop>,
    secs: f64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_behind_haproxy_stay_one_store_through_a_kill_and_a_rolling_restart() {
    require_haproxy();
    let env = RealEnv::shared().await;
    let mut fleet = start_fleet(&shared_vars(&env)).await;
    let began = Instant::now();
    let feed_stop = Arc::new(AtomicBool::new(false));
    let feed_url = format!("{}/api/events", fleet.stores[FEED_ON].url);
    let feed = Feed::follow(feed_url, began, feed_stop.clone());
    let carts = views::fill_carts(&fleet.haproxy.url, 12).await;
    audit::wrong_sign_in(&fleet.stores[KILLED].url).await;
    let run = run_load(&mut fleet, began).await;

    let mut failures = Vec::new();
    checks::print_load(&run.shots, run.secs);
    failures.extend(checks::judge_kill(&run.killed, &run.shots));
    failures.extend(checks::judge_rolling(&run.rolling, &run.shots));
    failures.extend(checks::judge_instance_header(&run.shots));
    let db = Db::connect(&env.db.url()).await;
    failures.extend(checks::judge_orders(&run.shots, &db, &fleet.workers).await);
    // The last orders get the feed's whole limit (1 s) for their events before it is judged.
    pace(Duration::from_secs(1)).await;
    feed_stop.store(true, Ordering::Relaxed);
    let feed_restart = &run.rolling[FEED_ON];
    failures.extend(views::judge_feed(
        &run.shots,
        &feed,
        &run.killed,
        feed_restart,
    ));
    failures.extend(views::judge_carts(&carts, &fleet.stores).await);
    audit::wrong_sign_in(&fleet.stores[1].url).await;
    failures.extend(audit::judge_audit(&fleet.stores).await);
    failures.extend(views::judge_replica_list(&fleet.stores).await);
    checks::print_haproxy(&fleet.haproxy).await;
    failures.extend(compare_one_and_three(&fleet.haproxy, &fleet.stores[0]).await);
    failures.extend(stop_workers(&mut fleet.workers).await);
    print_complaints(&fleet);
    assert!(
        failures.is_empty(),
        "replicas run failed:\n{}",
        failures.join("\n")
    );
}

/// Three stores and two workers on the shared services, and haproxy once it sees every store.
async fn start_fleet(vars: &[(String, String)]) -> Fleet {
    let mut stores: Vec<Proc> = ["store-a", "store-b", "store-c"]
        .iter()
        .map(|name| Proc::serve(name, vars))
        .collect();
    let mut workers: Vec<Proc> = ["worker-1", "worker-2"]
        .iter()
        .map(|name| Proc::worker(name, vars))
        .collect();
    for process in stores.iter_mut().chain(workers.iter_mut()) {
        process.start().await;
    }
    let servers: Vec<(&str, u16)> = stores.iter().map(|s| (&*s.name, s.port())).collect();
    let haproxy = Haproxy::start(&servers);
    for store in &stores {
        haproxy
            .wait_for(&store.name, "UP", Duration::from_secs(20))
            .await;
    }
    println!(
        "replicas: 3 stores (serve --no-worker, drain {DRAIN:?}) and 2 workers on the shared services, haproxy checking /readyz every {} ms (out after 2 failures, back after 2 successes)",
        CHECK_INTERVAL.as_millis()
    );
    Fleet {
        stores,
        workers,
        haproxy,
    }
}

/// The open load of shoppers through haproxy while one store is killed and started again, then
/// every store restarted in turn.
async fn run_load(fleet: &mut Fleet, began: Instant) -> Run {
    let rate: f64 = std::env::var("CARSTORE_REPLICAS_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(40.0);
    println!("replicas: load: {rate} shoppers/s through haproxy");
    let (shots, stop) = (Shots::default(), Arc::new(AtomicBool::new(false)));
    let base = fleet.haproxy.url.clone();
    let load = tokio::spawn(shop(base, rate, began, shots.clone(), stop.clone()));
    pace(SETTLE).await;
    let mut stopper = Stopper {
        haproxy: &fleet.haproxy,
        shots: shots.clone(),
        began,
        bursts: 0,
    };
    let killed = stopper.kill_and_restart(&mut fleet.stores[KILLED]).await;
    pace(SETTLE).await;
    let mut rolling = Vec::new();
    for store in &mut fleet.stores {
        rolling.push(stopper.restart_gracefully(store).await);
        pace(BETWEEN_RESTARTS).await;
    }
    pace(SETTLE).await;
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    Run {
        shots: shots.all(),
        killed,
        rolling,
        secs: began.elapsed().as_secs_f64(),
    }
}

fn print_complaints(fleet: &Fleet) {
    for process in fleet.stores.iter().chain(&fleet.workers) {
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
}

/// A worker stopped with SIGTERM finishes and exits 0.
async fn stop_workers(workers: &mut [Proc]) -> Vec<String> {
    let mut wrong = Vec::new();
    for worker in workers {
        let asked = Instant::now();
        worker.sigterm();
        let exit = worker.exited(Duration::from_secs(15)).await;
        let code = exit.and_then(|s| s.code());
        println!(
            "replicas: {} stopped with SIGTERM: exit {} after {} ms",
            worker.name,
            code.map_or("none".into(), |c| c.to_string()),
            asked.elapsed().as_millis()
        );
        if !exit.is_some_and(|s| s.success()) {
            wrong.push(format!("{} on SIGTERM: {exit:?}", worker.name));
        }
    }
    wrong
}
