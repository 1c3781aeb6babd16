"""Loading the rubric folder: parse once, at the boundary, with errors naming file and field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .definitions import (
    ClassificationRuleDef,
    ClassificationRuleFile,
    FailureClassDef,
    FailureClassFile,
    RubricDef,
)

FAILURE_CLASSES_FILE = "failure_classes.yaml"
# Promoted classification rules (`manage.py export_rules`): their own schema, not a rubric.
CLASSIFICATION_RULES_FILE = "classification_rules.yaml"
# Classes the engine itself assigns, whatever the rubrics say.
ENGINE_CLASSES = ("cluster-unreachable", "evidence-missing")

M = TypeVar("M", bound=BaseModel)


class RubricFileError(Exception):
    def __init__(self, path: Path, field: str, detail: str) -> None:
        self.path, self.field, self.detail = path, field, detail
        super().__init__(f"{path}: {field}: {detail}")


@dataclass(frozen=True)
class RubricSet:
    """The validated rubrics, in pipeline order, and the failure classes they refer to."""

    rubrics: tuple[RubricDef, ...]
    classes: dict[str, FailureClassDef]
    directory: Path
    classification_rules: tuple[ClassificationRuleDef, ...] = ()

    @cached_property
    def applicability(self) -> tuple[tuple[RubricDef, bool, frozenset[str]], ...]:
        return tuple(
            (r, r.applies_to.always, frozenset(r.applies_to.any_present)) for r in self.rubrics
        )

    @cached_property
    def actions(self) -> dict[str, str]:
        """Failure class → recommended remediation action id."""
        return {cls.id: cls.action for cls in self.classes.values()}

    @cached_property
    def rules_by_rubric(self) -> dict[str, tuple[ClassificationRuleDef, ...]]:
        """Promoted classification rules per rubric, in the order they apply."""
        by_rubric: dict[str, list[ClassificationRuleDef]] = {}
        for rule in self.classification_rules:
            by_rubric.setdefault(rule.rubric, []).append(rule)
        return {rubric: tuple(rules) for rubric, rules in by_rubric.items()}


def _read(path: Path, error: type[RubricFileError] = RubricFileError) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8 text (byte {exc.start}: {exc.reason})"
        raise error(path, "(file)", detail) from exc
    except yaml.YAMLError as exc:
        raise error(path, "(file)", f"invalid YAML: {exc}") from exc
    except OSError as exc:
        raise error(path, "(file)", f"unreadable: {exc}") from exc


def read_yaml_mapping(path: Path, error: type[RubricFileError] = RubricFileError) -> dict[str, Any]:
    """A YAML file's top-level mapping; `error` names the file when it is not one."""
    data = _read(path, error)
    if not isinstance(data, dict):
        raise error(path, "(file)", "must be a mapping of keys to values")
    return data


def _validate(model: type[M], path: Path) -> M:
    data = read_yaml_mapping(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise RubricFileError(path, field, first["msg"]) from exc


def failure_classes_load(path: Path) -> dict[str, FailureClassDef]:
    loaded = _validate(FailureClassFile, path)
    for attr in ("id", "code"):
        values = [getattr(c, attr) for c in loaded.classes]
        for index, value in enumerate(values):
            if values.index(value) != index:
                raise RubricFileError(path, f"classes.{index}.{attr}", f"duplicate {value!r}")
    classes = {c.id: c for c in loaded.classes}
    for missing in (c for c in ENGINE_CLASSES if c not in classes):
        raise RubricFileError(path, "classes", f"the engine's class {missing!r} is missing")
    return classes


def rubric_load(path: Path, classes: dict[str, FailureClassDef]) -> RubricDef:
    rubric = _validate(RubricDef, path)
    if rubric.id != path.stem:
        raise RubricFileError(path, "id", f"{rubric.id!r} does not match the file name")
    _check_references(path, rubric, classes)
    return rubric


def _check_references(path: Path, rubric: RubricDef, classes: dict[str, FailureClassDef]) -> None:
    """Cross-field rules, here rather than in the models so that errors name the field."""
    ids = [c.id for c in (*rubric.entry_criteria, *rubric.exit_criteria)]
    offset = len(rubric.entry_criteria)
    for index, criterion in enumerate(rubric.exit_criteria):
        if ids.index(criterion.id) != offset + index:
            field = f"exit_criteria.{index}.id"
            raise RubricFileError(path, field, f"duplicate criterion id {criterion.id!r}")
    if rubric.default_class not in classes:
        detail = f"unknown failure class {rubric.default_class!r}"
        raise RubricFileError(path, "default_class", detail)
    for index, rule in enumerate(rubric.failure_classes):
        if rule.class_ not in classes:
            field = f"failure_classes.{index}.class"
            raise RubricFileError(path, field, f"unknown failure class {rule.class_!r}")
        if rule.when.criterion is not None and rule.when.criterion not in ids:
            field = f"failure_classes.{index}.when.criterion"
            raise RubricFileError(path, field, f"no criterion {rule.when.criterion!r} here")


def rubric_set_load(directory: Path) -> RubricSet:
    """Every `*.yaml` in `directory` is a rubric, except the failure-class file."""
    classes = failure_classes_load(directory / FAILURE_CLASSES_FILE)
    rubrics: dict[str, RubricDef] = {}
    rules_path = directory / CLASSIFICATION_RULES_FILE
    promoted = classification_rules_load(rules_path, classes) if rules_path.exists() else None
    if promoted is not None:
        classes = {**classes, **{c.id: c for c in promoted.classes}}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in (FAILURE_CLASSES_FILE, CLASSIFICATION_RULES_FILE):
            continue
        rubric = rubric_load(path, classes)
        if rubric.id in rubrics:
            raise RubricFileError(path, "id", f"duplicate rubric id {rubric.id!r}")
        rubrics[rubric.id] = rubric
    if not rubrics:
        raise RubricFileError(directory, "(folder)", "no rubric files found")
    ordered = tuple(sorted(rubrics.values(), key=lambda r: (r.order, r.id)))
    rules = promoted.rules if promoted is not None else ()
    for index, rule in enumerate(rules):
        if rule.rubric not in rubrics:
            field = f"rules.{index}.rubric"
            raise RubricFileError(rules_path, field, f"no rubric {rule.rubric!r}")
    return RubricSet(
        rubrics=ordered, classes=classes, directory=directory, classification_rules=rules
    )


def classification_rules_load(
    path: Path, classes: dict[str, FailureClassDef]
) -> ClassificationRuleFile:
    """The promoted rules file: its novel classes must not clash with the catalog's, and every
    rule names a known class."""
    loaded = _validate(ClassificationRuleFile, path)
    codes = {c.code for c in classes.values()}
    for index, cls in enumerate(loaded.classes):
        if cls.id in classes or cls.code in codes:
            raise RubricFileError(path, f"classes.{index}.id", f"{cls.id!r} is defined already")
        codes.add(cls.code)
    known = set(classes) | {c.id for c in loaded.classes}
    for index, rule in enumerate(loaded.rules):
        if rule.class_ not in known:
            raise RubricFileError(path, f"rules.{index}.class", f"unknown class {rule.class_!r}")
    return loaded
