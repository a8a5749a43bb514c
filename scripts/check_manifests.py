#!/usr/bin/python3
"""Validates every deployment file against real schemas, as a cluster and Grafana would read them:

  manifests   each overlay of k8s/overlays rendered by `kubectl kustomize`; every built-in object
              checked by the npm package kubernetes-models (types, required fields, formats: the
              Kubernetes OpenAPI) and by python3-kubernetes's field tables (no unknown field, as
              `kubectl apply --validate=strict`); every Strimzi, KEDA and prometheus-operator object
              by its vendored JSON schema (k8s/schemas, additionalProperties false); then the
              project's policy: Pod Security "restricted" and a read-only root on every pod, probes
              and resources on every container, no replica count on a Deployment KEDA scales, env
              settings that application.properties knows
  rules       promtool check rules, promtool test rules (prometheus/tests), the PrometheusRule
              generated from them up to date, durations that hold at a 30 s evaluation interval,
              a runbook entry behind every runbook_url
  dashboards  each grafana/dashboards/*.json type-checked by TypeScript against @grafana/schema's
              Dashboard (unknown or mistyped fields fail), with camera and instance variables and
              $__rate_interval in every rate()

  scripts/check_manifests.py              all of it (scripts/test.sh, static step)
  scripts/check_manifests.py --self-test  first: plants one error for each validator in a copy and
                                          fails unless that validator reports it

Needs kubectl (with kustomize >= 5: the machine image's), python3-jsonschema, python3-kubernetes,
promtool and the npm packages scripts/setup.sh installs into build/npm-validate."""
import copy, json, pathlib, re, shutil, subprocess, sys, tempfile

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
NPM = ROOT / "build" / "npm-validate"
OVERLAYS = ["dev", "prod", "gpu"]
SCHEMAS = ROOT / "k8s" / "schemas"
BUILTIN_GROUPS = {"v1", "apps/v1", "policy/v1", "networking.k8s.io/v1"}
EVALUATION_INTERVAL_S = 30


