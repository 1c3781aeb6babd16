"""The chart's `metrics` option: the token Secret mounted for the web pods and sent by the
ServiceMonitor, the Service's direct metrics port, its NetworkPolicy, the PrometheusRule (checked
and unit-tested by `promtool`, Debian's `prometheus` package) and the Grafana dashboard."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

from tests.test_chart import CHART, FULLNAME, OPTIONS, container, env_of, named, of_kind, render

PROMTOOL = shutil.which("promtool")
RULES_TEST = Path(__file__).resolve().parent / "prometheus" / "stargate_rules_test.yaml"
DASHBOARD = CHART / "dashboards" / "stargate.json"
ON = OPTIONS["metrics"]


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if PROMTOOL is None:
        pytest.fail("promtool is missing: apt-get install -y prometheus (scripts/test.sh does)")
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def _rules(tmp_path: Path, values: dict[str, Any] = ON) -> Path:
    [rule] = of_kind(render(values), "PrometheusRule")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rule["spec"]), encoding="utf-8")
    return path


def test_metrics_are_off_by_default() -> None:
    docs = render({})
    assert not of_kind(docs, "ServiceMonitor") and not of_kind(docs, "PrometheusRule")
    assert [p["name"] for p in named(docs, "Service", FULLNAME)["spec"]["ports"]] == ["http"]
    assert "STARGATE_METRICS_TOKEN_FILE" not in env_of(container(docs, f"{FULLNAME}-web", "web"))


def test_metrics_need_the_token_secret() -> None:
    with pytest.raises(helm.HelmError, match="tokenSecret"):
        render({"metrics": {"enabled": True}})


@pytest.mark.parametrize("option", ["metrics", "metrics-oauth-proxy"])
def test_prometheus_sends_the_token_the_web_pod_reads(option: str) -> None:
    docs = render(OPTIONS[option])
    secret = OPTIONS[option]["metrics"]["tokenSecret"]
    key = secret.get("key", "token")
    [monitor] = of_kind(docs, "ServiceMonitor")
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": secret["name"], "key": key},
    }
    web = named(docs, "Deployment", f"{FULLNAME}-web")["spec"]["template"]["spec"]
    [volume] = [v for v in web["volumes"] if v["name"] == "metrics-token"]
    assert volume["secret"] == {
        "secretName": secret["name"],
        "items": [{"key": key, "path": "token"}],
    }
    [mount] = [m for m in web["containers"][0]["volumeMounts"] if m["name"] == "metrics-token"]
    token_file = Path(mount["mountPath"]) / "token"
    assert env_of(web["containers"][0])["STARGATE_METRICS_TOKEN_FILE"] == str(token_file)
    assert mount["readOnly"] is True


@pytest.mark.parametrize("option", ["metrics", "metrics-oauth-proxy"])
def test_the_service_monitor_scrapes_the_web_container_never_the_proxy(option: str) -> None:
    docs = render(OPTIONS[option])
    service = named(docs, "Service", FULLNAME)
    [monitor] = of_kind(docs, "ServiceMonitor")
    assert all(
        service["metadata"]["labels"][k] == v
        for k, v in monitor["spec"]["selector"]["matchLabels"].items()
    )
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    [port] = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
    assert port["targetPort"] == "http"  # the web container's own port (8000)


def test_only_monitoring_reaches_the_metrics_port() -> None:
    docs = render(ON)
    policy = named(docs, "NetworkPolicy", f"{FULLNAME}-metrics-ingress")
    [rule] = policy["spec"]["ingress"]
    assert rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"network.openshift.io/policy-group": "monitoring"}}}
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    result = _promtool("check", "rules", str(_rules(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout


def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    """The check can fail: a rule with a PromQL syntax error."""
    path = _rules(tmp_path)
    path.write_text(path.read_text().replace("> 0", "> > 0", 1), encoding="utf-8")
    assert _promtool("check", "rules", str(path), cwd=tmp_path).returncode != 0


def test_each_alert_fires_when_it_should_and_only_then(tmp_path: Path) -> None:
    """`promtool test rules`: StarGate down, stale scans, dead letters, an open breaker and an
    unreachable cluster and a stale configured collector, each with the series that fire it and
    ones that must not."""
    _rules(tmp_path)
    shutil.copy(RULES_TEST, tmp_path / RULES_TEST.name)
    result = _promtool("test", "rules", RULES_TEST.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stale_factor_comes_from_the_values(tmp_path: Path) -> None:
    values = {"metrics": {**ON["metrics"], "prometheusRule": {"staleIntervals": 3}}}
    rules = yaml.safe_load(_rules(tmp_path, values).read_text())["groups"][0]["rules"]
    [stale] = [r for r in rules if r["alert"] == "StarGateScansStale"]
    assert "> 3 * max by (cluster, tier)" in stale["expr"]


def test_the_grafana_dashboard_ships_in_a_configmap() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "stargate" and dashboard["panels"]
    configmap = named(render(ON), "ConfigMap", f"{FULLNAME}-dashboard")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(configmap["data"]["stargate.json"]) == dashboard


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each panel's query, as a recording rule, Grafana's variables filled in."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    fill = {"$__rate_interval": "5m", "$namespace": "stargate", "$job": "sg-stargate"}
    rules = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            for variable, value in fill.items():
                expr = expr.replace(variable, value)
            assert "$" not in expr, expr
            rules.append(
                {"record": f"dashboard:panel{panel['id']}:{target['refId']}", "expr": expr}
            )
    path = tmp_path / "dashboard.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = _promtool("check", "rules", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
