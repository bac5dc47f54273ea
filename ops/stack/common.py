"""What the demo stack's scripts share: failing with the reason, waiting for a state, a shopper
with its own cookies, and the stack's Prometheus API."""

import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.request

PROMETHEUS = "http://127.0.0.1:9090"


def fail(why):
    print(f"FAILED: {why}", file=sys.stderr)
    sys.exit(1)


def eventually(what, check, seconds=30.0, every=0.25):
    """Calls check() until it returns something truthy; fails naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            last = e
        time.sleep(every)
    fail(f"{what}: not seen within {seconds:.0f} s (last: {last!r})")


class Shopper:
    """One browser's worth of cookies against one address."""

    def __init__(self, base):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with self.http.open(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def prometheus(path):
    with urllib.request.urlopen(PROMETHEUS + path, timeout=10) as resp:
        return json.loads(resp.read())["data"]