# ------------------------------------------------------------------------------------------ helpers
def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def seconds(duration):
    total = 0
    for n, unit in re.findall(r"(\d+)(ms|s|m|h|d)", duration):
        total += int(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    return total


def render(overlay_dir):
    r = run(["kubectl", "kustomize", str(overlay_dir)])
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "kubectl kustomize failed"
    return [d for d in yaml.safe_load_all(r.stdout) if d], None


# ------------------------------------------------------------------------- built-in kinds: 2 checks
NODE_VALIDATOR = r"""
import fs from "node:fs";
const docs = JSON.parse(fs.readFileSync(0, "utf8"));
const out = [];
for (const d of docs) {
  const [group, version] = d.apiVersion.includes("/") ? d.apiVersion.split("/") : [null, d.apiVersion];
  const path = `kubernetes-models/${group ? group + "/" : ""}${version}/${d.kind}`;
  let Model;
  try { Model = (await import(path))[d.kind]; } catch (e) { out.push(`${d.kind}/${d.metadata?.name}: no model ${path}`); continue; }
  try { new Model(d).validate(); } catch (e) { out.push(`${d.kind}/${d.metadata?.name}: ${e.message}`); }
}
process.stdout.write(JSON.stringify(out));
"""


def kubernetes_models(docs):
    """Types, required fields and formats, from the Kubernetes OpenAPI (npm kubernetes-models)."""
    script = NPM / "validate-k8s.mjs"
    script.write_text(NODE_VALIDATOR)
    r = run(["node", str(script)], input=json.dumps(docs), cwd=NPM)
    if r.returncode != 0:
        return [f"kubernetes-models validator crashed: {r.stderr.strip()[-300:]}"]
    return json.loads(r.stdout)


def strict_fields(doc):
    """Unknown fields (kubectl --validate=strict), from python3-kubernetes's model tables."""
    import kubernetes.client.models as models
    errors = []

    def walk(obj, type_name, path):
        if obj is None:
            return
        if type_name.startswith("list["):
            for i, item in enumerate(obj if isinstance(obj, list) else []):
                walk(item, type_name[5:-1], f"{path}[{i}]")
            return
        if type_name.startswith("dict("):
            value_type = type_name[5:-1].split(", ", 1)[1]
            for k, v in (obj.items() if isinstance(obj, dict) else []):
                walk(v, value_type, f"{path}.{k}")
            return
        cls = getattr(models, type_name, None)
        if cls is None or not hasattr(cls, "attribute_map"):
            return  # str, int, bool, object (quantities, int-or-string)...
        if not isinstance(obj, dict):
            errors.append(f"{path}: expected an object ({type_name})")
            return
        fields = {json_name: attr for attr, json_name in cls.attribute_map.items()}
        for key, value in obj.items():
            if key not in fields:
                errors.append(f"{path}.{key}: unknown field (not in {type_name})")
            else:
                walk(value, cls.openapi_types[fields[key]], f"{path}.{key}")

    version = doc["apiVersion"].split("/")[-1]
    walk(doc, f"{version.capitalize()}{doc['kind']}", f"{doc['kind']}/{doc['metadata'].get('name')}")
    return errors


# --------------------------------------------------------------------------------- custom resources
def crd_schema(doc):
    group, version = doc["apiVersion"].split("/")
    path = SCHEMAS / group / f"{doc['kind'].lower()}_{version}.json"
    return json.loads(path.read_text()) if path.exists() else None


def crd_errors(doc):
    schema = crd_schema(doc)
    if schema is None:
        return [f"{doc['kind']}/{doc['metadata'].get('name')}: no vendored schema for {doc['apiVersion']} {doc['kind']} in k8s/schemas"]
    v = jsonschema.validators.validator_for(schema)(schema)
    return [f"{doc['kind']}/{doc['metadata'].get('name')}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]


# --------------------------------------------------------------------------------------- the policy
def config_keys():
    props = (ROOT / "src/main/resources/application.properties").read_text()
    keys = {line.split("=", 1)[0].strip() for line in props.splitlines()
            if "=" in line and not line.lstrip().startswith("#") and not line.startswith("%")}
    # optional keys without a default are documented as a commented example: "# lookout.x.y=..."
    keys |= set(re.findall(r"^# ?(lookout\.[a-z0-9.-]+)=", props, re.M))
    return {re.sub(r"[^A-Za-z0-9]", "_", k).upper() for k in keys}


# Kafka client settings the deployments pass as KAFKA_* (LookoutConfig hands known ones to every client)
KAFKA_ENV = {"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG",
             "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION", "KAFKA_SSL_TRUSTSTORE_PASSWORD"}
# read by the image's entrypoint or by tools beside the app, not by application.properties
OTHER_ENV = {"LOOKOUT_HTTP", "JAVA_OPTS", "NVIDIA_DRIVER_CAPABILITIES", "KEDA_KAFKA_USERNAME", "QUARKUS_HTTP_PORT",
             "QUARKUS_MANAGEMENT_PORT"}


def policy_errors(docs):
    errors = []
    known_env = config_keys() | KAFKA_ENV | OTHER_ENV
    scaled = {d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] == "ScaledObject"}
    config_maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    for d in docs:
        name = f"{d['kind']}/{d['metadata']['name']}"
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("lookout-config"):
            for env in d.get("data", {}):
                if env not in known_env:
                    errors.append(f"{name}: {env} is no setting of application.properties nor a Kafka client setting")
        if d["kind"] != "Deployment":
            continue
        if d["metadata"]["name"] in scaled and "replicas" in d["spec"]:
            errors.append(f"{name}: sets replicas although a ScaledObject scales it (they would fight)")
        pod = d["spec"]["template"]["spec"]
        psc = pod.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            errors.append(f"{name}: pod securityContext.runAsNonRoot is not true")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            errors.append(f"{name}: pod seccompProfile is not RuntimeDefault")
        volumes = {v["name"] for v in pod.get("volumes", [])}
        for c in pod["containers"] + pod.get("initContainers", []):
            cname = f"{name} container {c['name']}"
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{cname}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{cname}: readOnlyRootFilesystem is not true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                errors.append(f"{cname}: capabilities do not drop ALL")
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if probe not in c:
                    errors.append(f"{cname}: no {probe}")
                port = c.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str) and port not in {p.get("name") for p in c.get("ports", [])}:
                    errors.append(f"{cname}: {probe} on port '{port}', which the container does not name")
            req = c.get("resources", {}).get("requests", {})
            for r in ("cpu", "memory", "ephemeral-storage"):
                if r not in req:
                    errors.append(f"{cname}: no {r} request")
            if "memory" not in c.get("resources", {}).get("limits", {}):
                errors.append(f"{cname}: no memory limit")
            if c.get("imagePullPolicy") != "IfNotPresent":
                errors.append(f"{cname}: imagePullPolicy is not IfNotPresent (kind/minikube load images; tags are releases)")
            if "/tmp" not in {m["mountPath"] for m in c.get("volumeMounts", [])}:
                errors.append(f"{cname}: no writable /tmp (an emptyDir) under a read-only root")
            for m in c.get("volumeMounts", []):
                if m["name"] not in volumes:
                    errors.append(f"{cname}: mounts volume {m['name']}, which the pod does not have")
            for ref in c.get("envFrom", []):
                cm = ref.get("configMapRef", {}).get("name")
                if cm and cm not in config_maps:
                    errors.append(f"{cname}: envFrom ConfigMap {cm}, which the overlay does not make")
            for e in c.get("env", []):
                if "value" in e and e["name"] not in known_env:
                    errors.append(f"{cname}: env {e['name']} is no setting the app or its image reads")
    return errors


