"""LearningCurveLogger.v1 on real (tiny) `spacy train` runs with spaCy's own CNN ner."""

import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import numpy
import pytest
import spacy
from spacy.cli.init_config import init_config
from spacy.language import Language
from spacy.tokens import DocBin, Span
from spacy.training import Corpus
from spacy.training.initialize import init_nlp
from spacy.training.loop import train
from spacy.util import registry

from spacy_glove_bilstm.learning_curves.logger import STEPS_CALLBACK, create_learning_curve_steps

NAMES = ["Alice", "Bob", "Carol", "Dave"]
PLACES = ["Paris", "Berlin", "Rome", "Oslo"]
BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "bench_logger_overhead.py"


def write_docs(path: Path, n: int, seed: int) -> None:
    """n short sentences with a PERSON and a GPE, as a DocBin."""
    nlp = spacy.blank("en")
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = f"{rng.choice(NAMES)} flew to {rng.choice(PLACES)}" + " again" * (i % 3) + " ."
        doc = nlp.make_doc(words)
        doc.ents = [Span(doc, 0, 1, label="PERSON"), Span(doc, 3, 4, label="GPE")]
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)


def train_with_log(
    tmp_path: Path, n_train: int = 12, batch_size: int = 2, **overrides: Any
) -> Tuple[Path, str, Language]:
    """Train spaCy's efficiency ner config for 3 epochs with the learning-curve logger.

    Returns the JSONL log, spaCy's console output and the trained pipeline.
    """
    write_docs(tmp_path / "train.spacy", n_train, seed=0)
    write_docs(tmp_path / "dev.spacy", 4, seed=1)
    log_path = tmp_path / "curves.jsonl"
    settings = {
        "paths.train": str(tmp_path / "train.spacy"),
        "paths.dev": str(tmp_path / "dev.spacy"),
        "training.max_epochs": 3,
        "training.max_steps": 0,
        "training.eval_frequency": 5,
        "training.batcher": {
            "@batchers": "spacy.batch_by_sequence.v1",
            "size": batch_size,
            "get_length": None,
        },
        "training.logger": {
            "@loggers": "spacy_glove_bilstm.LearningCurveLogger.v1",
            "path": str(log_path),
        },
        "training.before_update": {"@callbacks": STEPS_CALLBACK},
        "components.tok2vec.model.encode.width": 32,
        "components.tok2vec.model.encode.depth": 1,
        **overrides,
    }
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    nlp = init_nlp(config.merge(_nested(settings)))
    stdout = io.StringIO()
    try:
        train(nlp, None, stdout=stdout)
    finally:
        print(stdout.getvalue())  # shown by pytest when a test fails
    return log_path, stdout.getvalue(), nlp


def _nested(flat: Dict[str, Any]) -> Dict[str, Any]:
    """{"a.b": 1} -> {"a": {"b": 1}}, for Config.merge."""
    nested: Dict[str, Any] = {}
    for key, value in flat.items():
        *sections, name = key.split(".")
        node = nested
        for section in sections:
            node = node.setdefault(section, {})
        node[name] = value
    return nested


def read_records(path: Path) -> Dict[str, List[Dict[str, Any]]]:
    by_type: Dict[str, List[Dict[str, Any]]] = {}
    for line in path.read_text(encoding="utf8").splitlines():
        record = json.loads(line)
        by_type.setdefault(record["type"], []).append(record)
    return by_type


def console_rows(console: str) -> List[List[float]]:
    """The number rows of spaCy's console table: E, #, losses..., scores..., score."""
    rows = []
    for line in console.splitlines():
        cells = line.split()
        if cells and all(cell.replace(".", "", 1).isdigit() for cell in cells):
            rows.append([float(cell) for cell in cells])
    return rows


