"""The constraint check (platform-contracts 12), pure: each type of the spec's table."""

from __future__ import annotations

from collectors.constraints import Declared, Observed, repo_key, version_matches, violations

DECLARED = Declared(
    workloads=["ocp4_workload_openshift_gitops", "ocp4_workload_showroom", "ocp4_workload_minio"],
    operator_channels={"gitops": "gitops-1.15", "openshift_virtualization": "stable"},
    showroom_repo="https://github.com/rhpds/showroom-lb1208.git",
    showroom_ref="main",
    ocp_version="4.18",
)
SEEN = Observed(
    names=["sandbox-abc12-lb1208", "showroom-5d8f-x7", "openshift-gitops-operator"],
    channels={"openshift-gitops-operator": "gitops-1.15", "kubevirt-hyperconverged": "stable"},
    showroom=[("https://github.com/rhpds/showroom-lb1208", "main")],
    ocp_versions=["4.18.36"],
)


def _types(found: list[object]) -> list[tuple[str, str, str, str]]:
    return [(v.violation_type, v.subject, v.expected, v.actual) for v in found]  # type: ignore[attr-defined]


def test_it_finds_nothing_when_the_lab_runs_its_definition() -> None:
    # minio is missing: the only violation
    assert _types(violations(DECLARED, SEEN)) == [("workload_not_deployed", "minio", "minio", "")]


def test_it_reports_each_type_with_the_spec_severity_and_stage() -> None:
    seen = Observed(
        names=["sandbox-abc12-lb1208"],
        channels={"openshift-gitops-operator": "gitops-1.13"},
        showroom=[("https://github.com/someone/other-content.git", "v2")],
        ocp_versions=["4.17.9"],
    )
    found = {v.violation_type: v for v in violations(DECLARED, seen)}
    assert set(found) == {
        "workload_not_deployed",
        "operator_version_drift",
        "showroom_wrong_content",
        "showroom_wrong_ref",
        "resource_below_spec",
    }
    assert (found["operator_version_drift"].expected, found["operator_version_drift"].actual) == (
        "gitops-1.15",
        "gitops-1.13",
    )
    severity = {t: (v.severity, v.correlated_stage) for t, v in found.items()}
    assert severity == {
        "workload_not_deployed": ("warning", "deployment-ready"),
        "operator_version_drift": ("warning", "deployment-ready"),
        "showroom_wrong_content": ("critical", "showroom-healthy"),
        "showroom_wrong_ref": ("warning", "showroom-healthy"),
        "resource_below_spec": ("warning", "vm-runtime-ready"),
    }


def test_it_says_nothing_about_what_was_not_observed() -> None:
    assert violations(DECLARED, Observed()) == []


def test_it_compares_versions_at_the_declared_precision_and_repos_loosely() -> None:
    assert version_matches("4.18", "4.18.36") and version_matches("4.18", "v4.18")
    assert not version_matches("4.18", "4.180.1") and not version_matches("4.18.2", "4.18.3")
    assert repo_key("https://GitHub.com/rhpds/x.git/") == repo_key("http://github.com/rhpds/x")