def manifest_errors(overlays_dir):
    errors, counts = [], {}
    for overlay in sorted(p for p in overlays_dir.iterdir() if p.is_dir()):
        docs, err = render(overlay)
        if err:
            errors.append(f"{overlay.name}: {err}")
            continue
        builtin = [d for d in docs if d["apiVersion"] in BUILTIN_GROUPS]
        custom = [d for d in docs if d["apiVersion"] not in BUILTIN_GROUPS]
        found = kubernetes_models(builtin)
        for d in builtin:
            found += strict_fields(d)
        for d in custom:
            found += crd_errors(d)
        found += policy_errors(docs)
        errors += [f"{overlay.name}: {e}" for e in found]
        counts[overlay.name] = (len(builtin), len(custom))
    return errors, counts


# -------------------------------------------------------------------------------------------- rules
def rule_errors(rules_file, tests_dir, runbook):
    errors = []
    r = run(["promtool", "check", "rules", str(rules_file)])
    if r.returncode != 0:
        errors.append(f"promtool check rules: {(r.stdout + r.stderr).strip()[-400:]}")
    tests = sorted(tests_dir.glob("*.yml"))
    if not tests:
        errors.append(f"no promtool rule tests in {tests_dir}")
    for t in tests:
        r = run(["promtool", "test", "rules", t.name], cwd=t.parent)
        if r.returncode != 0:
            errors.append(f"promtool test rules {t.name}: {(r.stdout + r.stderr).strip()[-600:]}")
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", runbook.read_text(), re.M)}
    doc = yaml.safe_load(rules_file.read_text())
    tested = "\n".join(t.read_text() for t in tests)
    for g in doc["groups"]:
        for rule in g["rules"]:
            name = rule.get("alert") or rule.get("record")
            if "alert" in rule:
                url = rule.get("annotations", {}).get("runbook_url", "")
                if not url.startswith("docs/runbook.md#"):
                    errors.append(f"{name}: runbook_url is not an entry of docs/runbook.md")
                elif url.split("#", 1)[1] not in anchors:
                    errors.append(f"{name}: runbook_url {url} points at no heading of docs/runbook.md")
                if f"alertname: {name}\n" not in tested:
                    errors.append(f"{name}: no promtool unit test (prometheus/tests)")
            if "for" in rule and seconds(rule["for"]) < 2 * EVALUATION_INTERVAL_S:
                errors.append(f"{name}: for {rule['for']} is shorter than two evaluations at {EVALUATION_INTERVAL_S} s")
            errors += [f"{name}: {e}" for e in window_errors(rule["expr"])]
    return errors


def window_errors(expr):
    """Range windows of rate-like functions span at least four 30 s scrapes; subquery steps at least 30 s."""
    errors = []
    for fn, window in re.findall(r"\b(rate|irate|increase|delta|deriv)\((?:[^()\[]|\([^()]*\))*\[([0-9smhd]+)(?::[0-9smhd]*)?\]", expr):
        if seconds(window) < 4 * EVALUATION_INTERVAL_S:
            errors.append(f"{fn}() over [{window}]: shorter than four scrapes at {EVALUATION_INTERVAL_S} s")
    for step in re.findall(r"\[[0-9smhd]+:([0-9smhd]+)\]", expr):
        if seconds(step) < EVALUATION_INTERVAL_S:
            errors.append(f"subquery step {step}: finer than the {EVALUATION_INTERVAL_S} s evaluation interval")
    return errors


