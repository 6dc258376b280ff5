"""The measures of one run: training speed from its learning-curve log, size on disk, entity
P/R/F with per-tweet counts and inference speed of model-best, and the machine it ran on.

Definitions (what each column of the report counts) are in the package docstring; each function
here computes one of them. Scoring runs in a fresh process (`in_child`), so that loading a
pipeline does not add to the memory or imports of the process that orchestrates.
"""

import math
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from benchmarks.ner.run import load_code
from spacy_glove_bilstm.learning_curves import LearningLog


def training_speed(log: LearningLog) -> Tuple[int, float]:
    """Words and seconds of the training steps on which the loop did not evaluate.

    log: the learning-curve log of the run (LearningCurveLogger.v1), read by `read_log`.
    """
    evaluated = {r["step"] for r in log.evals}
    words, seconds = 0, 0.0
    previous: Optional[float] = log.start["seconds"] if log.start is not None else None
    for record in log.steps:
        if previous is not None and record["step"] not in evaluated:
            words += record["batch_words"]
            seconds += record["seconds"] - previous
        previous = record["seconds"]
    return words, seconds


def folder_bytes(path: Path, *, skip: Iterable[str] = ()) -> int:
    """Total size of the files under ``path``, leaving out its subfolders named in ``skip``."""
    skipped = [path / name for name in skip]
    return sum(
        f.stat().st_size
        for f in path.rglob("*")
        if f.is_file() and not any(s in f.parents for s in skipped)
    )


def score_model(
    model: Path, dev: Path, test: Path, code: Optional[Path] = None, repeats: int = 3
) -> Dict[str, float]:
    """Entity P/R/F of ``model`` on dev and test, and its `nlp.pipe` words/s over both."""
    import spacy
    from spacy.scorer import Scorer
    from spacy.tokens import Doc
    from spacy.training import Corpus, Example

    load_code(code)
    nlp = spacy.load(model)
    result: Dict[str, Any] = {}
    references: List[Doc] = []
    for split, path in (("dev", dev), ("test", test)):
        gold = list(Corpus(str(path))(nlp))
        # One prediction serves spaCy's scorer (what nlp.evaluate runs) and the per-tweet counts.
        predicted = nlp.pipe(eg.predicted for eg in gold)
        examples = [Example(doc, eg.reference) for doc, eg in zip(predicted, gold)]
        scores = Scorer(nlp).score(examples)
        for short in ("p", "r", "f"):
            result[f"{split}_{short}"] = 100.0 * float(scores.get(f"ents_{short}") or 0.0)
        result[f"{split}_counts"] = [entity_counts(eg.predicted, eg.reference) for eg in examples]
        references.extend(eg.reference for eg in examples)
    words = sum(len(doc) for doc in references)
    best = math.inf
    for _ in range(repeats):
        docs = [
            Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d])
            for d in references
        ]
        start = time.perf_counter()
        for _doc in nlp.pipe(docs):
            pass
        best = min(best, time.perf_counter() - start)
    result.update(infer_words=words, infer_seconds=best, infer_wps=words / best)
    return result


def entity_counts(predicted: Any, reference: Any) -> List[int]:
    """[true positives, false positives, false negatives] of one tweet's entities, matched on
    (start character, end character, label), so the predicted Doc may be tokenized differently
    from the reference: the units of spaCy's entity P/R/F, kept per tweet so that the report
    can resample tweets (`paired_bootstrap`)."""
    pred = {(e.start_char, e.end_char, e.label_) for e in predicted.ents}
    gold = {(e.start_char, e.end_char, e.label_) for e in reference.ents}
    return [len(pred & gold), len(pred - gold), len(gold - pred)]


def in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Call ``function(*args)`` in a fresh process, so its memory and imports stay there."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def torch_imports() -> bool:
    """Whether `import torch` works in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True)
    return done.returncode == 0


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one), for report headers."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
