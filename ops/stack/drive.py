"""Drives the running demo stack as a person would, through its published ports only.

    python3 ops/stack/drive.py --token ADMIN_TOKEN [--out DIR]

1. Buys a car on :8000 and another on :8081, each as its own shopper, and waits for each
   order to turn `processed` (it went through RabbitMQ to the order processor).
2. In headless Chromium, signs in on the Dashboard and presses Stop on Cache: the light turns
   red, the cart answers 503, the log window shows Redis shutting down; Start turns it green and
   carts work again.
3. Asks the stack's Prometheus: the carstore and RabbitMQ targets are up and the alert rules are
   loaded (the Grafana dashboard's queries are ops/stack/check_grafana.py's).
4. Runs the guided RabbitMQ outage through the API, step by step (ops/stack/drill.py): it must
   pass, and Prometheus must scrape the fault it sets.

Exits non-zero with the reason on the first thing that does not hold.
"""

import argparse
import os
import subprocess
import time

import drill
from common import Shopper, eventually, fail, prometheus
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

STORE = "http://127.0.0.1:8000"
OLD_STORE = "http://127.0.0.1:8081"


def buy_a_car(base, car_index):
    shopper = Shopper(base)
    status, cars = shopper.call("GET", "/api/cars")
    if status != 200 or not cars:
        fail(f"{base}/api/cars answered {status}")
    car = cars[car_index % len(cars)]
    status, body = shopper.call("POST", "/api/cart", {"car_id": car["id"], "quantity": 1})
    if status not in (200, 201):
        fail(f"adding a car on {base}: {status} {body}")
    status, body = shopper.call(
        "POST", "/api/checkout", {"customer_name": "Stack Test", "customer_email": "stack@example.com"}
    )
    if status != 201:
        fail(f"checkout on {base}: {status} {body}")
    order_id = body["order_id"]
    started = time.monotonic()

    def processed():
        code, body = shopper.call("GET", f"/api/orders/{order_id}")
        return code == 200 and body["order"]["status"] == "processed"

    eventually(f"order {order_id} bought on {base} processed", processed)
    took = time.monotonic() - started
    print(f"   order {order_id} ({car['make']} {car['model']}) on {base}: processed {took:.2f} s after 201")
    return shopper, car


def browser(out):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,1000", f"--user-data-dir={out}/chromium-profile",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=ChromeService("/usr/bin/chromedriver"))


def text_of(page, css):
    return page.find_element(By.CSS_SELECTOR, css).text


def until_text(page, css, predicate, what, seconds=20):
    WebDriverWait(page, seconds, poll_frequency=0.1).until(
        lambda p: predicate(text_of(p, css)), message=what
    )


def container_running(name):
    out = subprocess.run(
        ["docker", "inspect", "--format", "{{.State.Running}}", name],
        capture_output=True, text=True, check=True,
    )
    return out.stdout.strip() == "true"


def stop_and_start_cache(token, shopper, car, out):
    page = browser(out)
    try:
        page.get(f"{STORE}/#/dashboard")
        until_text(page, "[data-testid=health-redis]", lambda t: t.startswith("Up"), "Cache up")
        page.find_element(By.CSS_SELECTOR, "#admin-token").send_keys(token)
        page.find_element(By.CSS_SELECTOR, "#admin-signin-button").click()
        WebDriverWait(page, 10).until(
            lambda p: p.find_element(By.CSS_SELECTOR, "[data-testid=stop-redis]").is_enabled(),
            message="the Stop button on Cache is enabled once signed in (Docker reachable)",
        )
        until_text(page, "[data-testid=log-redis]", lambda t: "Ready to accept connections" in t,
                   "the Cache log window shows Redis's start")

        pressed = time.monotonic()
        page.find_element(By.CSS_SELECTOR, "[data-testid=stop-redis]").click()
        until_text(page, "[data-testid=health-redis]", lambda t: t.startswith("Down"), "Cache light red")
        red = time.monotonic() - pressed
        led = page.find_element(By.CSS_SELECTOR, "#service-redis .led").get_attribute("class")
        if "down" not in led:
            fail(f"the Cache light is {led!r}, not down")
        until_text(page, "[data-testid=log-redis]", lambda t: "ready to exit" in t.lower(),
                   "the Cache log window shows Redis shutting down")
        shutdown_line = time.monotonic() - pressed
        if container_running("carstore-redis"):
            fail("carstore-redis still runs after Stop")
        status, body = shopper.call("POST", "/api/cart", {"car_id": car["id"], "quantity": 1})
        if status != 503:
            fail(f"the cart answered {status} {body} while Redis was stopped, not 503")
        checkout = {"customer_name": "Stack Test", "customer_email": "stack@example.com"}
        code, refused = shopper.call("POST", "/api/checkout", checkout)
        if code != 503:
            fail(f"checkout answered {code} {refused} while Redis was stopped, not 503")
        page.save_screenshot(f"{out}/stack-cache-stopped.png")
        print(f"   Stop on Cache: light red after {red:.2f} s, shutdown in its log window after "
              f"{shutdown_line:.2f} s, cart and checkout answered 503 ({body.get('error')}, "
              f"{refused.get('error')})")

        pressed = time.monotonic()
        page.find_element(By.CSS_SELECTOR, "[data-testid=start-redis]").click()
        until_text(page, "[data-testid=health-redis]", lambda t: t.startswith("Up"), "Cache light green")
        green = time.monotonic() - pressed
        eventually("the cart answers again after Start",
                   lambda: shopper.call("POST", "/api/cart", {"car_id": car["id"], "quantity": 1})[0] in (200, 201))
        page.save_screenshot(f"{out}/stack-cache-started.png")
        print(f"   Start on Cache: light green after {green:.2f} s, the cart works again")
    finally:
        page.quit()


