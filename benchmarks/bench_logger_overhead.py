"""How much LearningCurveLogger.v1 and its epoch scoring slow down `spacy train`.

Trains spaCy's efficiency ner config (CNN tok2vec) on synthetic sentences three ways, with the
same config and seed, interleaving the variants so that machine load hits them alike:

- console: spaCy's ConsoleLogger.v3 alone (the baseline);
- curves: LearningCurveLogger.v1 + LearningCurveSteps.v1 with score_epochs = false;
- curves+epochs: the same with score_epochs = true (one extra dev evaluation per epoch).

Reports the median training time of each and the ratios curves / console (the logger's cost)
and curves+epochs / curves (the cost of epoch scoring), in CPU seconds of this process (stable
on a shared machine, where other jobs stretch wall time by tens of percent) and in wall seconds.
Batch size 1 makes steps as short as they get, the worst case for a per-step logger.

    python benchmarks/bench_logger_overhead.py --runs 5 --json overhead.json
"""

import argparse
import io
import json
import random
import statistics
import tempfile
from pathlib import Path
from time import process_time
from timeit import default_timer as timer
from typing import Any, Dict, List, Tuple

import spacy
from spacy.cli.init_config import init_config
from spacy.tokens import DocBin, Span
from spacy.training.initialize import init_nlp
from spacy.training.loop import train

from spacy_glove_bilstm.learning_curves import read_log

NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"]
PLACES = ["Paris", "Berlin", "Rome", "Oslo", "Lima", "Cairo"]
FILLERS = ["yesterday", "with a friend", "for work", "again", "on a sunny day", "by train"]


def write_docs(path: Path, n: int, seed: int) -> None:
    """n sentences of 5-10 tokens with a PERSON and a GPE."""
    nlp = spacy.blank("en")
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        text = f"{rng.choice(NAMES)} flew to {rng.choice(PLACES)} {rng.choice(FILLERS)} ."
        doc = nlp.make_doc(text)
        doc.ents = [Span(doc, 0, 1, label="PERSON"), Span(doc, 3, 4, label="GPE")]
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)


def variant_config(name: str, data: Path, args: argparse.Namespace) -> Dict[str, Any]:
    """The training settings of one variant; everything but the logger is shared."""
    training: Dict[str, Any] = {
        "max_epochs": args.epochs,
        "max_steps": 0,
        "eval_frequency": args.eval_frequency,
        "batcher": {
            "@batchers": "spacy.batch_by_sequence.v1",
            "size": args.batch_size,
            "get_length": None,
        },
        "logger": {"@loggers": "spacy.ConsoleLogger.v3", "progress_bar": None},
    }
    if name != "console":
        training["logger"] = {
            "@loggers": "spacy_glove_bilstm.LearningCurveLogger.v1",
            "path": str(data / f"{name}.jsonl"),
            "score_epochs": name == "curves+epochs",
        }
        training["before_update"] = {"@callbacks": "spacy_glove_bilstm.LearningCurveSteps.v1"}
    return {
        "paths": {"train": str(data / "train.spacy"), "dev": str(data / "dev.spacy")},
        "training": training,
    }


def time_training(overrides: Dict[str, Any]) -> Tuple[float, float]:
    """CPU and wall seconds `spacy.training.loop.train` takes (initialization not included)."""
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    nlp = init_nlp(config.merge(overrides))
    cpu, wall = process_time(), timer()
    train(nlp, None, stdout=io.StringIO(), stderr=io.StringIO())
    return process_time() - cpu, timer() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant")
    parser.add_argument("--docs", type=int, default=300, help="training sentences")
    parser.add_argument("--dev-docs", type=int, default=100, help="dev sentences")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--eval-frequency", type=int, default=100)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()

    variants = ["console", "curves", "curves+epochs"]
    cpu: Dict[str, List[float]] = {name: [] for name in variants}
    wall: Dict[str, List[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        write_docs(data / "train.spacy", args.docs, seed=0)
        write_docs(data / "dev.spacy", args.dev_docs, seed=1)
        time_training(variant_config("console", data, args))  # warm-up, not counted
        for run in range(args.runs):
            order = variants[run % 3 :] + variants[: run % 3]  # rotate who goes first
            for name in order:
                cpu_seconds, wall_seconds = time_training(variant_config(name, data, args))
                cpu[name].append(cpu_seconds)
                wall[name].append(wall_seconds)
        epoch_evals = read_log(data / "curves+epochs.jsonl").epoch_evals

    median = {name: statistics.median(values) for name, values in cpu.items()}
    median_wall = {name: statistics.median(values) for name, values in wall.items()}
    report = {
        "settings": vars(args) | {"json": str(args.json) if args.json else None},
        "steps_per_run": args.epochs * -(-args.docs // args.batch_size),
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "logger_ratio": median["curves"] / median["console"],
        "epoch_scoring_ratio": median["curves+epochs"] / median["curves"],
        "logger_ratio_wall": median_wall["curves"] / median_wall["console"],
        "epoch_scoring_ratio_wall": median_wall["curves+epochs"] / median_wall["curves"],
        "epoch_eval_seconds": [round(e["eval_seconds"], 4) for e in epoch_evals],
    }
    for name in variants:
        runs = ", ".join(f"{t:.2f}" for t in cpu[name])
        walls = ", ".join(f"{t:.2f}" for t in wall[name])
        print(f"{name:>14}: median {median[name]:.3f} CPU s ({runs}); wall ({walls})")
    for label, key in (("logger", "logger_ratio"), ("epoch scoring", "epoch_scoring_ratio")):
        print(f"{label} overhead: x{report[key]:.3f} CPU, x{report[key + '_wall']:.3f} wall")
    print(f"epoch evaluations (wall s): {report['epoch_eval_seconds']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
