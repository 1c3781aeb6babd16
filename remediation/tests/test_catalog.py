from __future__ import annotations

from pathlib import Path

import pytest

from remediation.catalog import CatalogFileError, catalog_load, catalog_parse, parameters_validate

CATALOG = Path(__file__).resolve().parents[2] / "remediations" / "catalog.yaml"
GOOD_ACTION = """
version: "1"
actions:
  - id: restart-pod
    description: Delete a pod.
    risk: low
    scope: pod
    method: kubernetes
    operation: delete_pod
    parameters:
      pod: {type: dns_label}
    allowed_when: [pod-crashloop]
"""


def test_it_loads_the_shipped_catalog() -> None:
    catalog = catalog_load(CATALOG)
    ids = {action.id for action in catalog.actions}
    assert {"restart-pod", "rollout-restart-deployment", "restart-showroom"} <= ids
    assert {"anarchy-retry-provision", "anarchy-destroy-stuck", "pool-scale"} <= ids
    assert "sandbox-recreate-namespace" in ids


def test_it_has_a_diagnostic_action_for_every_class_an_action_names() -> None:
    catalog = catalog_load(CATALOG)
    classes = {cls for action in catalog.actions for cls in action.allowed_when}
    for cls in classes:
        assert catalog.get(f"diagnose-{cls}").diagnostic


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("risk: low", "risk: tiny", "actions[restart-pod].risk"),
        ("scope: pod", "scope: pod\n    colour: red", "actions[restart-pod].colour"),
        ("operation: delete_pod", "operation: rm_rf", "actions[restart-pod]"),
        ("type: dns_label", "type: shell", "actions[restart-pod].parameters.pod.type"),
        ("allowed_when: [pod-crashloop]", "allowed_when: []", "actions[restart-pod].allowed_when"),
        ("id: restart-pod", "id: Restart_Pod", "actions[Restart_Pod].id"),
        ('version: "1"', 'version: "1"\nextra: 1', "extra"),
    ],
)
def test_it_names_the_file_and_field_of_an_error(replace: str, by: str, expected: str) -> None:
    path = Path("remediations/bad.yaml")
    with pytest.raises(CatalogFileError) as info:
        catalog_parse(path, GOOD_ACTION.replace(replace, by))
    assert str(info.value).startswith(f"{path}: {expected}")


def test_it_rejects_a_diagnostic_action_without_steps() -> None:
    text = GOOD_ACTION.replace("    method: kubernetes\n    operation: delete_pod\n", "")
    with pytest.raises(CatalogFileError, match="needs steps"):
        catalog_parse(Path("c.yaml"), text)


def test_it_rejects_duplicate_ids() -> None:
    body = GOOD_ACTION.split("actions:\n")[1]
    with pytest.raises(CatalogFileError, match="duplicate action id"):
        catalog_parse(Path("c.yaml"), GOOD_ACTION + body)


def test_it_rejects_invalid_yaml() -> None:
    with pytest.raises(CatalogFileError, match="invalid YAML"):
        catalog_parse(Path("c.yaml"), "actions: [")


def test_it_validates_parameters() -> None:
    catalog = catalog_load(CATALOG)
    assert parameters_validate(catalog.get("restart-pod"), {"pod": "web-1"}) == {"pod": "web-1"}
    with pytest.raises(ValueError, match="pod: must be a DNS label"):
        parameters_validate(catalog.get("restart-pod"), {"pod": "x; rm -rf /"})
    with pytest.raises(ValueError, match="unknown parameters: cmd"):
        parameters_validate(catalog.get("restart-pod"), {"pod": "a", "cmd": "ls"})
    scale = catalog.get("pool-scale")
    with pytest.raises(ValueError, match="min_available: out of range"):
        parameters_validate(scale, {"pool": "p", "pool_namespace": "poolboy", "min_available": 500})
    assert parameters_validate(catalog.get("restart-showroom"), {}) == {"deployment": "showroom"}


def test_it_covers_every_failure_class_of_the_rubrics() -> None:
    from django.conf import settings

    from rubrics_app.loader import rubric_set_load

    catalog = catalog_load(CATALOG)
    # The shipped classes and those promoted from review (classification_rules.yaml).
    classes = rubric_set_load(settings.RUBRICS_DIR).classes
    for class_id, definition in classes.items():
        assert catalog.get(f"diagnose-{class_id}").diagnostic
        recommended = catalog.get(definition.action)
        assert class_id in recommended.allowed_when, (class_id, definition.action)
    named = {cls for action in catalog.actions for cls in action.allowed_when}
    assert named <= set(classes), named - set(classes)
