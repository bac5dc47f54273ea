"""Checks the CarStore Grafana dashboard as far as a machine without Grafana allows.

    python3 ops/stack/check_grafana.py [--prometheus http://127.0.0.1:9090]

- The dashboard JSON loads with Grafana's own schema library (grafana-foundation-sdk), and
  every panel and query it has survives the load (nothing silently dropped).
- Every panel's and every query's datasource uid is the provisioned Prometheus datasource's.
- Every query answers with data through the given Prometheus, with `$__rate_interval` as
  Grafana would fill it for the provisioned scrape interval (4 x timeInterval).

Grafana itself is not started: no Grafana server can be installed where the tests run.
"""

import argparse
import json
import pathlib
import re
import sys
import time
import urllib.parse
import urllib.request

from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

OPS = pathlib.Path(__file__).resolve().parent.parent
DASHBOARD = OPS / "grafana/dashboards/carstore.json"
DATASOURCES = OPS / "grafana/provisioning/datasources/prometheus.yml"


def provisioned_datasource():
    """uid and timeInterval of the provisioned datasource (a flat YAML file: no parser needed)."""
    text = DATASOURCES.read_text()
    uid = re.search(r"^\s+uid:\s*(\S+)", text, re.M).group(1)
    interval = re.search(r"^\s+timeInterval:\s*(\d+)s", text, re.M).group(1)
    return uid, int(interval)


def load_with_sdk(raw):
    register_default_plugins()
    dashboard = Dashboard.from_json(raw)
    loaded = [(p.title, [t.expr for t in (p.targets or [])]) for p in dashboard.panels or []]
    written = [(p["title"], [t["expr"] for t in p.get("targets", [])]) for p in raw["panels"]]
    if loaded != written:
        sys.exit(f"FAILED: the SDK's view of the dashboard differs from the file:\n{loaded}\n{written}")
    annotations = [a.name for a in (dashboard.annotations.list_val if dashboard.annotations else None) or []]
    if annotations != [a["name"] for a in raw["annotations"]["list"]]:
        sys.exit(f"FAILED: the SDK's annotations differ from the file's: {annotations}")
    return dashboard


def wrong_datasources(raw, uid):
    wrong = []
    for panel in raw["panels"]:
        refs = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]
        wrong += [(panel["title"], ref) for ref in refs if not ref or ref.get("uid") != uid]
    return wrong


def query(prometheus, expr):
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = json.loads(resp.read())
    return [s for s in body["data"]["result"] if s["value"][1] not in ("NaN", "+Inf", "-Inf")]


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--prometheus", default="http://127.0.0.1:9090")
    prometheus = args.parse_args().prometheus
    raw = json.loads(DASHBOARD.read_text())
    dashboard = load_with_sdk(raw)
    uid, interval = provisioned_datasource()
    wrong = wrong_datasources(raw, uid)
    if wrong:
        sys.exit(f"FAILED: datasource uid other than {uid!r}: {wrong}")
    exprs = [
        (panel["title"], target["expr"].replace("$__rate_interval", f"{4 * interval}s"))
        for panel in raw["panels"]
        for target in panel.get("targets", [])
    ]
    queries = len(exprs)
    # A series born a moment ago needs a few scrapes before a rate over it has data, as it would
    # on a Grafana panel: each query gets until the deadline.
    deadline = time.monotonic() + 45
    empty = exprs
    while empty and time.monotonic() < deadline:
        empty = [(title, expr) for title, expr in empty if not query(prometheus, expr)]
        if empty:
            time.sleep(1)
    if empty:
        sys.exit(f"FAILED: {len(empty)} of {queries} queries gave no data: {empty}")
    # The annotations show faults, and none is set here: each query must be one Prometheus
    # accepts (a mistyped one is an HTTP 400, which fails here); tests/api/prometheus.rs sees
    # them answer with a fault in force.
    for annotation in raw["annotations"]["list"]:
        query(prometheus, annotation["expr"])
    print(f"   Grafana dashboard {dashboard.title!r}: loaded by grafana-foundation-sdk, "
          f"{len(raw['panels'])} panels on datasource {uid!r}, all {queries} queries answered with data, "
          f"{len(raw['annotations']['list'])} annotation queries accepted")


if __name__ == "__main__":
    main()
