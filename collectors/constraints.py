"""AgnosticV constraint violations (platform-contracts 12): a lab's definition against what the
scanner and the cluster reads saw. Pure: no ORM, no network.

| type | severity | rule | correlated stage |
|---|---|---|---|
| workload_not_deployed | warning | a workload's short name is in no namespace, operator, pod or deployment name | deployment-ready |
| operator_version_drift | warning | a declared channel differs from the installed subscription's | deployment-ready |
| showroom_wrong_content | critical | the showroom content repository differs | showroom-healthy |
| showroom_wrong_ref | warning | the showroom content ref differs | showroom-healthy |
| resource_below_spec | warning | the OpenShift version differs from the declared one | vm-runtime-ready |

A check runs only when its side was observed: no subscription for a channel, no showroom pod
with a content source, or no cluster version, says nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

WORKLOAD_PREFIX = "ocp4_workload_"
RULES: dict[str, tuple[str, str]] = {  # type → (severity, correlated stage)
    "workload_not_deployed": ("warning", "deployment-ready"),
    "operator_version_drift": ("warning", "deployment-ready"),
    "showroom_wrong_content": ("critical", "showroom-healthy"),
    "showroom_wrong_ref": ("warning", "showroom-healthy"),
    "resource_below_spec": ("warning", "vm-runtime-ready"),
}


@dataclass(frozen=True)
class Declared:
    """What the AgnosticV definition asks for."""

    workloads: Sequence[str] = ()
    operator_channels: Mapping[str, str] = field(default_factory=dict)
    showroom_repo: str = ""
    showroom_ref: str = ""
    ocp_version: str = ""


@dataclass(frozen=True)
class Observed:
    """What was seen for the lab: names of its namespaces, operators (subscriptions), pods and
    deployments; installed subscription channels by package; showroom content sources
    `(repo, ref)`; OpenShift versions of its clusters."""

    names: Sequence[str] = ()
    channels: Mapping[str, str] = field(default_factory=dict)
    showroom: Sequence[tuple[str, str]] = ()
    ocp_versions: Sequence[str] = ()


@dataclass(frozen=True)
class Violation:
    violation_type: str
    subject: str
    expected: str
    actual: str
    detail: str

    @property
    def severity(self) -> str:
        return RULES[self.violation_type][0]

    @property
    def correlated_stage(self) -> str:
        return RULES[self.violation_type][1]


def violations(declared: Declared, observed: Observed) -> list[Violation]:
    return [
        *_workloads(declared, observed),
        *_channels(declared, observed),
        *_showroom(declared, observed),
        *_version(declared, observed),
    ]


def workload_short(workload: str) -> str:
    return workload.removeprefix(WORKLOAD_PREFIX)


def _workloads(declared: Declared, observed: Observed) -> list[Violation]:
    if not observed.names:
        return []
    names = [n.lower() for n in observed.names]
    found = []
    for workload in declared.workloads:
        short = workload_short(workload).lower()
        # Kubernetes names cannot hold `_`: `openshift_gitops` is deployed as `openshift-gitops`
        forms = {short, short.replace("_", "-")}
        if short and not any(form in name for form in forms for name in names):
            found.append(
                Violation(
                    "workload_not_deployed",
                    short,
                    short,
                    "",
                    f"No namespace, operator, pod or deployment name contains {short!r}.",
                )
            )
    return found


def _subscription_channel(key: str, channels: Mapping[str, str]) -> str | None:
    forms = {key.lower(), key.lower().replace("_", "-")}
    for package, channel in sorted(channels.items()):
        if any(form in package.lower() for form in forms):
            return channel
    return None


def _channels(declared: Declared, observed: Observed) -> list[Violation]:
    found = []
    for key, channel in sorted(declared.operator_channels.items()):
        installed = _subscription_channel(key, observed.channels)
        if installed is not None and installed != channel:
            found.append(
                Violation(
                    "operator_version_drift",
                    key,
                    channel,
                    installed,
                    f"{key} is declared on channel {channel!r}; its subscription is on "
                    f"{installed!r}.",
                )
            )
    return found


def repo_key(url: str) -> str:
    """A git URL compared loosely: no scheme, no `.git`, no trailing slash, lower-cased."""
    text = url.strip().lower().removesuffix("/").removesuffix(".git")
    return text.split("://", 1)[-1]


def _showroom(declared: Declared, observed: Observed) -> list[Violation]:
    found = []
    repos = sorted({repo for repo, _ in observed.showroom if repo})
    refs = sorted({ref for _, ref in observed.showroom if ref})
    if declared.showroom_repo and repos:
        wrong = [r for r in repos if repo_key(r) != repo_key(declared.showroom_repo)]
        if wrong:
            found.append(
                Violation(
                    "showroom_wrong_content",
                    "showroom",
                    declared.showroom_repo,
                    wrong[0],
                    f"The showroom serves {wrong[0]}, not {declared.showroom_repo}.",
                )
            )
    if declared.showroom_ref and refs:
        wrong = [r for r in refs if r != declared.showroom_ref]
        if wrong:
            found.append(
                Violation(
                    "showroom_wrong_ref",
                    "showroom",
                    declared.showroom_ref,
                    wrong[0],
                    f"The showroom content is at {wrong[0]!r}, not {declared.showroom_ref!r}.",
                )
            )
    return found


def version_matches(declared: str, actual: str) -> bool:
    """`4.18` matches `4.18` and `4.18.36`: compared at the declared precision."""
    want = declared.strip().lstrip("v")
    have = actual.strip().lstrip("v")
    return have == want or have.startswith(want + ".")


def _version(declared: Declared, observed: Observed) -> list[Violation]:
    if not declared.ocp_version:
        return []
    wrong = sorted(
        {v for v in observed.ocp_versions if v and not version_matches(declared.ocp_version, v)}
    )
    if not wrong:
        return []
    return [
        Violation(
            "resource_below_spec",
            "openshift",
            declared.ocp_version,
            wrong[0],
            f"OpenShift {wrong[0]} runs where {declared.ocp_version} is declared.",
        )
    ]
