"""Typed rule options from configuration: ``[tool.kaudit.rules.FN001] grace = "30m"``."""

from __future__ import annotations

import dataclasses
import typing
from datetime import timedelta
from typing import Any

from kaudit.timeutil import parse_duration


class OptionError(ValueError):
    pass


def build_options(options_type: type, values: dict[str, Any], rule: str) -> Any:
    if not values:
        return options_type()
    if not dataclasses.is_dataclass(options_type):
        raise OptionError(f"{rule} takes no options (got {', '.join(sorted(values))})")
    hints = typing.get_type_hints(options_type)
    fields = {f.name: f for f in dataclasses.fields(options_type)}
    kwargs: dict[str, Any] = {}
    for raw_name, value in values.items():
        name = raw_name.replace("-", "_")
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise OptionError(f"{rule}: unknown option {raw_name!r} (known: {known})")
        kwargs[name] = _coerce(hints[name], value, f"{rule}.{raw_name}")
    return options_type(**kwargs)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    try:
        if hint is timedelta:
            return parse_duration(value)
        if hint is bool:
            if isinstance(value, bool):
                return value
            raise TypeError("expected true or false")
        if hint in (int, float, str):
            if isinstance(value, bool) or not isinstance(value, hint | int):
                raise TypeError(f"expected {hint.__name__}")
            return hint(value)
        if origin in (tuple, list, frozenset):
            (item_type, *_) = typing.get_args(hint) or (str,)
            if not isinstance(value, list):
                raise TypeError("expected a list")
            items = [_coerce(item_type, v, where) for v in value]
            return origin(items)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"{where}: {exc}") from None
    return value
