"""The Helm chart (deploy/stargate), rendered and linted by the real Helm library, with the
default values and with each documented option; every manifest validated against the
Kubernetes schemas; and the security posture OpenShift's restricted-v2 SCC asks for.

helm-python-sdk bundles Helm's Go SDK as a shared library inside the wheel, and
kubernetes-validate bundles the Kubernetes JSON schemas: nothing is downloaded at test time.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import jsonschema
import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).resolve().parent.parent / "deploy" / "stargate"
RELEASE, NAMESPACE = "sg", "stargate"
FULLNAME = f"{RELEASE}-stargate"
KUBE_VERSION = "1.30"  # OpenShift 4.17

OPTIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "oauth-proxy": {"oauthProxy": {"enabled": True, "cookieSecretName": "stargate-proxy"}},
    "oauth-proxy-sar": {
        "oauthProxy": {
            "enabled": True,
            "cookieSecretName": "stargate-proxy",
            "sar": [
                {"namespace": "ops", "resource": "services", "resourceName": "sg", "verb": "update"}
            ],
        }
    },
    "existing-secret": {"secret": {"existingSecret": "stargate-secrets"}},
    "created-secret": {
        "secret": {"create": True, "values": {"STARGATE_SECRET_KEY": "x" * 50}},
    },
    "workers": {"worker": {"replicas": 5, "processes": 8}},
    "cluster-credentials": {"clusterCredentials": {"secretName": "stargate-clusters"}},
    "no-route": {"route": {"enabled": False}},
    "no-pdb-no-netpol": {
        "podDisruptionBudget": {"enabled": False},
        "networkPolicy": {"enabled": False},
    },
    "metrics": {
        "metrics": {
            "enabled": True,
            "tokenSecret": {"name": "stargate-metrics"},
            "grafanaDashboard": {"enabled": True},
        }
    },
    "metrics-oauth-proxy": {
        "oauthProxy": {"enabled": True, "cookieSecretName": "stargate-proxy"},
        "metrics": {"enabled": True, "tokenSecret": {"name": "stargate-metrics", "key": "t"}},
    },
}
HARDENED = [name for name in OPTIONS if name != "no-pdb-no-netpol"]

# OpenShift's Route has no schema in kubernetes-validate: the fields the chart may use, strictly.
ROUTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "route.openshift.io/v1"},
        "kind": {"const": "Route"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "required": ["to"],
            "additionalProperties": False,
            "properties": {
                "host": {"type": "string"},
                "path": {"type": "string"},
                "to": {
                    "type": "object",
                    "required": ["kind", "name"],
                    "additionalProperties": False,
                    "properties": {
                        "kind": {"const": "Service"},
                        "name": {"type": "string"},
                        "weight": {"type": "integer"},
                    },
                },
                "port": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"targetPort": {"type": ["string", "integer"]}},
                },
                "tls": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "termination": {"enum": ["edge", "passthrough", "reencrypt"]},
                        "insecureEdgeTerminationPolicy": {"enum": ["Allow", "Redirect", "None"]},
                    },
                },
            },
        },
    },
}

# The Prometheus Operator's kinds have no schema in kubernetes-validate: the fields the chart
# uses, strictly (monitoring.coreos.com/v1 as the operator's CRDs define them).
_META: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_DURATION = {"type": "string", "pattern": r"^(0|(([0-9]+)(y|w|d|h|m|s|ms))+)$"}
_SECRET_KEY = {
    "type": "object",
    "required": ["name", "key"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1}, "key": {"type": "string"}},
}
MONITORING_SCHEMAS: dict[str, dict[str, Any]] = {
    "ServiceMonitor": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"},
            "kind": {"const": "ServiceMonitor"},
            "metadata": _META,
            "spec": {
                "type": "object",
                "required": ["selector", "endpoints"],
                "additionalProperties": False,
                "properties": {
                    "selector": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"matchLabels": {"type": "object"}},
                    },
                    "endpoints": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "port": {"type": "string"},
                                "path": {"type": "string"},
                                "scheme": {"enum": ["http", "https"]},
                                "interval": _DURATION,
                                "scrapeTimeout": _DURATION,
                                "authorization": {
                                    "type": "object",
                                    "required": ["credentials"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "type": {"type": "string"},
                                        "credentials": _SECRET_KEY,
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "PrometheusRule": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"},
            "kind": {"const": "PrometheusRule"},
            "metadata": _META,
            "spec": {
                "type": "object",
                "required": ["groups"],
                "additionalProperties": False,
                "properties": {
                    "groups": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "rules"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string"},
                                "interval": _DURATION,
                                "rules": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["alert", "expr"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "alert": {"type": "string"},
                                            "expr": {"type": "string"},
                                            "for": _DURATION,
                                            "labels": {"type": "object"},
                                            "annotations": {"type": "object"},
                                        },
                                    },
                                },
                            },
                        },
                    }
                },
            },
        },
    },
}

# Volume types restricted-v2 allows.
RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    docs = [doc for text in rendered.values() for doc in yaml.safe_load_all(text)]
    return [doc for doc in docs if doc]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    return doc


def pod_templates(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc["metadata"]["name"], doc["spec"]["template"]


def container(docs: list[dict[str, Any]], workload: str, name: str) -> dict[str, Any]:
    spec = named(docs, "Deployment", workload)["spec"]["template"]["spec"]
    [found] = [c for c in spec["containers"] if c["name"] == name]
    return found


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity as a number (cores, or bytes)."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    assert match, f"not a quantity: {text!r}"
    return float(match[1]) * units.get(match[2], 1.0) if match[2] else float(match[1])


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are checked"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


# --- Helm itself ------------------------------------------------------------------------------


def test_it_uses_the_helm_library_bundled_in_the_wheel() -> None:
    """No helm binary and no download: the Go SDK ships inside the installed package."""
    assert "HELM_C_LIB" not in os.environ
    package = Path(helm.__file__).resolve().parent
    assert Path(helm.library_path).resolve().is_relative_to(package)
    assert helm.helm_sdk_version().startswith("v4.")


@pytest.mark.parametrize("option", OPTIONS)
def test_it_lints_clean(option: str) -> None:
    report = helm.lint(CHART, OPTIONS[option], strict=True, kube_version=f"v{KUBE_VERSION}.0")
    assert report["errors"] == []
    # 1 = info ("icon is recommended"); 2 = warning, 3 = error
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_lint_finds_a_broken_template(tmp_path: Path) -> None:
    """The lint test can fail: a template with an unclosed action is an error."""
    broken = tmp_path / "stargate"
    with helm.Chart.load(CHART) as chart:
        chart.save_dir(tmp_path)
    (broken / "templates" / "broken.yaml").write_text("kind: {{ .Values.nope\n")
    report = helm.lint(broken, strict=True)
    assert report["errors"] or any(m["severity"] == 3 for m in report["messages"])


# --- schemas ----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", OPTIONS)
def test_every_manifest_validates_against_the_kubernetes_schemas(option: str) -> None:
    docs = render(OPTIONS[option])
    assert {"Deployment", "Service", "ConfigMap", "Job"} <= {d["kind"] for d in docs}
    for doc in docs:
        if doc["apiVersion"] == "route.openshift.io/v1":
            jsonschema.validate(doc, ROUTE_SCHEMA)
        elif doc["apiVersion"] == "monitoring.coreos.com/v1":
            jsonschema.validate(doc, MONITORING_SCHEMAS[doc["kind"]])
        else:
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_validation_catches_a_misspelt_field() -> None:
    deployment = named(render({}), "Deployment", f"{FULLNAME}-web")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


# --- security posture -------------------------------------------------------------------------


def restricted_v2_problems(name: str, template: dict[str, Any]) -> list[str]:
    """What keeps a pod template from running under OpenShift's restricted-v2 SCC with the
    hardening this chart promises (read-only root, requests and limits)."""
    spec, problems = template["spec"], []
    pod_context = spec.get("securityContext", {})
    if pod_context.get("runAsNonRoot") is not True:
        problems.append(f"{name}: pod runAsNonRoot")
    if pod_context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{name}: pod seccompProfile")
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        if field in pod_context:  # restricted-v2 assigns them from the namespace's range
            problems.append(f"{name}: pod fixes {field}")
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            problems.append(f"{name}: {field}")
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            problems.append(f"{name}: volume {volume['name']} is {kinds}")
    for c in spec.get("initContainers", []) + spec["containers"]:
        where, context = f"{name}/{c['name']}", c.get("securityContext", {})
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation")
        if context.get("privileged"):
            problems.append(f"{where}: privileged")
        if context.get("runAsNonRoot") is not True or "runAsUser" in context:
            problems.append(f"{where}: runAsNonRoot / runAsUser")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{where}: capabilities not all dropped")
        if context.get("capabilities", {}).get("add"):
            problems.append(f"{where}: capabilities added")
        if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: seccompProfile")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: writable root filesystem")
        if any("hostPort" in port for port in c.get("ports", [])):
            problems.append(f"{where}: hostPort")
        resources = c.get("resources", {})
        for resource in ("cpu", "memory"):
            request = resources.get("requests", {}).get(resource)
            limit = resources.get("limits", {}).get(resource)
            if request is None or limit is None:
                problems.append(f"{where}: {resource} request and limit")
            elif quantity(request) > quantity(limit):
                problems.append(f"{where}: {resource} request above its limit")
    return problems


@pytest.mark.parametrize("option", OPTIONS)
def test_every_pod_runs_under_restricted_v2_hardened(option: str) -> None:
    docs = render(OPTIONS[option])
    templates = dict(pod_templates(docs))
    assert set(templates) == {f"{FULLNAME}-web", f"{FULLNAME}-worker", f"{FULLNAME}-migrate-1"}
    problems = [p for name, t in templates.items() for p in restricted_v2_problems(name, t)]
    assert problems == []


def test_the_posture_check_finds_a_root_container() -> None:
    docs = render({})
    template = dict(pod_templates(docs))[f"{FULLNAME}-worker"]
    context = template["spec"]["containers"][0]["securityContext"]
    context.update(runAsUser=0, allowPrivilegeEscalation=True, readOnlyRootFilesystem=False)
    del template["spec"]["containers"][0]["resources"]["limits"]
    problems = restricted_v2_problems("worker", template)
    assert len(problems) == 5, problems


@pytest.mark.parametrize("option", OPTIONS)
def test_every_served_port_has_liveness_and_readiness_probes(option: str) -> None:
    for name, template in pod_templates(render(OPTIONS[option])):
        for c in template["spec"]["containers"]:
            ports = {p["name"] for p in c.get("ports", [])}
            if not ports:
                continue
            for probe in ("livenessProbe", "readinessProbe"):
                assert probe in c, f"{name}/{c['name']} lacks a {probe}"
                assert c[probe]["httpGet"]["port"] in ports


def test_the_web_probes_reach_daphne_directly_not_through_the_proxy() -> None:
    docs = render(OPTIONS["oauth-proxy"])
    web = container(docs, f"{FULLNAME}-web", "web")
    assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    proxy = container(docs, f"{FULLNAME}-web", "oauth-proxy")
    assert not any(a.startswith("--skip-auth") for a in proxy["args"])


@pytest.mark.parametrize("option", HARDENED)
def test_a_pod_disruption_budget_lets_a_drain_take_one_pod_of_each_deployment(
    option: str,
) -> None:
    docs = render(OPTIONS[option])
    budgets = of_kind(docs, "PodDisruptionBudget")
    for deployment in of_kind(docs, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        [budget] = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        assert budget["spec"]["maxUnavailable"] == 1
        assert "minAvailable" not in budget["spec"]  # a drain is never blocked outright


@pytest.mark.parametrize("option", HARDENED)
def test_network_policies_admit_only_the_router_to_the_client_port(option: str) -> None:
    docs = render(OPTIONS[option])
    policies = of_kind(docs, "NetworkPolicy")
    service = named(docs, "Service", FULLNAME)
    target = service["spec"]["ports"][0]["targetPort"]
    for name, template in pod_templates(docs):
        labels = template["metadata"]["labels"]
        applied = [p for p in policies if selects(p["spec"]["podSelector"], labels)]
        assert any("Ingress" in p["spec"]["policyTypes"] for p in applied), name
        # The metrics port's own policy (metrics.enabled) is checked by its own test.
        applied = [p for p in applied if not p["metadata"]["name"].endswith("-metrics-ingress")]
        rules = [rule for p in applied for rule in p["spec"].get("ingress", [])]
        if labels["app.kubernetes.io/component"] != "web":
            assert rules == [], f"{name} accepts connections"
            continue
        [client_port] = [
            p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
            if p["name"] == target
        ]
        for rule in rules:
            assert rule["from"], "an empty `from` admits every pod"
            assert all("namespaceSelector" in peer for peer in rule["from"])
            assert [p["port"] for p in rule["ports"]] == [client_port]


def test_the_router_reaches_the_proxy_and_never_daphne_when_the_proxy_is_on() -> None:
    docs = render(OPTIONS["oauth-proxy"])
    assert named(docs, "Service", FULLNAME)["spec"]["ports"][0]["targetPort"] == "proxy"
    [rule] = named(docs, "NetworkPolicy", f"{FULLNAME}-web-ingress")["spec"]["ingress"]
    assert [p["port"] for p in rule["ports"]] == [4180]


def test_only_the_proxy_mounts_a_token_of_the_pods_service_account() -> None:
    for option, expected in (("defaults", False), ("oauth-proxy", True)):
        for name, template in pod_templates(render(OPTIONS[option])):
            wanted = expected and name.endswith("-web")
            assert template["spec"]["automountServiceAccountToken"] is wanted, (option, name)


# --- the documented options -------------------------------------------------------------------


def env_of(c: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in c["env"]}


def test_the_proxy_restricts_entry_with_a_subject_access_review_by_default() -> None:
    proxy = container(render(OPTIONS["oauth-proxy"]), f"{FULLNAME}-web", "oauth-proxy")
    [sar] = [a.removeprefix("--openshift-sar=") for a in proxy["args"] if "-sar=" in a]
    assert json.loads(sar) == [
        {"namespace": NAMESPACE, "resource": "services", "resourceName": FULLNAME, "verb": "get"}
    ]


def test_the_subject_access_review_comes_from_the_values() -> None:
    proxy = container(render(OPTIONS["oauth-proxy-sar"]), f"{FULLNAME}-web", "oauth-proxy")
    [sar] = [a.removeprefix("--openshift-sar=") for a in proxy["args"] if "-sar=" in a]
    assert json.loads(sar) == OPTIONS["oauth-proxy-sar"]["oauthProxy"]["sar"]


def test_the_proxy_is_off_by_default_and_trusted_only_when_on() -> None:
    docs = render({})
    spec = named(docs, "Deployment", f"{FULLNAME}-web")["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["web"]
    assert "STARGATE_TRUSTED_PROXY_IPS" not in env_of(spec["containers"][0])
    web = container(render(OPTIONS["oauth-proxy"]), f"{FULLNAME}-web", "web")
    assert env_of(web)["STARGATE_TRUSTED_PROXY_IPS"] == "127.0.0.1"


def test_the_proxy_needs_its_cookie_secret() -> None:
    with pytest.raises(helm.HelmError, match="cookieSecretName"):
        render({"oauthProxy": {"enabled": True}})


def test_an_existing_secret_is_used_and_none_is_created() -> None:
    docs = render(OPTIONS["existing-secret"])
    assert of_kind(docs, "Secret") == []
    for name, template in pod_templates(docs):
        env_from = template["spec"]["containers"][0]["envFrom"]
        refs = [e["secretRef"]["name"] for e in env_from if "secretRef" in e]
        assert refs == ["stargate-secrets"], name


def test_a_created_secret_holds_only_the_values_given() -> None:
    [secret] = of_kind(render(OPTIONS["created-secret"]), "Secret")
    assert secret["stringData"] == {"STARGATE_SECRET_KEY": "x" * 50}
    assert of_kind(render({}), "Secret") == []


def test_the_worker_count_sets_pods_and_processes() -> None:
    docs = render(OPTIONS["workers"])
    worker = named(docs, "Deployment", f"{FULLNAME}-worker")
    assert worker["spec"]["replicas"] == 5
    assert env_of(worker["spec"]["template"]["spec"]["containers"][0])["STARGATE_WORKERS"] == "8"


def test_cluster_credentials_are_mounted_read_only_where_the_scanner_reads_them() -> None:
    docs = render(OPTIONS["cluster-credentials"])
    for name, template in pod_templates(docs):
        [mount] = [
            m
            for m in template["spec"]["containers"][0]["volumeMounts"]
            if m["name"] == "cluster-credentials"
        ]
        assert mount == {
            "name": "cluster-credentials",
            "mountPath": "/etc/stargate/clusters",
            "readOnly": True,
        }, name


def test_the_route_can_be_left_out() -> None:
    assert of_kind(render(OPTIONS["no-route"]), "Route") == []
    [route] = of_kind(render({}), "Route")
    assert route["spec"]["tls"]["termination"] == "edge"
