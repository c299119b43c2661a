"""The rule API: metadata as class attributes, the docstring as user documentation, typed
options, and a pure ``check``.

Rules hold no state: the engine instantiates nothing it keeps, and a rule reads everything from
the ``RuleContext`` it is given. That is what lets rules run in any order, be retried, and be
tested from fixtures alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from kaudit.model import Family, Finding, ObjectRef, Related, Severity, SourceLocation
from kaudit.snapshot import KubeObject
from kaudit.snapshot.reads import Reads

O = TypeVar("O")  # noqa: E741 - the options type of a rule


@dataclass(frozen=True)
class NoOptions:
    pass


class Rule(Generic[O]):
    """Base class of every rule. Subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[Family]
    severity: ClassVar[Severity]
    Options: ClassVar[type] = NoOptions
    # The finding severity may differ per finding (e.g. error only while deleting); the
    # catalogue shows ``severity`` as the default.
    reads: ClassVar[Reads | None] = None
    """The body fields of lean kinds (``kaudit/data/lean_kinds.yaml``: pods, workload
    controllers, events, config maps…) this rule reads, beyond ``apiVersion``, ``kind``,
    ``metadata`` and ``status``, which every rule may read. ``None`` (the default, for rules
    written before declarations existed) means everything: the scan then keeps every object
    whole. See ``kaudit.snapshot.reads``."""

    @classmethod
    def declared_reads(cls, options: Any) -> Reads | None:
        """What the rule reads with these options (a size threshold may widen it)."""
        return cls.reads

    # ---- documentation ----------------------------------------------------------------
    @classmethod
    def summary(cls) -> str:
        doc = inspect.getdoc(cls) or ""
        return doc.split("\n", 1)[0].strip()

    @classmethod
    def documentation(cls) -> str:
        return inspect.getdoc(cls) or ""

    # ---- the check --------------------------------------------------------------------
    def check(self, ctx: Any) -> Iterator[Finding]:
        raise NotImplementedError

    # ---- helpers for subclasses -------------------------------------------------------
    def finding(
        self,
        obj: KubeObject | ObjectRef | None,
        *,
        message: str,
        at: str = "",
        related: Iterable[Related] = (),
        fix: Iterable[Mapping[str, Any]] = (),
        severity: Severity | None = None,
        source: SourceLocation | None = None,
        evidence: Mapping[str, Any] | None = None,
    ) -> Finding:
        if isinstance(obj, KubeObject):
            ref: ObjectRef | None = obj.ref
            src = source or obj.source
        else:
            ref = obj
            src = source
        return Finding(
            code=self.code,
            rule=self.name,
            family=self.family,
            severity=severity or self.severity,
            message=message,
            object=ref,
            pointer=at,
            related=tuple(related),
            fix=tuple(dict(op) for op in fix),
            source=src,
            extra=tuple(sorted((evidence or {}).items())),
        )


def related(obj: KubeObject | ObjectRef, role: str) -> Related:
    if isinstance(obj, KubeObject):
        return Related(obj.ref, role, obj.source)
    return Related(obj, role)


def is_rule_class(value: object) -> bool:
    return (
        inspect.isclass(value)
        and issubclass(value, Rule)
        and value is not Rule
        and isinstance(getattr(value, "code", None), str)
        and not inspect.isabstract(value)
    )
