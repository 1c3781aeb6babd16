from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rubrics_app.loader import RubricFileError, rubric_set_load

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"

PLATFORM_RUBRICS = [
    "cluster-health",
    "run-created",
    "provision-complete",
    "namespace-ready",
    "deployment-ready",
    "storage-clone-ready",
    "route-ready",
    "vm-runtime-ready",
    "smoke-test-ready",
    "showroom-healthy",
    "model-endpoint-ready",
]


def test_it_loads_the_eleven_platform_rubrics_in_pipeline_order():
    loaded = rubric_set_load(RUBRICS)
    assert [r.id for r in loaded.rubrics] == PLATFORM_RUBRICS


def test_it_gives_every_failure_class_a_unique_code_and_an_action():
    classes = rubric_set_load(RUBRICS).classes.values()
    assert len({c.code for c in classes}) == len(classes)
    assert all(c.action for c in classes)


def test_it_freezes_the_models():
    rubric = rubric_set_load(RUBRICS).rubrics[0]
    with pytest.raises(Exception, match="frozen"):
        rubric.id = "other"  # type: ignore[misc]


def _good() -> dict:
    return yaml.safe_load((RUBRICS / "deployment-ready.yaml").read_text())


def _folder(tmp_path: Path, name: str, content: str) -> Path:
    shutil.copy(RUBRICS / "failure_classes.yaml", tmp_path / "failure_classes.yaml")
    (tmp_path / f"{name}.yaml").write_text(content)
    return tmp_path


def _with(**changes: object) -> str:
    data = _good()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return yaml.safe_dump(data)


DELETE = object()

# (case, rubric file name, content, the field the error must name)
MALFORMED = [
    ("unknown top-level key", "deployment-ready", _with(colour="blue"), "colour"),
    ("missing id", "deployment-ready", _with(id=DELETE), "id"),
    ("id not kebab-case", "deployment-ready", _with(id="Deployment_Ready"), "id"),
    ("id differs from file name", "other-name", _with(), "id"),
    ("version zero", "deployment-ready", _with(version=0), "version"),
    ("version not a number", "deployment-ready", _with(version="one"), "version"),
    ("empty stage", "deployment-ready", _with(stage=""), "stage"),
    ("negative order", "deployment-ready", _with(order=-1), "order"),
    ("missing applies_to", "deployment-ready", _with(applies_to=DELETE), "applies_to"),
    (
        "applies_to both ways",
        "deployment-ready",
        _with(applies_to={"always": True, "any_present": ["pods"]}),
        "applies_to",
    ),
    (
        "applies_to unknown fact",
        "deployment-ready",
        _with(applies_to={"any_present": ["gpus"]}),
        "applies_to.any_present.0",
    ),
    (
        "applies_to unknown key",
        "deployment-ready",
        _with(applies_to={"sometimes": True}),
        "applies_to.sometimes",
    ),
    ("no exit criteria", "deployment-ready", _with(exit_criteria=[]), "exit_criteria"),
    (
        "unknown check",
        "deployment-ready",
        _with(exit_criteria__0__check="vibes"),
        "exit_criteria.0.check",
    ),
    (
        "negative grace",
        "deployment-ready",
        _with(exit_criteria__0__grace_seconds=-5),
        "exit_criteria.0.grace_seconds",
    ),
    (
        "grace as a duration string",
        "deployment-ready",
        _with(exit_criteria__0__grace_seconds="10m"),
        "exit_criteria.0.grace_seconds",
    ),
    (
        "unknown criterion key",
        "deployment-ready",
        _with(exit_criteria__0__timeout=30),
        "exit_criteria.0.timeout",
    ),
    (
        "threshold above 100",
        "deployment-ready",
        _with(exit_criteria__0__threshold_pct=150),
        "exit_criteria.0.threshold_pct",
    ),
    (
        "unknown lab flag",
        "deployment-ready",
        _with(exit_criteria__0__required_if_lab="has_gpu"),
        "exit_criteria.0.required_if_lab",
    ),
    (
        "required not a boolean",
        "deployment-ready",
        _with(exit_criteria__1__required="sometimes"),
        "exit_criteria.1.required",
    ),
    (
        "duplicate criterion id",
        "deployment-ready",
        _with(exit_criteria__1__id="deployments-available"),
        "exit_criteria.1.id",
    ),
    (
        "unknown failure class",
        "deployment-ready",
        _with(failure_classes__0__class="gremlins"),
        "failure_classes.0.class",
    ),
    (
        "failure rule names an unknown criterion",
        "deployment-ready",
        _with(failure_classes__0__when={"criterion": "nope"}),
        "failure_classes.0.when.criterion",
    ),
    (
        "failure rule with an unknown fact",
        "deployment-ready",
        _with(failure_classes__0__when={"colour": "red"}),
        "failure_classes.0.when.colour",
    ),
    ("unknown default class", "deployment-ready", _with(default_class="gremlins"), "default_class"),
    (
        "remediation both allowed and forbidden",
        "deployment-ready",
        _with(remediations={"allowed": ["restart-pod"], "forbidden": ["restart-pod"]}),
        "remediations",
    ),
    ("invalid YAML", "deployment-ready", "id: [unclosed\n", "(file)"),
    ("a list, not a mapping", "deployment-ready", "- id: deployment-ready\n", "(file)"),
]


@pytest.mark.parametrize(
    ("name", "content", "field"), [case[1:] for case in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_it_rejects_a_malformed_rubric_naming_file_and_field(tmp_path, name, content, field):
    folder = _folder(tmp_path, name, content)
    with pytest.raises(RubricFileError) as caught:
        rubric_set_load(folder)
    assert caught.value.path == folder / f"{name}.yaml"
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{folder / name}.yaml: {field}: ")


def test_it_has_at_least_twenty_malformed_cases():
    assert len(MALFORMED) >= 20


def test_it_accepts_the_unmodified_base_rubric(tmp_path):
    folder = _folder(tmp_path, "deployment-ready", _with())
    assert [r.id for r in rubric_set_load(folder).rubrics] == ["deployment-ready"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["classes"][1].update(code=d["classes"][0]["code"]), "classes.1.code"),
        (lambda d: d["classes"][0].update(severity="apocalyptic"), "classes.0.severity"),
        (lambda d: d["classes"].pop(0), "classes"),
    ],
    ids=["duplicate code", "unknown severity", "engine class missing"],
)
def test_it_rejects_a_malformed_failure_class_file(tmp_path, mutate, field):
    data = yaml.safe_load((RUBRICS / "failure_classes.yaml").read_text())
    mutate(data)
    (tmp_path / "failure_classes.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(RubricFileError) as caught:
        rubric_set_load(tmp_path)
    assert (caught.value.path.name, caught.value.field) == ("failure_classes.yaml", field)