def targets_up():
    active = prometheus("/api/v1/targets")["activeTargets"]
    health = {t["labels"]["job"]: t["health"] for t in active}
    return health if health.get("carstore") == "up" and health.get("rabbitmq") == "up" else None


def check_prometheus():
    health = eventually("Prometheus reports the carstore and rabbitmq targets up", targets_up, 60, 1)
    rules = [r["name"] for g in prometheus("/api/v1/rules")["groups"] for r in g["rules"]]
    if len(rules) < 4:
        fail(f"Prometheus has {len(rules)} rules loaded: {rules}")
    result = prometheus("/api/v1/query?query=rabbitmq_build_info")["result"]
    if not result:
        fail("nothing scraped from RabbitMQ's :15692 (rabbitmq_build_info is empty)")
    print(f"   Prometheus: targets {health}, {len(rules)} alert rules loaded, "
          f"RabbitMQ {result[0]['metric'].get('rabbitmq_version', '?')} scraped on :15692")


def sign_up_and_in(base):
    """A shopper account through the stack: sign up with a car in the guest cart, sign out, a
    wrong password, then sign in from a fresh browser and find the car there. Leaves sign-ups
    and sign-ins of each outcome in the metrics for the Grafana check."""
    email = f"stack-{os.getpid()}-{int(time.time())}@example.com"
    guest = Shopper(base)
    guest.call("POST", "/api/cart", {"car_id": 1, "quantity": 2})
    account = {"name": "Stack Test", "email": email, "password": "stack test password"}
    status, body = guest.call("POST", "/api/account", account)
    if status != 201:
        fail(f"sign-up on {base}: {status} {body}")
    if guest.call("DELETE", "/api/session")[0] != 200:
        fail(f"sign-out on {base}")
    device = Shopper(base)
    wrong = {"email": email.upper(), "password": "not the password"}
    status, body = device.call("POST", "/api/session", wrong)
    if status != 401 or body.get("error") != "invalid_credentials":
        fail(f"a wrong password on {base}: {status} {body}")
    right = {"email": email.upper(), "password": account["password"]}
    status, body = device.call("POST", "/api/session", right)
    if status != 200:
        fail(f"sign-in on {base}: {status} {body}")
    status, cart = device.call("GET", "/api/cart")
    lines = [(i["car_id"], i["quantity"]) for i in cart["items"]]
    if lines != [(1, 2)]:
        fail(f"the account's cart on a second browser: {lines}")
    print(f"   account on {base}: signed up, out, refused a wrong password, signed in elsewhere with the cart")


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--token", required=True)
    args.add_argument("--out", default="target")
    opts = args.parse_args()
    shopper, car = buy_a_car(STORE, 0)
    buy_a_car(OLD_STORE, 1)
    sign_up_and_in(STORE)
    stop_and_start_cache(opts.token, shopper, car, opts.out)
    check_prometheus()
    drill.run(STORE, opts.token)


if __name__ == "__main__":
    main()
