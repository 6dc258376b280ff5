"""One training's identity: what it trains on (RunSpec), the code it trains with (fingerprint,
the --code file), and the error a failed step raises.

`--resume` reuses a run only when its folder name (RunSpec.run_id) and fingerprint match, so
these two decide whether a result can be trusted again; they live apart from the orchestration
so that every other module can raise BenchmarkError without importing it.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Tuple

from benchmarks.ner.systems import ROOT


class BenchmarkError(Exception):
    """A preparation step or a training failed; the message says which and where to look."""


@dataclass(frozen=True)
class RunSpec:
    """One training: a config, its vectors table, overrides, a seed, and its data: a dataset
    and, for cross-validation, a fold (`datasets`)."""

    seed: int
    config: Path
    vectors: str
    overrides: Tuple[Tuple[str, Any], ...]
    dataset: str = "wnut16"
    fold: Optional[int] = None

    def run_id(self, budget: Tuple[int, int]) -> str:
        """Folder name: config, vectors, data, seed and a hash of everything trained on, so
        equal trainings (ablation "default" and system "ours" at one seed) share one run. Runs
        on `wnut16` keep the names they had before datasets were named, so --resume finds them."""
        parts: List[Any] = [str(self.config), self.vectors, list(self.overrides), self.seed]
        parts.append(list(budget))
        data = ""
        if (self.dataset, self.fold) != ("wnut16", None):
            parts += [self.dataset, self.fold]
            data = self.dataset + ("" if self.fold is None else f"-f{self.fold}") + "-"
        digest = hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:8]
        return f"{self.config.stem}-{self.vectors}-{data}s{self.seed}-{digest}"


def fingerprint(config: Path, code: Optional[Path] = None) -> str:
    """A hash of the config's text, this package's source and the --code file, so that
    --resume only reuses a run trained with the same code and settings."""
    digest = hashlib.sha1(config.read_bytes())
    sources = sorted((ROOT / "spacy_glove_bilstm").rglob("*.py"))
    for source in [*sources, *([code] if code else [])]:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def load_code(code: Optional[Path]) -> None:
    """Import the --code file, as `spacy train --code` does, so its registered functions
    resolve in this process (config checks, loading model-best)."""
    if code is not None:
        from spacy.util import import_file

        try:
            import_file("bench_code", code)
        except Exception as err:
            raise BenchmarkError(f"--code {code} does not import: {err!r}; fix the file") from err
