#!/usr/bin/python3
"""Every Grafana panel query and every alert rule of Lookout, evaluated by a real Prometheus that
scrapes the running app (scripts/e2e.sh starts it with prometheus/prometheus.yml).

  check_prometheus.py baseline URL SINCE   frames flow: every query not listed in CONDITIONS must
                                           return data (it waits up to --wait seconds for them)
  check_prometheus.py final URL SINCE      after e2e.sh created every condition: every query has
                                           returned data at some time since SINCE, every rule is
                                           loaded and healthy, and every alert has been active

A query "returns data" when a range query over [SINCE, now] gives at least one sample: what a
Grafana panel over that time shows. An alert "has been active" when Prometheus's own ALERTS series
shows it pending or firing. Prints one line per query and rule, and the conditions used."""
import argparse, json, pathlib, re, sys, time, urllib.parse, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent

# What a query needs beyond frames flowing through one detector, and how e2e.sh creates it.
# First matching pattern wins; a query that matches none must return data at baseline.
CONDITIONS = [
    (r"lookout_trainer_|lookout_model_holdout_ap50|lookout_labels\b",
     "TRAINER: the trainer role runs (LOOKOUT_HTTP=true), labels are imported and a retrain runs"),
    (r"lookout_frames_skipped_total|status=\"skipped\"",
     "BURST: a camera sends frames as fast as it can for 45 s, more than the model analyses: the backlog is skipped as stale"),
    (r"lookout_model_swaps_total",
     "SWAP: a retrain publishes a version (loaded), then a broken version is published (refused)"),
    (r"lookout_camera_line_crossings_total",
     "LINE: a counting-line command for the replayed camera; people walk across it"),
]
RULE_CONDITIONS = {
    "LookoutCameraStalled": "STALL: camera cam-e2e sends 10 frames, then nothing (unplugged)",
    "LookoutLagGrowing": "BURST: frames as fast as the bridge reads them for 45 s on one camera",
    "LookoutDeadLetters": "JUNK: random bytes sent as a frame",
    "LookoutLatencySLO": "OLD: frames whose capture time is 4 s before they are sent (within the clock bound)",
    "LookoutModelRefused": "SWAP: a version whose model.pt is not a TorchScript file is published as serving",
    "LookoutModelDivergent": "SWAP: the same refused version stays the serving one (pending within the run: for 5m)",
    "LookoutModelWatcherStopped": "REPLICA: a second detector replica runs with lookout.models.watch=false",
    "LookoutCameraClockSkew": "SKEW: camera cam-skew sends frames whose lookout.ts is 2 hours ahead (a time-zone mistake)",
}
# Alerts whose condition this run does not create (an overload under latest-frame, a refused answer,
# a failing retrain, a dead target, 5 GiB of RSS, a camera that refuses its stream): they must load and
# evaluate without error here; that they fire, and when, is proved by `promtool test rules
# prometheus/tests/lookout-alerts.test.yml` on synthetic series (scripts/check_manifests.py, static step).
UNIT_TESTED_ONLY = {"LookoutNotReady", "LookoutOverloaded", "LookoutFramesUnanswered", "LookoutTrainerFailed", "LookoutTargetDown",
                    "LookoutMemoryHigh", "LookoutCameraNotStreaming"}
# Grafana's variables, as the dashboards' defaults ("All") and a 5 s scrape make them
VARIABLES = {"$__rate_interval": "1m", "$instance": ".*", "$camera": ".*"}


def api(base, path, **params):
    url = f"{base}/api/v1/{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError(f"{path} {params}: {body}")
    return body["data"]


def samples(base, expr, since):
    end = time.time()
    data = api(base, "query_range", query=expr, start=f"{since:.3f}", end=f"{end:.3f}", step="5")
    return sum(len(s["values"]) for s in data["result"]), len(data["result"])


def queries():
    out = []
    for f in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        dash = json.loads(f.read_text())
        for p in dash["panels"]:
            for t in p.get("targets", []):
                expr = t["expr"]
                for var, value in VARIABLES.items():
                    expr = expr.replace(var, value)
                out.append((f"{dash['uid']} / {p['title']} / {t['refId']}", expr))
    return out


def rules():
    doc = __import__("yaml").safe_load((ROOT / "prometheus" / "lookout-alerts.yml").read_text())
    return [r for g in doc["groups"] for r in g["rules"]]


def condition(expr):
    for pattern, what in CONDITIONS:
        if re.search(pattern, expr):
            return what
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["baseline", "final"])
    ap.add_argument("prometheus")
    ap.add_argument("since", type=float, help="epoch seconds: look at data from then on")
    ap.add_argument("--wait", type=float, default=120, help="seconds to wait for data")
    a = ap.parse_args()

    qs = queries()
    rs = rules()
    final = a.phase == "final"
    deadline = time.time() + a.wait
    while True:
        missing, lines = [], []
        for name, expr in qs:
            n, series = samples(a.prometheus, expr, a.since)
            need = condition(expr)
            must = final or need is None
            ok = n > 0
            if must and not ok:
                missing.append(name)
            state = "data" if ok else ("EMPTY" if must else "empty (needs a condition)")
            lines.append(f"  {state:26s} {series:3d} series {n:5d} samples  {name}\n      {expr}"
                         + (f"\n      condition {need}" if need else ""))
        for r in rs:
            expr = r["expr"].strip()
            n, series = samples(a.prometheus, f'ALERTS{{alertname="{r["alert"]}"}}', a.since)
            active = n > 0
            unit_only = r["alert"] in UNIT_TESTED_ONLY
            if final and not active and not unit_only:
                missing.append(r["alert"])
            state = "was active" if active else ("inactive (promtool-tested)" if unit_only
                                                 else "NOT ACTIVE" if final else "inactive (needs a condition)")
            lines.append(f"  {state:26s} alert {r['alert']}\n      {' '.join(expr.split())}\n"
                         f"      condition {RULE_CONDITIONS.get(r['alert'], 'promtool unit test only' if unit_only else 'NONE LISTED')}")
        if not missing or time.time() > deadline:
            break
        time.sleep(5)

    loaded = {r["name"]: r for g in api(a.prometheus, "rules")["groups"] for r in g["rules"]}
    for r in rs:
        got = loaded.get(r["alert"])
        if got is None or got.get("health") != "ok":
            missing.append(f"rule {r['alert']} not loaded healthy: {got and (got.get('health'), got.get('lastError'))}")
        if r["alert"] not in RULE_CONDITIONS and r["alert"] not in UNIT_TESTED_ONLY:
            missing.append(f"rule {r['alert']}: no condition listed for it in check_prometheus.py")
    targets = api(a.prometheus, "targets")["activeTargets"]
    down = [t["scrapeUrl"] for t in targets if t["health"] != "up"]

    print(f"prometheus {a.phase}: {len(qs)} panel queries, {len(rs)} alert rules, {len(targets)} targets"
          f" ({len(down)} down: {down})")
    print("\n".join(lines))
    if missing:
        print(f"prometheus {a.phase}: FAIL: {len(missing)} without data or not active: {missing}")
        sys.exit(1)
    print(f"prometheus {a.phase}: PASS")


if __name__ == "__main__":
    main()
