"""Placeholder: the loader lands with the org-units work."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"{self.created} new, {self.updated} changed, {self.unchanged} unchanged"


def load_file(session, path, actor) -> LoadReport:
    return LoadReport()