def keda_query_errors(docs):
    return [f"ScaledObject trigger {t.get('name')}: {e}" for d in docs if d["kind"] == "ScaledObject"
            for t in d["spec"]["triggers"] if t["type"] == "prometheus" for e in window_errors(t["metadata"]["query"])]


# --------------------------------------------------------------------------------------- dashboards
def dashboard_errors(dashboards_dir):
    errors = []
    work = pathlib.Path(tempfile.mkdtemp(dir=NPM, prefix="dash-"))
    try:
        files = sorted(dashboards_dir.glob("*.json"))
        for f in files:
            dash = json.loads(f.read_text())
            names = {v.get("name") for v in dash.get("templating", {}).get("list", [])}
            for var in ("camera", "instance"):
                if var not in names:
                    errors.append(f"{f.name}: no '{var}' variable")
            for p in dash.get("panels", []):
                for t in p.get("targets", []):
                    for fn, window in re.findall(r"\b(rate|irate)\((?:[^()\[]|\([^()]*\))*\[([^\]]+)\]", t["expr"]):
                        if window != "$__rate_interval":
                            errors.append(f"{f.name} / {p.get('title')}: {fn}() over [{window}], not [$__rate_interval]")
                    if "$instance" not in t["expr"]:
                        errors.append(f"{f.name} / {p.get('title')}: query ignores the instance variable")
            ts = work / (re.sub(r"\W", "_", f.stem) + ".ts")
            ts.write_text("import type { Dashboard } from '@grafana/schema';\n"
                          f"// {f.name}\nexport const dashboard: Dashboard = {f.read_text()};\n")
        (work / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
            "strict": True, "noEmit": True, "module": "nodenext", "moduleResolution": "nodenext",
            "target": "es2022", "skipLibCheck": True, "types": [], "typeRoots": [str(NPM / "node_modules/@types")]},
            "include": ["*.ts"]}))
        r = run([str(NPM / "node_modules/.bin/tsc"), "-p", str(work)], cwd=NPM)
        if r.returncode != 0:
            errors += [f"@grafana/schema: {line}" for line in r.stdout.strip().splitlines()]
        return errors, len(files)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------- self-test