def test_log_agrees_with_spacy(tmp_path: Path) -> None:
    log_path, console, nlp = train_with_log(tmp_path)
    records = read_records(log_path)
    assert [r["type"] for r in records["start"] + records["end"]] == ["start", "end"]
    assert records["end"][0]["status"] == "finished"

    # 12 docs in batches of 2: 6 steps per epoch, 3 epochs.
    steps = records["step"]
    assert [s["step"] for s in steps] == list(range(18))
    assert [s["epoch"] for s in steps] == [i // 6 for i in range(18)]
    assert [s["words"] for s in steps] == list(numpy.cumsum([s["batch_words"] for s in steps]))
    corpus_words = sum(len(eg) for eg in Corpus(tmp_path / "train.spacy")(nlp))
    assert steps[-1]["words"] == 3 * corpus_words

    # Evaluations every 5 steps, as in spaCy's console table; their losses sum the step losses.
    evals = records["eval"]
    rows = console_rows(console)
    assert [e["step"] for e in evals] == [0, 5, 10, 15] == [int(row[1]) for row in rows]
    previous = -1
    for record, row in zip(evals, rows):
        epoch, step, _, ner_loss, ents_f = row[:5]
        assert record["epoch"] == epoch
        batch_losses = [s["losses"]["ner"] for s in steps[previous + 1 : record["step"] + 1]]
        assert sum(batch_losses) == pytest.approx(record["losses"]["ner"], rel=1e-5)
        assert round(record["losses"]["ner"], 2) == pytest.approx(ner_loss)
        assert round(record["scores"]["ents_f"] * 100, 2) == pytest.approx(ents_f)
        assert record["speed"] > 0
        previous = record["step"]

    epochs = records["epoch"]
    assert [(e["epoch"], e["complete"], e["batches"]) for e in epochs] == [
        (0, True, 6),
        (1, True, 6),
        (2, True, 6),
    ]
    for epoch in epochs:
        losses = [s["losses"]["ner"] for s in steps if s["epoch"] == epoch["epoch"]]
        assert epoch["loss_mean"]["ner"] == pytest.approx(numpy.mean(losses))
        assert epoch["loss_std"]["ner"] == pytest.approx(numpy.std(losses))
        assert epoch["words"] == corpus_words

    # One dev score per epoch. Epoch 0 ends on step 5, which the loop scored: reused as is.
    epoch_evals = records["epoch_eval"]
    assert [(e["epoch"], e["step"]) for e in epoch_evals] == [(0, 5), (1, 11), (2, 17)]
    assert epoch_evals[0]["scores"] == evals[1]["scores"]
    assert epoch_evals[0]["eval_seconds"] == 0.0
    assert all(e["eval_seconds"] > 0 for e in epoch_evals[1:])
    # The last epoch's score is the trained pipeline's score on the dev set.
    final = nlp.evaluate(Corpus(tmp_path / "dev.spacy")(nlp))
    assert epoch_evals[-1]["scores"]["ents_f"] == pytest.approx(final["ents_f"])
    assert "update" not in vars(nlp)  # the wrapper is gone


def test_max_steps_leaves_last_epoch_incomplete(tmp_path: Path) -> None:
    log_path, _, _ = train_with_log(tmp_path, **{"training.max_steps": 8})
    records = read_records(log_path)
    assert [(e["epoch"], e["complete"], e["batches"]) for e in records["epoch"]] == [
        (0, True, 6),
        (1, False, 3),
    ]
    # Training ended normally, so the final state is still scored, marked incomplete.
    assert [(e["epoch"], e["complete"]) for e in records["epoch_eval"]] == [(0, True), (1, False)]


def test_without_epoch_scores(tmp_path: Path) -> None:
    logger = {
        "@loggers": "spacy_glove_bilstm.LearningCurveLogger.v1",
        "path": str(tmp_path / "curves.jsonl"),
        "score_epochs": False,
    }
    log_path, _, _ = train_with_log(tmp_path, **{"training.logger": logger})
    records = read_records(log_path)
    assert len(records["epoch"]) == 3
    assert "epoch_eval" not in records


@registry.callbacks("test_spacy_glove_bilstm.InterruptAt.v1")
def interrupt_at(step: int) -> Callable[[Language, Dict[str, Any]], None]:
    """The learning-curve steps callback, then Ctrl-C at `step`."""
    steps = create_learning_curve_steps()

    def before_update(nlp: Language, args: Dict[str, Any]) -> None:
        steps(nlp, args)
        if args["step"] == step:
            raise KeyboardInterrupt

    return before_update


def test_interrupted_run(tmp_path: Path) -> None:
    callback = {"@callbacks": "test_spacy_glove_bilstm.InterruptAt.v1", "step": 9}
    with pytest.raises(KeyboardInterrupt):
        train_with_log(tmp_path, **{"training.before_update": callback})
    records = read_records(tmp_path / "curves.jsonl")
    assert [(e["status"], e["steps"]) for e in records["end"]] == [("interrupted", 8)]
    assert [(e["epoch"], e["complete"], e["batches"]) for e in records["epoch"]] == [
        (0, True, 6),
        (1, False, 3),
    ]
    assert [e["epoch"] for e in records["epoch_eval"]] == [0]  # no scoring after Ctrl-C


def test_missing_steps_callback_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\[E200\].*LearningCurveSteps"):
        train_with_log(tmp_path, **{"training.before_update": None})


def test_names_are_registered() -> None:
    assert registry.loggers.get("spacy_glove_bilstm.LearningCurveLogger.v1")
    assert registry.callbacks.get(STEPS_CALLBACK)


@pytest.mark.slow
def test_logger_overhead(tmp_path: Path) -> None:
    """Time training with and without the logger (interleaved runs); print the ratios."""
    report = tmp_path / "overhead.json"
    args = ["--runs", "3", "--docs", "150", "--epochs", "2", "--json", str(report)]
    subprocess.run([sys.executable, str(BENCHMARK), *args], check=True)
    result = json.loads(report.read_text())
    print(json.dumps(result, indent=2))
    assert result["logger_ratio"] < 1.25  # loose: shared CI machines are noisy
    assert result["epoch_scoring_ratio"] > 0
