#!/usr/bin/python3
"""Kubernetes resources made from files the project keeps once:

  k8s/components/monitoring/prometheusrule.yaml   <- prometheus/lookout-alerts.yml (the same rules,
                                                     as a prometheus-operator PrometheusRule)

(The Strimzi KafkaTopics are made from the Java topic registry: ./lookout topics --strimzi, checked
by StrimziTopicsTest.)

  scripts/render_manifests.py           write them
  scripts/render_manifests.py --check   exit 1, saying which, when a committed file differs"""
import pathlib, sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
RULES = ROOT / "prometheus" / "lookout-alerts.yml"
PROMETHEUS_RULE = ROOT / "k8s" / "components" / "monitoring" / "prometheusrule.yaml"


def prometheus_rule():
    rules = yaml.safe_load(RULES.read_text())
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "lookout-alerts", "labels": {"release": "prometheus"}},
        "spec": {"groups": rules["groups"]},
    }
    return ("# GENERATED from prometheus/lookout-alerts.yml by scripts/render_manifests.py: do not edit\n"
            "# (scripts/render_manifests.py --check, in CI, fails while it differs).\n"
            + yaml.safe_dump(doc, sort_keys=False, width=200, allow_unicode=True))


OUTPUTS = {PROMETHEUS_RULE: prometheus_rule}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path, make in OUTPUTS.items():
        text = make()
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
            print(f"render_manifests: wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"render_manifests: {', '.join(stale)} differ from their source: run scripts/render_manifests.py")
        sys.exit(1)
    if check:
        print(f"render_manifests: {len(OUTPUTS)} generated file(s) match their sources")


if __name__ == "__main__":
    main()
