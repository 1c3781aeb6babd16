"""A showroom pod's content source kept in its evidence (for the AgnosticV constraint check)."""

from __future__ import annotations

from typing import Any

from scanning.normalize import object_normalize


def _pod(name: str, env: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "sandbox-abc12-lb1208"},
        "spec": {
            "initContainers": [{"name": "git-cloner", "image": "git:1", "env": env}],
            "containers": [{"name": "content", "image": "antora:1"}],
        },
    }


ENV = [
    {"name": "GIT_REPO_URL", "value": "https://user:ghp_s3cretT0ken@github.com/rhpds/lab.git"},
    {"name": "GIT_REPO_REF", "value": "main"},
    {"name": "PASSWORD", "value": "hunter2"},
]


def test_it_keeps_the_repository_without_credentials_and_the_ref() -> None:
    pod = object_normalize("pods", _pod("showroom-7c9f-x2", ENV))
    assert pod["spec"]["contentSource"] == {
        "repo": "https://github.com/rhpds/lab.git",
        "ref": "main",
    }
    assert "hunter2" not in repr(pod) and "ghp_s3cretT0ken" not in repr(pod)


def test_it_looks_at_showroom_pods_only() -> None:
    assert "contentSource" not in object_normalize("pods", _pod("workshop-app-1", ENV))["spec"]
