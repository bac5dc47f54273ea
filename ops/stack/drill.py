"""A guided scenario on the demo stack, as the Scenarios page drives it: the RabbitMQ outage,
each step's button pressed through the API as the run waits for it. While the queue is down,
the stack's Prometheus must have scraped `carstore_fault_active{target="queue",kind="outage"}`
(what Grafana's "Faults injected" annotation reads); the run must end passed, with every held
order processed and none lost. Prints the run's summary."""

import urllib.parse

from common import Shopper, eventually, fail, prometheus

NAME = "rabbitmq-outage"
FAULT = 'carstore_fault_active{target="queue",kind="outage"}'


def run(base, token):
    admin = Shopper(base)
    if admin.call("POST", "/api/admin/login", {"token": token})[0] != 200:
        fail("admin sign-in for the scenario")
    status, view = admin.call("POST", f"/api/scenarios/{NAME}/run", {})
    if status != 201:
        fail(f"starting {NAME}: {status} {view}")
    try:
        press_through(admin, len(view["steps"]))
    finally:
        # Passed, the run has tidied up already; failed midway, this ends it and clears its fault.
        admin.call("DELETE", "/api/scenarios/run")


def press_through(admin, steps):
    for step in range(steps):
        waiting_at(admin, step)
        status, view = admin.call("POST", "/api/scenarios/run/next")
        if status != 200:
            fail(f"pressing step {step + 1}: {status} {view}")
        if step == 1:
            eventually("Prometheus scraped the queue outage fault", fault_scraped, 30, 1)
    view = eventually("the scenario's summary", lambda: summary(admin), 60, 0.5)
    if view["status"] != "passed":
        fail(f"{NAME} {view['status']}: {view.get('reason')}")
    s = view["summary"]
    if s["orders_lost"] != 0:
        fail(f"{NAME} lost {s['orders_lost']} orders")
    print(f"   scenario {NAME}: passed, detected in {s['detect_ms']} ms, recovered in "
          f"{s['recover_ms']} ms, {s['orders_placed']} orders placed, {s['orders_lost']} lost; "
          "Prometheus saw the fault")


def waiting_at(admin, step):
    def ready():
        status, view = admin.call("GET", "/api/scenarios/run")
        if status == 200 and view["status"] != "running":
            fail(f"{NAME} ended at step {step + 1}: {view['status']} {view.get('reason')}")
        return status == 200 and view["waiting_for_press"] and view["step"] == step

    eventually(f"{NAME} waiting at step {step + 1}", ready, 60, 0.25)


def fault_scraped():
    result = prometheus("/api/v1/query?query=" + urllib.parse.quote(FAULT))["result"]
    return result and result[0]["value"][1] == "1"


def summary(admin):
    status, view = admin.call("GET", "/api/scenarios/run")
    return view if status == 200 and view.get("summary") else None
