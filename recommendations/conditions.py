"""The policy engine's condition language (spec 23.1), parsed once and evaluated on facts.

    condition := clause (("AND" | "OR") clause)*      AND binds tighter than OR
    clause    := fact op operand | fact "in" "(" operand ("," operand)* ")"
    op        := >= <= == != > <
    operand   := number | 'quoted' | "quoted" | true | false | none | outcome word | threshold

A bare word that is not a literal (`true`, `false`, `none`, `pass`, `fail`, `warn`, ...) names a
threshold of the rule, else another fact of the scope (`replicas_ready < replicas_desired`); an
unknown fact or threshold is refused when the rule loads. A comparison with a
missing value (a fact that is None) is false, so "no estimate" never triggers a rule.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
LITERALS: dict[str, object] = {"true": True, "false": False, "none": None, "null": None}
WORDS = frozenset({"pass", "fail", "warn", "skip", "unknown", "none"})
TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|==|!=|>|<)|(?P<paren>[(),])|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_.\-]*))"
)


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Operand:
    value: object = None
    name: str | None = None  # a threshold, else another fact of the scope

    def resolve(self, facts: Mapping[str, object], thresholds: Mapping[str, float]) -> object:
        if self.name is None:
            return self.value
        if self.name in thresholds:
            return thresholds[self.name]
        return facts.get(self.name)


@dataclass(frozen=True)
class Clause:
    fact: str
    op: str  # one of OPS, or "in"
    operands: tuple[Operand, ...]

    def holds(self, facts: Mapping[str, object], thresholds: Mapping[str, float]) -> bool:
        value = facts.get(self.fact)
        wanted = [o.resolve(facts, thresholds) for o in self.operands]
        if self.op == "in":
            return _norm(value) in [_norm(w) for w in wanted]
        if self.op in ("==", "!="):
            return bool(OPS[self.op](_norm(value), _norm(wanted[0])))
        if value is None or wanted[0] is None:
            return False
        try:
            return bool(OPS[self.op](value, wanted[0]))
        except TypeError:
            return False


def _norm(value: object) -> object:
    """Booleans compare with 0/1 facts and outcome words case-insensitively."""
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, bool):
        return int(value)
    return value


@dataclass(frozen=True)
class Condition:
    """Clauses in disjunctive normal form: any group whose clauses all hold."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]

    def holds(self, facts: Mapping[str, object], thresholds: Mapping[str, float]) -> bool:
        return any(all(c.holds(facts, thresholds) for c in group) for group in self.groups)

    @property
    def facts(self) -> set[str]:
        return {clause.fact for group in self.groups for clause in group}

    @property
    def names(self) -> set[str]:
        """Bare words on the right-hand side: thresholds, or other facts."""
        return {
            o.name
            for group in self.groups
            for clause in group
            for o in clause.operands
            if o.name is not None
        }


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(f"cannot read {text[position:].strip()!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _operand(kind: str, text: str) -> Operand:
    if kind == "num":
        return Operand(float(text) if "." in text else int(text))
    if kind == "str":
        return Operand(text[1:-1])
    if kind == "word":
        lowered = text.lower()
        if lowered in LITERALS:
            return Operand(LITERALS[lowered])
        if lowered in WORDS:
            return Operand(lowered)
        return Operand(name=text)
    raise ConditionError(f"expected a value, got {text!r}")


def parse(text: str) -> Condition:
    tokens = _tokens(text)
    groups: list[tuple[Clause, ...]] = []
    current: list[Clause] = []
    index = 0
    while index < len(tokens):
        clause, index = _clause(tokens, index)
        current.append(clause)
        if index == len(tokens):
            break
        kind, word = tokens[index]
        if kind != "word" or word.upper() not in ("AND", "OR"):
            raise ConditionError(f"expected AND or OR, got {word!r}")
        if word.upper() == "OR":
            groups.append(tuple(current))
            current = []
        index += 1
        if index == len(tokens):
            raise ConditionError(f"nothing after {word}")
    if not current:
        raise ConditionError("empty condition")
    groups.append(tuple(current))
    return Condition(text.strip(), tuple(groups))


def _clause(tokens: list[tuple[str, str]], index: int) -> tuple[Clause, int]:
    kind, fact = tokens[index]
    if kind != "word":
        raise ConditionError(f"expected a fact name, got {fact!r}")
    if index + 1 >= len(tokens):
        raise ConditionError(f"{fact}: missing operator")
    kind, op = tokens[index + 1]
    if kind == "word" and op.lower() == "in":
        return _in_clause(fact, tokens, index + 2)
    if kind != "op":
        raise ConditionError(f"{fact}: expected an operator, got {op!r}")
    if index + 2 >= len(tokens):
        raise ConditionError(f"{fact} {op}: missing value")
    return Clause(fact, op, (_operand(*tokens[index + 2]),)), index + 3


def _in_clause(fact: str, tokens: list[tuple[str, str]], index: int) -> tuple[Clause, int]:
    if index >= len(tokens) or tokens[index][1] != "(":
        raise ConditionError(f"{fact} in: expected '('")
    operands: list[Operand] = []
    index += 1
    while index < len(tokens):
        kind, text = tokens[index]
        if text == ")":
            if not operands:
                raise ConditionError(f"{fact} in: empty list")
            return Clause(fact, "in", tuple(operands)), index + 1
        if text != ",":
            operands.append(_operand(kind, text))
        index += 1
    raise ConditionError(f"{fact} in: missing ')'")


def check_names(
    condition: Condition, facts: Collection[str], thresholds: Collection[str]
) -> str | None:
    """The first unknown fact or threshold named by `condition`, as a message, or None."""
    for fact in sorted(condition.facts):
        if fact not in facts:
            return f"unknown fact {fact!r}"
    for name in sorted(condition.names):
        if name not in thresholds and name not in facts:
            return f"unknown threshold {name!r}"
    return None
