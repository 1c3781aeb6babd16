"""The quality gate: checks on one model answer, by prompt type (pure; spec section 18).

JSON prompts: the answer is JSON and meets its schema; nothing it says names an object absent from
the evidence; it advises nothing destructive. `classify` also: the class is known (a novel, well
formed class passes with a warning) and the conditions or reasoning quote the evidence. Prose:
not JSON, within the prompt's length, no system-prompt leak, nothing destructive, no invented
names. A required check failing makes the outcome RED (rejected), an optional one YELLOW
(accepted with a warning); an exception inside the gate is ERROR (rejected).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from rubrics_app.prompts import PromptDef

from .answers import AnswerInvalid, answer_validate, json_parse

Outcome = Literal["GREEN", "YELLOW", "RED", "ERROR"]

# Object names: hyphenated with a digit or with three parts or more (pod, deployment, namespace
# and rubric ids), so that English compounds ("start-up") are not taken for names.
NAME = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b")
_NAME_SHAPE = re.compile(r"\d|-[a-z0-9]+-")
COMMON_HYPHENATED = frozenset(
    {
        "out-of-memory",
        "crash-loop",
        "crash-looping",
        "back-off",
        "read-only",
        "non-zero",
        "up-to-date",
        "re-run",
        "well-formed",
        "so-called",
        "self-signed",
        "time-out",
        "built-in",
        "step-by-step",
        "follow-up",
        "x-ray",
    }
)
FORBIDDEN = re.compile(
    r"\b(?:delet|remov|destroy|wip|purg|drop|drain|tear(?:ing)?\s+down)\w*\b[^.\n]{0,40}?"
    r"\b(?:namespace|project|cluster|pvc|persistentvolume|volume|database|node|lab|pod)s?\b"
    r"|\b(?:kubectl|oc)\s+(?:delete|drain|cordon|scale|patch|apply|replace|exec|edit|adm)\b"
    r"|\brm\s+-[a-z]*[rf]|\bdrop\s+(?:database|table)\b|\bformat\s+(?:the\s+)?disk\b",
    re.IGNORECASE,
)
LEAK_PHRASES = re.compile(r"system prompt|my instructions|i was instructed|as instructed", re.I)
_WORDS = re.compile(r"\S+")
_QUOTE_WORDS = 4  # a quote of this many consecutive evidence words counts as a citation
_LEAK_WORDS = 8  # this many consecutive words of the system text count as a leak


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    required: bool
    detail: str = ""


@dataclass(frozen=True)
class GateVerdict:
    outcome: Outcome
    checks: tuple[CheckResult, ...]

    @property
    def accepted(self) -> bool:
        return self.outcome in ("GREEN", "YELLOW")

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if not c.passed)


def evidence_strings(evidence: Any) -> list[str]:
    """Every string value of a JSON-like value (the text a citation may quote)."""
    if isinstance(evidence, str):
        return [evidence]
    if isinstance(evidence, dict):
        return [s for v in evidence.values() for s in evidence_strings(v)]
    if isinstance(evidence, list):
        return [s for v in evidence for s in evidence_strings(v)]
    return []


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def cites(text: str, evidence: Any) -> bool:
    """Whether `text` quotes the evidence: a whole short value, or 4 consecutive words of one."""
    haystack = _squash(text)
    for value in evidence_strings(evidence):
        words = _WORDS.findall(value.lower())
        if len(words) < _QUOTE_WORDS:
            if len(value.strip()) >= 3 and _squash(value) in haystack:
                return True
            continue
        for start in range(len(words) - _QUOTE_WORDS + 1):
            if " ".join(words[start : start + _QUOTE_WORDS]) in haystack:
                return True
    return False


def fabricated_names(text: str, evidence: Any, allowed: Collection[str]) -> list[str]:
    """Hyphenated names in `text` that appear neither in the evidence nor in `allowed`."""
    known = json.dumps(evidence, ensure_ascii=False).lower()
    found = dict.fromkeys(n for n in NAME.findall(text.lower()) if _NAME_SHAPE.search(n))
    return [
        name
        for name in found
        if name not in known and name not in allowed and name not in COMMON_HYPHENATED
    ]


def leaks_system_prompt(text: str, system: str) -> bool:
    if LEAK_PHRASES.search(text):
        return True
    words, haystack = _WORDS.findall(system.lower()), _squash(text)
    return any(
        " ".join(words[i : i + _LEAK_WORDS]) in haystack
        for i in range(len(words) - _LEAK_WORDS + 1)
    )


@dataclass(frozen=True)
class _Case:
    prompt: PromptDef
    response: str
    evidence: Any
    known: frozenset[str]
    actions: frozenset[str]


def _json_checks(case: _Case) -> Iterator[CheckResult]:
    prompt, response, evidence, known = case.prompt, case.response, case.evidence, case.known
    try:
        json_parse(response)
    except AnswerInvalid as exc:
        yield CheckResult("is_json", False, True, str(exc))
        return
    yield CheckResult("is_json", True, True)
    try:
        answer = answer_validate(prompt.response, response)
    except AnswerInvalid as exc:
        yield CheckResult("schema", False, True, str(exc))
        return
    yield CheckResult("schema", True, True)
    claimed = answer.get("proposed_class", "")
    # The proposed class may be a novel hyphenated name: never counted as a fabricated one.
    said = " ".join(s for s in evidence_strings(answer) if s != claimed)
    said = said.replace(claimed, "") if claimed else said
    if prompt.id == "classify":
        novel = claimed not in known
        yield CheckResult(
            "class_known", not novel, False, f"novel class {claimed!r}" if novel else ""
        )
        cited = cites(said, evidence)
        yield CheckResult("cites_evidence", cited, True, "" if cited else "quotes no evidence")
    yield from _common_checks(case, said)


def _prose_checks(case: _Case) -> Iterator[CheckResult]:
    prompt, response = case.prompt, case.response
    try:
        json_parse(response)
        yield CheckResult("not_json", False, True, "prose was expected, the answer is JSON")
    except AnswerInvalid:
        yield CheckResult("not_json", True, True)
    spec, size = prompt.response, len(response.strip())
    fits = spec.min_chars <= size <= spec.max_chars
    detail = "" if fits else f"{size} characters, expected {spec.min_chars} to {spec.max_chars}"
    yield CheckResult("length", fits, True, detail)
    leak = leaks_system_prompt(response, prompt.system)
    yield CheckResult(
        "no_system_prompt_leak", not leak, True, "repeats its instructions" if leak else ""
    )
    yield from _common_checks(case, response)


def _common_checks(case: _Case, text: str) -> Iterator[CheckResult]:
    forbidden = FORBIDDEN.search(text)
    detail = f"advises {forbidden.group(0)!r}" if forbidden else ""
    yield CheckResult("no_forbidden_actions", forbidden is None, True, detail)
    # Actions come from the catalog's mapping for the accepted class, never from the model.
    named = sorted(a for a in case.actions if re.search(rf"\b{re.escape(a)}\b", text.lower()))
    detail = f"names {', '.join(named)}" if named else ""
    yield CheckResult("no_action_named", not named, True, detail)
    invented = fabricated_names(text, case.evidence, case.known | case.actions)
    detail = f"not in the evidence: {', '.join(invented)}" if invented else ""
    yield CheckResult("no_fabricated_names", not invented, True, detail)


CheckSet = Callable[[_Case], Iterator[CheckResult]]


def gate_check(
    *,
    prompt: PromptDef,
    response: str,
    evidence: Any,
    known_classes: Collection[str],
    action_names: Collection[str] = (),
    finish_reason: str = "stop",
) -> GateVerdict:
    """The verdict on `response` to `prompt`, given the evidence the model was shown, the known
    class names and the catalog's action ids (which an answer must not name)."""
    checks: CheckSet = _json_checks if prompt.response.format == "json" else _prose_checks
    case = _Case(prompt, response, evidence, frozenset(known_classes), frozenset(action_names))
    try:
        results = list(checks(case))
    except Exception as exc:  # the gate never lets an answer through by crashing
        return GateVerdict("ERROR", (CheckResult("gate", False, True, repr(exc)),))
    finished = finish_reason in ("stop", "")
    results.append(CheckResult("finished", finished, True, "" if finished else finish_reason))
    if any(not c.passed and c.required for c in results):
        return GateVerdict("RED", tuple(results))
    if any(not c.passed for c in results):
        return GateVerdict("YELLOW", tuple(results))
    return GateVerdict("GREEN", tuple(results))
