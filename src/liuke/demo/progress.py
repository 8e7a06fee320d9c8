"""The demo build's progress display (rich), or nothing when progress is off."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Bar:
    """A rich progress display, or nothing when progress is off."""

    def __init__(self, enabled: bool) -> None:
        self.progress = (
            Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            if enabled
            else None
        )
        self._note: TaskID | None = None

    def __enter__(self) -> Bar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def note(self, description: str) -> None:
        if self.progress is not None:
            self._note = self.progress.add_task(description, total=None)

    def done(self) -> None:
        if self.progress is not None and self._note is not None:
            self.progress.update(self._note, total=1, completed=1)
            self._note = None

    def step(self, description: str, total: int) -> TaskID | None:
        if self.progress is None:
            return None
        return self.progress.add_task(description, total=total)

    def describe(self, task: TaskID | None, suffix: str) -> None:
        """Show what a step is doing after its rows are in ("indexing")."""
        if self.progress is not None and task is not None:
            current = next(t for t in self.progress.tasks if t.id == task)
            base = str(current.fields.get("base", ""))
            if not base:
                base = str(current.description)
                self.progress.update(task, base=base)
            self.progress.update(task, description=f"{base} ({suffix})" if suffix else base)

    def advance(self, task: TaskID | None, n: int) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, n)