def self_test():
    """Each validator must catch one planted error in a copy; otherwise it proves nothing."""
    failures = []

    def expect(what, errors, needle):
        hit = [e for e in errors if needle in e]
        print(f"self-test: {what}: {'caught' if hit else 'MISSED'}{': ' + hit[0][:160] if hit else ''}")
        if not hit:
            failures.append(what)

    docs, err = render(ROOT / "k8s" / "overlays" / "prod")
    assert not err, err
    det = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "lookout-detector")
    bad = copy.deepcopy(det)
    bad["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "sixty"
    expect("kubernetes-models: a mistyped field", kubernetes_models([bad]), "terminationGracePeriodSeconds")
    bad = copy.deepcopy(det)
    bad["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    expect("strict fields: an unknown field", strict_fields(bad), "imagePullPolicyy")
    topic = copy.deepcopy(next(d for d in docs if d["kind"] == "KafkaTopic"))
    topic["spec"]["partitons"] = 3
    expect("Strimzi schema: an unknown KafkaTopic field", crd_errors(topic), "partitons")
    so = copy.deepcopy(next(d for d in docs if d["kind"] == "ScaledObject"))
    so["spec"]["minReplicaCount"] = "one"
    expect("KEDA schema: a mistyped ScaledObject field", crd_errors(so), "minReplicaCount")
    pm = copy.deepcopy(next(d for d in docs if d["kind"] == "PodMonitor"))
    pm["spec"]["podMetricsEndpoints"][0]["intervall"] = "15s"
    expect("prometheus-operator schema: an unknown PodMonitor field", crd_errors(pm), "intervall")
    bad_docs = copy.deepcopy(docs)
    for d in bad_docs:
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "lookout-live":
            d["spec"]["template"]["spec"]["containers"][0]["securityContext"].pop("readOnlyRootFilesystem")
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "lookout-detector":
            d["spec"]["replicas"] = 2
    found = policy_errors(bad_docs)
    expect("policy: a writable root filesystem", found, "lookout-live container live: readOnlyRootFilesystem")
    expect("policy: replicas beside KEDA", found, "sets replicas although a ScaledObject")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        shutil.copytree(ROOT / "k8s", tmp / "k8s")
        kust = tmp / "k8s/overlays/dev/kustomization.yaml"
        kust.write_text(kust.read_text().replace("  - broker.yaml\n", "  - brokr.yaml\n"))
        errs, _ = manifest_errors(tmp / "k8s" / "overlays")
        expect("kubectl kustomize: an overlay that does not build", errs, "dev:")
        rules = tmp / "prometheus"
        shutil.copytree(ROOT / "prometheus", rules)
        runbook = ROOT / "docs" / "runbook.md"
        text = (rules / "lookout-alerts.yml").read_text()
        (rules / "lookout-alerts.yml").write_text(text.replace("        for: 10m\n", "        for: 30m\n", 1))
        expect("promtool test rules: an alert that fires too late", rule_errors(rules / "lookout-alerts.yml",
               rules / "tests", runbook), "promtool test rules")
        (rules / "lookout-alerts.yml").write_text(text.replace("max by (camera, instance) (lookout_camera_streaming)",
                                                             "max by (camera, instance (lookout_camera_streaming)"))
        expect("promtool check rules: a broken expression", rule_errors(rules / "lookout-alerts.yml",
               rules / "tests", runbook), "promtool check rules")
        (rules / "lookout-alerts.yml").write_text(text.replace("        for: 2m\n", "        for: 15s\n", 1)
                                                  .replace("#lookoutcamerastalled", "#no-such-entry"))
        errs = rule_errors(rules / "lookout-alerts.yml", rules / "tests", runbook)
        expect("rules: a `for` shorter than two 30 s evaluations", errs, "shorter than two evaluations")
        expect("rules: a runbook_url to no runbook entry", errs, "points at no heading")
        dashboards = tmp / "dashboards"
        shutil.copytree(ROOT / "grafana" / "dashboards", dashboards)
        f = dashboards / "lookout-service.json"
        dash = json.loads(f.read_text())
        dash["panels"][1]["gridPos"]["h"] = "eight"
        dash["refresh"] = 30
        dash["templating"]["list"] = [v for v in dash["templating"]["list"] if v["name"] != "camera"]
        dash["panels"][1]["targets"][0]["expr"] = dash["panels"][1]["targets"][0]["expr"].replace("$__rate_interval", "1m")
        f.write_text(json.dumps(dash))
        errs, _ = dashboard_errors(dashboards)
        expect("@grafana/schema: a mistyped panel field", errs, "@grafana/schema")
        expect("dashboards: no camera variable", errs, "no 'camera' variable")
        expect("dashboards: a fixed rate window", errs, "not [$__rate_interval]")
    if failures:
        print(f"self-test: FAIL: {len(failures)} validator(s) missed their planted error: {failures}")
        sys.exit(1)
    print("self-test: every validator caught its planted error")


def main():
    for tool in ("kubectl", "promtool", "node"):
        if shutil.which(tool) is None:
            sys.exit(f"check_manifests: {tool} missing (scripts/setup.sh)")
    if not (NPM / "node_modules" / "kubernetes-models").is_dir():
        sys.exit(f"check_manifests: npm validators missing in {NPM} (scripts/setup.sh)")
    if "--self-test" in sys.argv[1:]:
        self_test()
        return
    errors, counts = manifest_errors(ROOT / "k8s" / "overlays")
    prod, _ = render(ROOT / "k8s" / "overlays" / "prod")
    errors += keda_query_errors(prod or [])
    errors += rule_errors(ROOT / "prometheus" / "lookout-alerts.yml", ROOT / "prometheus" / "tests",
                          ROOT / "docs" / "runbook.md")
    r = run([sys.executable, str(ROOT / "scripts" / "render_manifests.py"), "--check"])
    if r.returncode != 0:
        errors.append(r.stdout.strip())
    dash_errors, n_dash = dashboard_errors(ROOT / "grafana" / "dashboards")
    errors += dash_errors
    for e in errors:
        print("check_manifests:", e)
    summary = ", ".join(f"{o} {b} built-in + {c} custom" for o, (b, c) in counts.items())
    print(f"check_manifests: overlays {summary}; rules and {n_dash} dashboards; {len(errors)} schema/policy errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
