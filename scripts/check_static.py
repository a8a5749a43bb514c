#!/usr/bin/python3
"""Static checks for what cannot run here (no Docker engine, no Kubernetes cluster):
k8s manifests parse and reference real config keys, the Dockerfile copies paths that exist,
the Grafana dashboards are valid JSON with unique panel ids, the Grafana provisioning and the
Prometheus files parse. With --metrics FILE (a /q/metrics scrape) it also checks that every metric
the dashboards query is really exported by the app (scripts/e2e.sh goes further: it evaluates every
query and alert rule in a real Prometheus)."""
import json, pathlib, re, sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
errors = []

props = (root / "src/main/resources/application.properties").read_text()
keys = {line.split("=", 1)[0].strip() for line in props.splitlines()
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("%")}
env_of = {re.sub(r"[^A-Za-z0-9]", "_", k).upper(): k for k in keys}

docs = []
for f in sorted((root / "k8s").glob("*.yaml")):
    for d in yaml.safe_load_all(f.read_text()):
        if d is None:
            continue
        for field in ("apiVersion", "kind"):
            if field not in d:
                errors.append(f"{f.name}: document without {field}")
        docs.append((f.name, d))

for name, d in docs:
    if d.get("kind") == "ConfigMap" and d["metadata"]["name"] == "lookout-config":
        for env in d["data"]:
            if env not in env_of:
                errors.append(f"{name}: {env} matches no key of application.properties")
    if d.get("kind") == "Deployment":
        for c in d["spec"]["template"]["spec"]["containers"]:
            if c.get("image") != "lookout":
                errors.append(f"{name}: container {c['name']} does not use the lookout image")
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                p = c.get(probe, {}).get("httpGet", {}).get("path")
                if p and p not in ("/q/health/live", "/q/health/ready"):
                    errors.append(f"{name}: {probe} on unknown path {p}")

kust = yaml.safe_load((root / "k8s/kustomization.yaml").read_text())
for r in kust["resources"]:
    if not (root / "k8s" / r).exists():
        errors.append(f"kustomization.yaml: missing resource {r}")

for line in (root / "docker/Dockerfile").read_text().splitlines():
    m = re.match(r"COPY (?!--from)(\S+) ", line)
    if m and not (root / m.group(1)).exists():
        errors.append(f"Dockerfile copies {m.group(1)}, which does not exist")

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
                          "deriv", "and", "or", "le"):
                continue
            base = re.sub(r"(_total|_bucket|_sum|_count|_max)$", "", metric)
            if metric not in exported and base not in declared and re.sub(r"_seconds$", "", base) not in declared:
                errors.append(f"dashboard queries {metric}, which the app does not export")

for e in errors:
    print("static check:", e)
print(f"static checks: {len(docs)} k8s documents, {len(exprs)} dashboard queries, {len(errors)} problems")
sys.exit(1 if errors else 0)
