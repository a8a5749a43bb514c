#!/usr/bin/python3
"""Static checks of the files beside the code: the Containerfile copies paths that exist and that
.dockerignore lets into the build context,
the Grafana dashboards are valid JSON with unique panel ids, the Grafana provisioning and the
Prometheus files parse (scripts/check_manifests.py validates the Kubernetes overlays, rules and
dashboards against their schemas). With --metrics FILE (a /q/metrics scrape) it also checks that every metric
the dashboards query is really exported by the app (scripts/e2e.sh goes further: it evaluates every
query and alert rule in a real Prometheus)."""
import json, pathlib, re, sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
errors = []

# the image: every path docker/Containerfile copies exists (after `mvn package`, as the build needs)
# and the context's .dockerignore lets it in (buildah and docker read .dockerignore at the context root)
ignore = [l.strip() for l in (root / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]
allowed = [l[1:].rstrip("/") for l in ignore if l.startswith("!")]
if ignore[:1] != ["*"]:
    errors.append(".dockerignore must start with '*' (an allowlist: nothing else goes into the context)")
for line in (root / "docker/Containerfile").read_text().splitlines():
    m = re.match(r"COPY (?!--from)(\S+) ", line)
    if not m:
        continue
    src = m.group(1).replace("${APP}", "target/quarkus-app")
    if not any(src.rstrip("/*").startswith(a) or src.startswith(a) for a in allowed):
        errors.append(f"Containerfile copies {src}, which .dockerignore keeps out of the context")
    if src.startswith("target/"):
        continue  # built by mvn package, not committed
    if not (root / src).exists():
        errors.append(f"Containerfile copies {src}, which does not exist")

exprs = []
dashboards = sorted((root / "grafana" / "dashboards").glob("*.json"))
if not dashboards:
    errors.append("no dashboards in grafana/dashboards")
for f in dashboards:
    dash = json.loads(f.read_text())
    ids = [p["id"] for p in dash["panels"]]
    if len(ids) != len(set(ids)):
        errors.append(f"{f.name}: panel ids are not unique")
    for p in dash["panels"]:
        if p.get("type") != "row" and not p.get("description"):
            errors.append(f"{f.name}: panel '{p.get('title')}' does not say what it answers (description)")
    exprs += [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
for f in sorted((root / "grafana" / "provisioning").rglob("*.yaml")) + sorted((root / "prometheus").glob("*.yml")):
    if not isinstance(yaml.safe_load(f.read_text()), dict):
        errors.append(f"{f.relative_to(root)} is not a YAML mapping")

if len(sys.argv) > 2 and sys.argv[1] == "--metrics":
    exported = set()
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        if line and not line.startswith("#"):
            exported.add(re.split(r"[{ ]", line, 1)[0])
    # Counters tagged per camera/reason only appear once incremented (a quiet test run never
    # skips a frame), so a metric also counts when the code registers it under that name.
    declared = set()
    for src in (root / "src/main/java").rglob("*.java"):
        declared.update(n.replace(".", "_") for n in re.findall(r'"(lookout\.[a-z0-9.]+)"', src.read_text()))
    for e in exprs:
        # drop label names (by (...)), matchers ({...}), ranges ([1m]) and numbers: metrics remain
        e = re.sub(r"\bby\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]|\b\d+(\.\d+)?\b", " ", e)
        for metric in re.findall(r"\b[a-z_][a-z0-9_]*\b", e):
            if metric in ("sum", "rate", "max", "min", "histogram_quantile", "avg", "by", "increase", "time", "delta",
                          "deriv", "and", "or", "le", "clamp_min", "count", "vector"):
                continue
            base = re.sub(r"(_total|_bucket|_sum|_count|_max)$", "", metric)
            if metric not in exported and base not in declared and re.sub(r"_seconds$", "", base) not in declared:
                errors.append(f"dashboard queries {metric}, which the app does not export")

for e in errors:
    print("static check:", e)
print(f"static checks: Containerfile and build context, {len(exprs)} dashboard queries, {len(errors)} problems")
sys.exit(1 if errors else 0)
