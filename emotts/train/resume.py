"""Which checkpoint a run resumes from: the newest one that loads and verifies.

A run killed at any moment leaves its checkpoint folder in one of a few states: complete
checkpoints only (killed between writes), plus the temporary file of a write in progress
(killed during one), or, after a disk or copy fault, a damaged ``last.ckpt`` beside the
``last.previous.ckpt`` it replaced. Every ``*.ckpt`` is a candidate, newest step first; each
is read and its checksum checked until one passes. Damaged files and unfinished writes are
reported by name, never silently skipped: unfinished writes are removed (they are our own
temporary files), damaged files newer than the chosen one are renamed ``<name>.damaged`` so
that no later save or resume picks them up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from emotts.atomic import PARTIAL_SUFFIX
from emotts.errors import ConfigError
from emotts.train.checkpoint_io import load_checkpoint_file, read_checkpoint_step

DAMAGED_SUFFIX = ".damaged"


@dataclass
class ResumePoint:
    """The checkpoint to resume from (``None``: start fresh) and what was found wrong."""

    path: Path | None = None
    step: int | None = None
    damaged: list[tuple[Path, str]] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)

    def messages(self) -> list[str]:
        """One line per finding, for the user (stderr)."""
        lines = [
            f"warning: {path} is an unfinished checkpoint write (the run stopped while saving "
            f"it); removed"
            for path in self.unfinished
        ]
        lines += [
            f"warning: {problem}; moved to {path}{DAMAGED_SUFFIX}" if self.path else problem
            for path, problem in self.damaged
        ]
        if self.damaged and self.path is not None:
            lines.append(
                f"warning: resuming from {self.path} (step {self.step}), the newest checkpoint "
                f"that verifies"
            )
        return lines


def _order(path: Path, step: int | None) -> tuple[int, int]:
    # Newest step first; at equal steps last.ckpt before a step=N.ckpt (same content).
    return (-(step if step is not None else -1), 0 if path.name == "last.ckpt" else 1)


def find_resume_point(directory: str | Path) -> ResumePoint:
    """Choose the checkpoint in ``directory`` to resume from.

    Raises:
        ConfigError: there are checkpoints but none of them verifies (the message lists each
            with its problem); resuming from nothing would silently lose the run.
    """
    directory = Path(directory)
    point = ResumePoint()
    if not directory.is_dir():
        return point
    for partial in sorted(directory.glob(f".*{PARTIAL_SUFFIX}")):
        partial.unlink(missing_ok=True)
        point.unfinished.append(partial)
    candidates: list[tuple[Path, int | None]] = []
    for path in sorted(directory.glob("*.ckpt")):
        try:
            candidates.append((path, read_checkpoint_step(path)))
        except ConfigError as error:
            point.damaged.append((path, str(error)))
    for path, step in sorted(candidates, key=lambda item: _order(*item)):
        try:
            checkpoint = load_checkpoint_file(path)
        except ConfigError as error:
            point.damaged.append((path, str(error)))
            continue
        point.path, point.step = path, int(checkpoint.get("global_step", step or 0))
        for damaged, _ in point.damaged:
            damaged.replace(damaged.with_name(damaged.name + DAMAGED_SUFFIX))
        return point
    if point.damaged:
        found = "; ".join(problem for _, problem in point.damaged)
        raise ConfigError(
            f"no checkpoint in {directory} can be resumed from: {found}. Move the folder aside "
            f"or pass --fresh to start over"
        )
    return point
