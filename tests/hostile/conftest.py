"""The live suite's loopback API server, for the Secret-leak tests of live listings."""

from tests.live.conftest import start_live

__all__ = ["start_live"]
