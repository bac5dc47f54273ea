#!/usr/bin/env python3
"""Starts carstore stores for the ops scripts and removes everything they made afterwards.

One place for what the benchmark, the retention run and the contract fuzzing each did their own
way: a store on a port of its own (carstore binds port 0 and prints the URL it serves), ready
within a deadline or a loud failure with the end of its log, and on the way out every store
stopped and every database, Redis key prefix and RabbitMQ queue made for it removed, then
checked gone.

From Python (ops/bench/run.py):

    with Stores(work_dir, tag="bench") as stores:
        store = stores.start("checkout", binary, postgres=True, redis=True)
        ... store.url, store.database, store.redis_prefix, store.pid ...

From bash, through ops/lib/store.sh (which keeps the state between calls in a directory and
removes everything on exit):

    store.py start --state DIR --name NAME --bin BIN [--postgres] [--redis] [--rabbitmq]
                   [--ready readyz|services] [--deadline S] [KEY=VALUE ...]
    store.py cleanup --state DIR

Each store's settings are its environment (KEY=VALUE); --postgres, --redis and --rabbitmq give
it a database, key prefix or queue of its own on the shared services and set the URLs for them.
Stdlib only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_URL = "redis://127.0.0.1:6379"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2f"
RABBIT_MANAGEMENT = "http://127.0.0.1:15672"
# What carstore prints once it listens (src/main.rs); with --bind 127.0.0.1:0 it names the port.
SERVING = re.compile(r"serving the store at (http://[^\s/]+)")
LOG_TAIL = 30


class StoreError(Exception):
    """A store that could not be started or made ready; the message says why."""


class Store:
    def __init__(self, name, pid, url, log, data_dir, database=None, redis_prefix=None,
                 queue=None):
        self.name, self.pid, self.url, self.log, self.data_dir = name, pid, url, log, data_dir
        self.database, self.redis_prefix, self.queue = database, redis_prefix, queue

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def as_dict(self):
        return dict(vars(self))


def log_tail(path, lines=LOG_TAIL):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})\n"


def say(text):
    print(f"== {text}", file=sys.stderr, flush=True)


def _start_time(pid):
    """The process's start time (clock ticks since boot), to tell it from a later one with its pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _get(url, timeout=2):
    """(status, body) of a GET, or (None, error text) without an answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, ValueError) as e:
        return None, str(e)


def _run(argv, **kwargs):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, **kwargs)


class Stores:
    """The stores of one script run and what was made for them; the state lives in a JSON file
    in `state_dir`, so separate calls (bash) share it, written before each thing is made."""

    def __init__(self, state_dir, tag=None):
        self.state_dir = state_dir
        os.makedirs(state_dir, exist_ok=True)
        self.path = os.path.join(state_dir, "stores.json")
        if os.path.exists(self.path):
            with open(self.path) as f:
                self.state = json.load(f)
        else:
            tag = re.sub(r"[^a-z0-9_]", "_", (tag or "ops").lower())
            self.state = {"tag": f"{tag}_{os.getpid()}", "stores": [], "databases": [],
                          "redis_prefixes": [], "queues": []}
            self._save()

    def _save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1)
        os.replace(tmp, self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        problems = self.cleanup()
        if problems and exc[0] is None:
            raise StoreError("; ".join(problems))
        return False

    # --- what a store gets of its own on the shared services ---------------------------------
    def _own_name(self, name):
        return f"carstore_{self.state['tag']}_{re.sub(r'[^a-z0-9_]', '_', name.lower())}"

    def _make_database(self, name):
        db = self._own_name(name)
        if db in self.state["databases"]:
            raise StoreError(f"a database for a store named {name} exists already")
        self.state["databases"].append(db)
        self._save()
        r = _run(["createdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, db])
        if r.returncode != 0:
            raise StoreError(f"createdb {db} failed: {r.stderr.strip()}")
        return db

    def start(self, name, binary, env=None, postgres=False, redis=False, rabbitmq=False,
              ready="readyz", deadline=30, args=()):
        """Starts `binary serve` on 127.0.0.1:0 with `env`; returns the ready Store or raises."""
        if any(s["name"] == name for s in self.state["stores"]):
            raise StoreError(f"a store named {name} was started already")
        # Stopped at the end, not drained: no load balancer waits on these stores.
        env = {"CARSTORE_DRAIN": "0", **(env or {})}
        database = prefix = queue = None
        if postgres:
            database = self._make_database(name)
            env["DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
        if redis:
            prefix = self._own_name(name).replace("_", "-") + ":"
            self.state["redis_prefixes"].append(prefix)
            env.setdefault("REDIS_URL", REDIS_URL)
            env["CARSTORE_REDIS_PREFIX"] = prefix
        if rabbitmq:
            queue = self._own_name(name).replace("_", "-")
            self.state["queues"].append(queue)
            env.setdefault("AMQP_URL", AMQP_URL)
            env["CARSTORE_ORDERS_QUEUE"] = queue
        self._save()

        data_dir = os.path.join(self.state_dir, f"data-{name}")
        log = os.path.join(self.state_dir, f"{name}.log")
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", data_dir, *args],
                env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT)
        store = Store(name, proc.pid, None, log, data_dir, database, prefix, queue)
        self.state["stores"].append({**store.as_dict(), "started": _start_time(proc.pid),
                                     "binary": binary})
        self._save()
        store.url = self._wait_ready(store, proc, ready, deadline)
        self.state["stores"][-1]["url"] = store.url
        self._save()
        return store

    def _wait_ready(self, store, proc, ready, deadline):
        began = time.monotonic()
        url = None
        waiting_for = "its URL (a line with 'serving the store at')"
        last = ""
        while time.monotonic() - began < deadline:
            if proc.poll() is not None:
                raise StoreError(self._failure(store, f"exited with status {proc.returncode} "
                                               f"while waiting for {waiting_for}"))
            if url is None:
                with open(store.log, errors="replace") as f:
                    m = SERVING.search(f.read())
                if m:
                    url = m.group(1)
                    waiting_for = f"{url}/readyz to answer 200"
            elif waiting_for.endswith("/readyz to answer 200"):
                status, body = _get(url + "/readyz")
                last = f"{status} {body[:200]!r}" if status else body
                if status == 200:
                    if ready == "readyz":
                        return url
                    waiting_for = f"{url}/api/services to show every service up or embedded"
            else:
                status, body = _get(url + "/api/services")
                last = f"{status} {body[:300]!r}" if status else body
                try:
                    rows = json.loads(body) if status == 200 else None
                except ValueError:
                    rows = None
                if rows and all(r.get("health") in ("up", "embedded") for r in rows):
                    return url
            time.sleep(0.05)
        raise StoreError(self._failure(
            store, f"not ready within {deadline} s: waited for {waiting_for}"
            + (f"; last answer: {last}" if last else "")))

    def _failure(self, store, why):
        return (f"store {store.name} ({store.log}) {why}; the end of its log:\n"
                + log_tail(store.log))

    def store(self, name):
        for s in self.state["stores"]:
            if s["name"] == name:
                return s
        raise StoreError(f"no store named {name}")

    def stop(self, name, grace=10):
        """Stops one store (SIGTERM, then SIGKILL after `grace` seconds)."""
        _stop([self.store(name)], grace)

    # --- the way out --------------------------------------------------------------------------
    def cleanup(self):
        """Stops every store, removes every database, key prefix and queue made for them, and
        checks they are gone. Returns what could not be removed (each also printed)."""
        problems = []
        _stop(self.state["stores"], grace=10)
        for db in self.state["databases"]:
            r = _run(["dropdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER,
                      "--if-exists", "--force", db])
            if r.returncode != 0 or _database_exists(db):
                problems.append(f"database {db} was not dropped: {r.stderr.strip()}")
        for prefix in self.state["redis_prefixes"]:
            left = _redis_delete(prefix)
            if left:
                problems.append(f"Redis keys {prefix}* left: {left}")
        for queue in self.state["queues"]:
            for q in (queue, queue + ".dlq"):
                problem = _delete_queue(q)
                if problem:
                    problems.append(problem)
        for p in problems:
            print(f"store cleanup: {p}", file=sys.stderr, flush=True)
        self.state.update(stores=[], databases=[], redis_prefixes=[], queues=[])
        self._save()
        return problems


def _alive(entry):
    started = _start_time(entry["pid"])
    return started is not None and started == entry.get("started")


def _stop(entries, grace):
    alive = [e for e in entries if _alive(e)]
    for e in alive:
        try:
            os.kill(e["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
    until = time.monotonic() + grace
    while alive and time.monotonic() < until:
        for e in alive:
            try:  # reaps it when it is our child (Python callers); harmless otherwise
                os.waitpid(e["pid"], os.WNOHANG)
            except ChildProcessError:
                pass
        alive = [e for e in alive if _alive(e) and not _zombie(e["pid"])]
        time.sleep(0.05)
    for e in alive:
        print(f"store cleanup: {e['name']} (pid {e['pid']}) still running {grace} s after "
              "SIGTERM; killing it", file=sys.stderr, flush=True)
        try:
            os.kill(e["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _database_exists(db):
    r = _run(["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres",
              "-AtX", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"])
    return r.returncode != 0 or r.stdout.strip() == "1"


def _redis_delete(prefix):
    """Deletes the prefix's keys; returns how many are left (or why none could be counted)."""
    if not shutil.which("redis-cli"):
        return "redis-cli is not installed"
    for _ in range(3):
        keys = _run(["redis-cli", "-u", REDIS_URL, "--scan", "--pattern", prefix + "*"])
        if keys.returncode != 0:
            return keys.stderr.strip() or "redis-cli --scan failed"
        names = keys.stdout.split()
        if not names:
            return 0
        for i in range(0, len(names), 500):
            _run(["redis-cli", "-u", REDIS_URL, "del", *names[i:i + 500]])
    return len(_run(["redis-cli", "-u", REDIS_URL, "--scan", "--pattern", prefix + "*"]).stdout.split())


