"""The learning-curve log: its records, its one writer and its one reader.

A JSONL file, one object per line, told apart by "type": "start" (the training settings),
"step" (epoch, step, words seen, the words and loss per component of that batch), "eval"
(spaCy's scores every eval_frequency steps), "epoch" (count, mean and std of the epoch's batch
losses, words), "epoch_eval" (dev scores at the end of each epoch) and "end" (finished or
interrupted). Every record has "seconds" since the start. Whatever reads a log (the plot, the
benchmarks) reads it through `read_log`, which also takes the log of a running or killed
training: a last line cut off mid-write is skipped, not an error.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from timeit import default_timer as timer
from typing import IO, Any, Dict, List, Optional, Union

from ..errors import Errors


@dataclass
class LearningLog:
    """The records of one log, by type, in the order they were written."""

    path: Path
    start: Optional[Dict[str, Any]] = None
    steps: List[Dict[str, Any]] = field(default_factory=list)
    evals: List[Dict[str, Any]] = field(default_factory=list)
    epochs: List[Dict[str, Any]] = field(default_factory=list)
    epoch_evals: List[Dict[str, Any]] = field(default_factory=list)
    end: Optional[Dict[str, Any]] = None
    cut_line: bool = False  # the last line was cut off mid-write

    @property
    def state(self) -> str:
        """ "finished", "interrupted" or "running or cut off" (no end record)."""
        return self.end["status"] if self.end is not None else "running or cut off"


def read_log(path: Union[str, Path]) -> LearningLog:
    """Read a JSONL learning-curve log; a cut-off last line is skipped, not an error."""
    path = Path(path)
    log = LearningLog(path=path)
    lines = path.read_text(encoding="utf8").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):  # no newline after it: the writer was cut off
                log.cut_line = True
                continue
            raise ValueError(Errors.E201.format(line=number, path=path, text=line[:80])) from None
        kind = record.get("type")
        if kind == "start":
            log.start = record
        elif kind == "step":
            log.steps.append(record)
        elif kind == "eval":
            log.evals.append(record)
        elif kind == "epoch":
            log.epochs.append(record)
        elif kind == "epoch_eval":
            log.epoch_evals.append(record)
        elif kind == "end":
            log.end = record
    return log


class CurveLogWriter:
    """Write records to a log, each stamped with the seconds since the writer was opened.

    path (Path): The JSONL file; replaced if it exists, its folder created.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.start = timer()
        self._stream: IO[str] = path.open("w", encoding="utf8")

    def write(self, record: Dict[str, Any]) -> None:
        record["seconds"] = round(timer() - self.start, 3)
        self._stream.write(json.dumps(record) + "\n")

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()


def plain(value: Any) -> Any:
    """Turn config sections and score dicts into JSON: dicts, lists, numbers and strings."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)
