//! Nothing is down, yet something is wrong: a slow database, a poison message, a client that
//! retries.

use super::{check, detect, shoppers};
use crate::faults::FaultKind::{Latency, Poison};
use crate::faults::FaultTarget::{self, Processor};
use crate::scenarios::Action::*;
use crate::scenarios::Light::{Amber, Green};
use crate::scenarios::Phase::{Break, Fix, Observe};
use crate::scenarios::Signal::*;
use crate::scenarios::{Scenario, Step};
use crate::service::Service::Postgres;

pub const SLOW_DATABASE: Scenario = Scenario {
    name: "slow-database",
    title: "A slow database trips the p95 alert",
    teaches: "Nothing is down, yet shoppers suffer: every checkout waits on a slow database. \
              The light turns amber, not red, and the 95th percentile crosses the 250 ms line \
              that the CarstoreSlowRequests alert watches.",
    fix: "Find the slow query or the saturated disk (pg_stat_activity, the pool-waiting \
          panel), fix it, and watch p95 fall back. Prometheus raises CarstoreSlowRequests \
          after 5 minutes above the line; the drill checks the line itself.",
    needs_worker: false,
    steps: &[
        shoppers(
            10,
            "view=1,add_to_cart=1,checkout=2",
            &[
                check("Shoppers are buying: the load chart moves", LoadRunning),
                check("p95 is under 250 ms", P95Below(250)),
            ],
        ),
        Step {
            title: "Slow the database down",
            button: "Add 400 ms to every database call",
            action: SetFault {
                target: FaultTarget::Service(Postgres),
                kind: Latency,
                value: Some(400),
                jitter_ms: Some(100),
            },
            phase: Break,
            watch: "The Postgres light, the p95 line on the load chart and in Grafana.",
            checks: &[
                check(
                    "The Postgres light turns amber (degraded, fault injected)",
                    Light(Postgres, Amber),
                ),
                detect(
                    "p95 is above 250 ms: the CarstoreSlowRequests line",
                    P95Above(250),
                ),
                check("Checkouts still succeed, only slowly", CheckoutAccepted),
            ],
        },
        Step {
            title: "Make the database fast again",
            button: "Remove the latency",
            action: ClearFault {
                target: FaultTarget::Service(Postgres),
                kind: Latency,
            },
            phase: Fix,
            watch: "The p95 line falling back.",
            checks: &[
                check("The Postgres light is green again", Light(Postgres, Green)),
                check("p95 is back under 250 ms", P95Below(250)),
                check("The slow order is processed: 0 lost", OrdersSettled),
            ],
        },
    ],
};

pub const POISON_MESSAGE: Scenario = Scenario {
    name: "poison-message",
    title: "A poison message ends in the dead-letter queue",
    teaches: "An event the processor cannot handle is retried a bounded number of times, \
              then parked in orders.dlq, its order marked failed: it never blocks the queue \
              and is never lost.",
    fix: "Read the message in orders.dlq, fix the handler or the data, then move it back to \
          orders. The dead-letter queue keeps it until someone does.",
    needs_worker: true,
    steps: &[
        Step {
            title: "Poison the next order event",
            button: "Poison one message",
            action: SetFault {
                target: Processor,
                kind: Poison,
                value: Some(1),
                jitter_ms: None,
            },
            phase: Break,
            watch: "The Queues panel: orders and orders.dlq.",
            checks: &[],
        },
        Step {
            title: "Buy a car",
            button: "Place an order",
            action: PlaceOrders { orders: 1 },
            phase: Observe,
            watch: "The Queues panel's orders.dlq count, the order's status.",
            checks: &[
                check("The checkout is accepted as usual", OrdersPlaced),
                detect(
                    "Its event is retried, then lands in orders.dlq",
                    DeadLettered,
                ),
                check("The order is kept, marked failed: not lost", OrderFailed),
            ],
        },
        Step {
            title: "Carry on shopping",
            button: "Place 2 more orders",
            action: PlaceOrders { orders: 2 },
            phase: Fix,
            watch: "The next orders turning processed.",
            checks: &[check(
                "The next orders are processed as usual: 0 lost",
                OrdersSettled,
            )],
        },
    ],
};

pub const FLAKY_CLIENT: Scenario = Scenario {
    name: "flaky-client",
    title: "A flaky client sends one checkout many times",
    teaches: "A client whose answers get lost retries, and a double click sends twice. The \
              Idempotency-Key makes every try name the same order: one order, however many \
              tries reach the store.",
    fix: "Nothing to fix on the store: send one Idempotency-Key per checkout from every \
          client, and retry with the same key.",
    needs_worker: false,
    steps: &[
        Step {
            title: "Send one checkout five times",
            button: "Check out on a flaky network",
            action: FlakyCheckout { tries: 5 },
            phase: Break,
            watch: "carstore_checkout_duplicates_suppressed_total in /metrics and Grafana.",
            checks: &[
                check("Every try reached the store", TriesReached),
                check("One order was made: every try named it", OneOrder),
                detect(
                    "The repeats are counted as duplicates suppressed",
                    DuplicatesCounted,
                ),
            ],
        },
        Step {
            title: "Follow the order",
            button: "Watch it",
            action: Watch,
            phase: Fix,
            watch: "The order's status.",
            checks: &[check("The one order is processed: 0 lost", OrdersSettled)],
        },
    ],
};
