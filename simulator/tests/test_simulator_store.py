"""The store's resourceVersions and change history, and the pure patch and selector helpers."""

from __future__ import annotations

import pytest

from simulator import patch
from simulator import store as store_module
from simulator.kinds import kind_for_path
from simulator.selectors import SelectorError, field_selector, label_selector
from simulator.tests.conftest import pod

PODS = kind_for_path("", "v1", "pods")


def test_it_lists_changes_since_a_version_in_order() -> None:
    assert PODS is not None
    store = store_module.Store()
    start = store.resource_version
    store.create(PODS, pod("a", "one"))
    store.create(PODS, pod("a", "two"))
    store.delete(PODS, "a", "one")

    changes = store.changes_since(start)
    later = store.changes_since(start + 2)

    assert changes is not None and later is not None
    assert [(c.type, c.obj["metadata"]["name"]) for c in changes] == [
        ("ADDED", "one"),
        ("ADDED", "two"),
        ("DELETED", "one"),
    ]
    assert [c.type for c in later] == ["DELETED"]
    assert store.changes_since(store.resource_version) == []


def test_it_forgets_changes_beyond_its_history(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PODS is not None
    monkeypatch.setattr(store_module, "HISTORY_LIMIT", 3)
    store = store_module.Store()
    start = store.resource_version
    for i in range(5):
        store.create(PODS, pod("a", f"p{i}"))

    assert store.changes_since(start) is None
    recent = store.changes_since(store.resource_version - 2)
    assert recent is not None and len(recent) == 2


def test_it_merges_containers_by_name_in_a_strategic_patch() -> None:
    spec = {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}]}

    merged = patch.strategic_merge_patch(spec, {"containers": [{"name": "b", "image": "2"}]})
    replaced = patch.merge_patch(spec, {"containers": [{"name": "b", "image": "2"}]})

    assert merged["containers"] == [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]
    assert replaced["containers"] == [{"name": "b", "image": "2"}]
    assert spec["containers"][1]["image"] == "1"


def test_it_applies_json_patch_operations() -> None:
    doc = {"a": {"b": [1, 2]}, "c": 1}
    ops = [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "replace", "path": "/c", "value": 2},
        {"op": "copy", "from": "/c", "path": "/d"},
        {"op": "move", "from": "/d", "path": "/e"},
        {"op": "remove", "path": "/a/b/0"},
        {"op": "test", "path": "/e", "value": 2},
    ]

    assert patch.json_patch(doc, ops) == {"a": {"b": [2, 3]}, "c": 2, "e": 2}
    with pytest.raises(patch.PatchError):
        patch.json_patch(doc, [{"op": "test", "path": "/c", "value": 9}])
    with pytest.raises(patch.PatchError):
        patch.json_patch(doc, [{"op": "remove", "path": "/missing"}])


def test_it_parses_label_and_field_selectors() -> None:
    obj = {
        "metadata": {"name": "x", "labels": {"app": "web", "tier": "front"}},
        "status": {"phase": "Running"},
    }

    assert label_selector("app=web,tier in (front, back),!missing")(obj)
    assert not label_selector("app notin (web)")(obj)
    assert label_selector("tier")(obj) and not label_selector("app!=web")(obj)
    assert field_selector("status.phase=Running,metadata.name!=y")(obj)
    assert not field_selector("status.phase==Pending")(obj)
    with pytest.raises(SelectorError):
        label_selector("app in web")
