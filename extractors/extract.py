"""Per-file entry point: bytes in, documents / observations / errors out (stub until the lead lands it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Observation, SourceMeta


@dataclass
class FileResult:
    documents: list[dict] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def process_file(source_file: str, data: bytes, meta: SourceMeta | None) -> FileResult:
    raise NotImplementedError("the lead is writing this")
