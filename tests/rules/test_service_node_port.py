"""UQ115's ``node-port-range`` option is checked when options are read (a usage error), never
when the rule runs."""

from __future__ import annotations

import pytest

from kaudit.rules.options import OptionError, build_options
from kaudit_rules.unique.service_node_port import ServiceNodePort, parse_range


@pytest.mark.parametrize("text", ["30000", "a-b", "32767-30000", "0-100", "1-70000"])
def test_a_bad_range_is_an_option_error(text: str) -> None:
    with pytest.raises(OptionError, match="node-port-range"):
        build_options(ServiceNodePort.Options, {"node-port-range": text}, "UQ115")


def test_ranges_parse() -> None:
    assert parse_range("30000-32767") == (30000, 32767)
    assert build_options(ServiceNodePort.Options, {}, "UQ115").node_port_range == "30000-32767"