def _delete_queue(queue):
    """Deletes a queue through the management API (fast), else rabbitmqctl; None when gone."""
    from urllib.parse import quote
    url = f"{RABBIT_MANAGEMENT}/api/queues/%2f/{quote(queue, safe='')}"
    auth = {"Authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="}  # guest:guest, the tests' own login
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE", headers=auth), timeout=10)
    except urllib.error.HTTPError as e:
        if e.code != 404:  # 404: it was never declared, or is gone already
            return f"queue {queue}: the management API answered {e.code} to DELETE"
    except OSError:
        if not shutil.which("rabbitmqctl"):
            return f"queue {queue}: no management API and no rabbitmqctl to delete it"
        r = _run(["rabbitmqctl", "-q", "delete_queue", queue])
        if r.returncode != 0 and "not found" not in (r.stderr + r.stdout).lower():
            return f"queue {queue}: rabbitmqctl delete_queue failed: {r.stderr.strip()}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start a store, print its details once it is ready")
    start.add_argument("--state", required=True)
    start.add_argument("--tag", default="ops")
    start.add_argument("--name", required=True)
    start.add_argument("--bin", required=True)
    start.add_argument("--postgres", action="store_true")
    start.add_argument("--redis", action="store_true")
    start.add_argument("--rabbitmq", action="store_true")
    start.add_argument("--ready", choices=("readyz", "services"), default="readyz")
    start.add_argument("--deadline", type=float, default=30)
    # KEY=VALUE settings may come anywhere among the options; they are taken out first.
    stop = sub.add_parser("stop", help="stop one store (its database etc. stay until cleanup)")
    stop.add_argument("--state", required=True)
    stop.add_argument("--name", required=True)
    cleanup = sub.add_parser("cleanup", help="stop every store and remove what was made for them")
    cleanup.add_argument("--state", required=True)
    argv = sys.argv[1:]
    settings = [x for x in argv if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", x)]
    a = parser.parse_args([x for x in argv if x not in settings])

    if a.command == "cleanup":
        if not os.path.exists(os.path.join(a.state, "stores.json")):
            return 0
        return 1 if Stores(a.state).cleanup() else 0
    stores = Stores(a.state, a.tag)
    if a.command == "stop":
        stores.stop(a.name)
        return 0
    env = dict(item.split("=", 1) for item in settings)
    try:
        s = stores.start(a.name, a.bin, env, a.postgres, a.redis, a.rabbitmq, a.ready, a.deadline)
    except StoreError as e:
        print(f"FAILED: {e}", file=sys.stderr, flush=True)
        return 1
    for key in ("url", "port", "pid", "log", "data_dir", "database", "redis_prefix", "queue"):
        print(f"{key}={getattr(s, key) or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
