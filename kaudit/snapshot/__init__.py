"""Snapshots: what a scan audits, loaded from files, stdin, saved snapshots or a live cluster."""

from kaudit.snapshot.object import KubeObject
from kaudit.snapshot.snapshot import Snapshot, SourceInfo

__all__ = ["KubeObject", "Snapshot", "SourceInfo"]
