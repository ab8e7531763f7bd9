"""How one stack's values read in another's: the name mapping ``airs diff A B`` compares by.

Two stacks of one program differ in what makes each deployment unique, not only in what the
reviewer changed: ``airs:name`` (in every resource name), the deployment id the AIRS tags and
labels carry (a hash of the stack and the name), and the ids the cloud gives each resource
(here, the mock cloud: a hash of the resource's name). A :class:`Reading` replaces A's text by
B's in strings, so ``airs-aws-dev-security-vpc`` is read as ``airs-aws-prod-security-vpc``,
A's deployment id as B's, and a reference to A's VPC (``vpc-66af…``) as a reference to B's
matching VPC (``vpc-04d9…``).

The reading is only used to MATCH resources and to decide whether two values are EQUAL; the
diff prints each side's own value. A reference to a resource both stacks have compares as the
same reference; what differs in that resource is listed on the resource itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.cli.engine import ProgramRun, engine_urn
from components.cli.mocks import Registration

DEPLOYMENT_ID_OUTPUT = "deploymentId"
"""The stack output holding a public cloud deployment's id (AIRS tag and label value)."""
MIN_ID_LENGTH = 8
"""Shorter computed values are not read across: too likely to occur inside other text."""
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


@dataclass(frozen=True)
class Reading:
    """Pairs of (A's text, B's text) replaced wherever A's text occurs in a string.

    Empty: the identity (a stack against its own recorded state). Dictionary keys are read
    too; base64 text (user data, custom data) is read decoded, so names inside it count.
    """

    pairs: tuple[tuple[str, str], ...] = ()
    stated: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """The pairs worth telling the reader (names, deployment id); the rest are computed ids."""
    _table: dict[str, str] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {old: new for old, new in self.pairs if old and old != new}
        # Longest first, one pass: an ARN is replaced whole before the id inside it.
        alternatives = sorted(table, key=len, reverse=True)
        pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_pattern", pattern)

    def _replace(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._table[m.group(0)], text)

    def text(self, text: str) -> str:
        """``text`` as it reads in B."""
        read = self._replace(text)
        if read == text and self._pattern is not None and _BASE64.fullmatch(text):
            try:
                decoded = base64.b64decode(text, validate=True).decode("utf-8")
            except ValueError:  # not base64 (binascii.Error) or not text (UnicodeDecodeError)
                return text
            inner = self._replace(decoded)
            if inner != decoded:
                return base64.b64encode(inner.encode("utf-8")).decode("ascii")
        return read

    def __call__(self, value: Any) -> Any:
        """``value`` with every string in it (keys too) read in B."""
        if not self._table:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self(k): self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


IDENTITY = Reading()


def _deployment_id(run: ProgramRun) -> str | None:
    value = run.outputs.get(DEPLOYMENT_ID_OUTPUT)
    return value if isinstance(value, str) else None


def _last_segment(text: str) -> str:
    return re.split(r"[/:]", text)[-1]


def identity_values(reg: Registration) -> dict[str, str]:
    """The values that name ``reg`` in other resources' inputs, by output key: its id, and
    the outputs the cloud computes from it (ARN, self-link, service name, e-mail, or a link
    ending in the same name, as a GCP instance group manager's instance group).

    Addresses and other computed facts (a subnet's gateway) are not among them: they are
    compared as values."""
    if not reg.id or reg.read:
        return {}
    found = {"id": reg.id}
    tail = _last_segment(reg.id)
    for key, value in reg.outputs.items():
        if key in reg.inputs or not isinstance(value, str) or len(value) < MIN_ID_LENGTH:
            continue  # an input is compared as such; short values are too ambiguous to read
        same_name = len(tail) >= MIN_ID_LENGTH and _last_segment(value) == tail
        if reg.id in value or value in reg.id or same_name:
            found[key] = value
    return found


def promotion_reading(run_a: ProgramRun, run_b: ProgramRun, name_a: str, name_b: str) -> Reading:
    """How A's values read in B: ``airs:name``, the deployment id, and the computed ids of
    every resource both stacks have (matched by URN under the first two).

    Args:
        run_a: the old stack's program run.
        run_b: the new stack's program run.
        name_a: A's ``airs:name``.
        name_b: B's ``airs:name``.
    """
    pairs = [(name_a, name_b)]
    ids = (_deployment_id(run_a), _deployment_id(run_b))
    if ids[0] and ids[1]:
        pairs.append((ids[0], ids[1]))
    names = Reading(tuple(pairs))

    def by_urn(run: ProgramRun) -> dict[str, Registration]:
        return {r.urn: r for r in run.resources}

    regs_a, regs_b = by_urn(run_a), by_urn(run_b)
    in_b = {
        engine_urn(r, regs_b, run_b.stack, run_b.project): r for r in run_b.resources if r.custom
    }
    read_as: dict[str, str | None] = {}
    for reg in run_a.resources:
        if not reg.custom:
            continue
        other = in_b.get(names.text(engine_urn(reg, regs_a, run_b.stack, run_a.project)))
        if other is None:
            continue
        mine, theirs = identity_values(reg), identity_values(other)
        for key in mine.keys() & theirs.keys():
            old, new = mine[key], theirs[key]
            if old == new or len(old) < MIN_ID_LENGTH:
                continue
            # A value two resources would read differently is left as it is.
            read_as[old] = new if read_as.get(old, new) == new else None
    stated = tuple((old, new) for old, new in pairs if old != new)
    pairs += [(old, new) for old, new in read_as.items() if new is not None]
    return Reading(tuple(pairs), stated)
