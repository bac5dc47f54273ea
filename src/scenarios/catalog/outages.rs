//! A backing service goes away: the store refuses what needs it at once, keeps the rest going,
//! and loses nothing.

use super::{check, detect, shoppers, SHOPPING};
use crate::faults::FaultKind::Outage;
use crate::faults::FaultTarget;
use crate::scenarios::Action::*;
use crate::scenarios::Light::{Green, Red};
use crate::scenarios::Phase::{Break, Fix, Observe};
use crate::scenarios::Signal::*;
use crate::scenarios::{Scenario, Step};
use crate::service::Service::{Postgres, Rabbit, Redis};

pub const REDIS_OUTAGE: Scenario = Scenario {
    name: "redis-outage",
    title: "Redis goes away",
    teaches: "Carts live in Redis. Without it carts are refused at once with a clear 503, \
              while the catalog keeps being served from the database and no order is touched.",
    fix: "Restart Redis (docker compose start redis) or fail over to a replica. Redis here \
          keeps nothing on disk, so carts made before a restart are gone: that is why orders \
          live in the database, never in the cache.",
    needs_worker: false,
    steps: &[
        shoppers(
            5,
            SHOPPING,
            &[
                check(
                    "Shoppers are on the store: the load chart moves",
                    LoadRunning,
                ),
                check("The Redis light is green", Light(Redis, Green)),
            ],
        ),
        Step {
            title: "Take Redis away",
            button: "Start the Redis outage",
            action: SetFault {
                target: FaultTarget::Service(Redis),
                kind: Outage,
                value: None,
                jitter_ms: None,
            },
            phase: Break,
            watch: "The Redis light, the errors line on the load chart, carstore's log window.",
            checks: &[
                detect(
                    "The Redis light turns red, saying \"fault injected\"",
                    Light(Redis, Red),
                ),
                check(
                    "Carts are refused at once: 503, no wait for a timeout",
                    CartRefusedAtOnce,
                ),
            ],
        },
        Step {
            title: "See what still works",
            button: "Look at the catalog",
            action: Watch,
            phase: Observe,
            watch: "The shop's catalog page, the catalog cache misses in Grafana.",
            checks: &[check(
                "The catalog is still served, from the database",
                CatalogServed,
            )],
        },
        Step {
            title: "Bring Redis back",
            button: "End the outage",
            action: ClearFault {
                target: FaultTarget::Service(Redis),
                kind: Outage,
            },
            phase: Fix,
            watch: "The Redis light, the errors line dropping to 0.",
            checks: &[
                check("The Redis light is green again", Light(Redis, Green)),
                check("Carts are served again", CartServed),
                check("Checkouts are accepted again", CheckoutAccepted),
                check("The order is processed: 0 lost", OrdersSettled),
            ],
        },
    ],
};

pub const RABBITMQ_OUTAGE: Scenario = Scenario {
    name: "rabbitmq-outage",
    title: "RabbitMQ goes away, and the outbox drains",
    teaches: "Checkout writes the order and its event in one database transaction (the \
              outbox). With the queue down orders are still taken; their events wait in the \
              outbox and go out, every one, when the queue is back.",
    fix: "Restart RabbitMQ (docker compose start rabbitmq). Nothing else: the relay resends \
          the outbox by itself, and the processor handles each order once.",
    needs_worker: true,
    steps: &[
        shoppers(
            5,
            "browse=5,checkout=2",
            &[
                check("Shoppers are buying: the load chart moves", LoadRunning),
                check("The RabbitMQ light is green", Light(Rabbit, Green)),
            ],
        ),
        Step {
            title: "Take RabbitMQ away",
            button: "Start the RabbitMQ outage",
            action: SetFault {
                target: FaultTarget::Service(Rabbit),
                kind: Outage,
                value: None,
                jitter_ms: None,
            },
            phase: Break,
            watch: "The RabbitMQ light, the Outbox backlog panel in Grafana.",
            checks: &[detect(
                "The RabbitMQ light turns red, saying \"fault injected\"",
                Light(Rabbit, Red),
            )],
        },
        Step {
            title: "Buy while the queue is down",
            button: "Place 3 orders",
            action: PlaceOrders { orders: 3 },
            phase: Observe,
            watch: "The order dialog still says \"created\"; the outbox backlog grows.",
            checks: &[
                check("Checkouts are still accepted", OrdersPlaced),
                check(
                    "The outbox holds their events: backlog above 0",
                    OutboxHolding,
                ),
            ],
        },
        Step {
            title: "Bring RabbitMQ back",
            button: "End the outage",
            action: ClearFault {
                target: FaultTarget::Service(Rabbit),
                kind: Outage,
            },
            phase: Fix,
            watch: "The outbox backlog falling to 0, the orders turning processed.",
            checks: &[
                check("The RabbitMQ light is green again", Light(Rabbit, Green)),
                check("The outbox drains to 0", OutboxEmpty),
                check("Every held order is processed: 0 lost", OrdersSettled),
            ],
        },
    ],
};

pub const POSTGRES_OUTAGE: Scenario = Scenario {
    name: "postgres-outage",
    title: "Postgres goes away",
    teaches: "Orders live in Postgres. Without it checkout is refused at once and the cart is \
              kept for a retry, /readyz tells the load balancer, and browsing carries on \
              from the cache.",
    fix: "Restart Postgres (docker compose start postgres) or fail over. The breaker lets one \
          probe through, then closes, and checkouts are accepted again.",
    needs_worker: false,
    steps: &[
        shoppers(
            5,
            SHOPPING,
            &[
                check(
                    "Shoppers are on the store: the load chart moves",
                    LoadRunning,
                ),
                check("The Postgres light is green", Light(Postgres, Green)),
            ],
        ),
        Step {
            title: "Take Postgres away",
            button: "Start the Postgres outage",
            action: SetFault {
                target: FaultTarget::Service(Postgres),
                kind: Outage,
                value: None,
                jitter_ms: None,
            },
            phase: Break,
            watch: "The Postgres light, the checkout errors in Grafana, /readyz.",
            checks: &[
                detect(
                    "The Postgres light turns red, saying \"fault injected\"",
                    Light(Postgres, Red),
                ),
                check(
                    "Checkouts are refused at once: 503, the cart kept",
                    CheckoutRefusedAtOnce,
                ),
                check(
                    "/readyz answers 503, so a load balancer sends shoppers elsewhere",
                    NotReady,
                ),
            ],
        },
        Step {
            title: "See what still works",
            button: "Look at the shop",
            action: Watch,
            phase: Observe,
            watch: "The catalog and the cart in the shop.",
            checks: &[
                check("The catalog is still served", CatalogServed),
                check("Carts still work", CartServed),
            ],
        },
        Step {
            title: "Bring Postgres back",
            button: "End the outage",
            action: ClearFault {
                target: FaultTarget::Service(Postgres),
                kind: Outage,
            },
            phase: Fix,
            watch: "The Postgres light, the checkout errors dropping to 0.",
            checks: &[
                check("The Postgres light is green again", Light(Postgres, Green)),
                check("Checkouts are accepted again", CheckoutAccepted),
                check("The order is processed: 0 lost", OrdersSettled),
            ],
        },
    ],
};
