"""The report of a benchmark run: per dataset, a Markdown table per kind of entry (systems,
ablations, the paired bootstrap), and with several datasets a suite table, under a header that
says when, where and how it was made; and the JSON that holds every run's record.

Formatting only: the numbers come from `stats` and `measure`. `dump_json` is `json.dumps` with
number lists kept on one line, so that the per-tweet counts stay readable in a diff.
"""

import argparse
import json
import os
import shlex
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from benchmarks.ner.data import corpus_stats
from benchmarks.ner.datasets import WNUT16_CV, Part
from benchmarks.ner.measure import cpu_model
from benchmarks.ner.systems import ABLATION_REFERENCE, ANCHOR, EVAL_FREQUENCY, SPLITS


def _score(summary: Dict[str, Any], metric: str) -> str:
    mean, std = summary["mean"][metric], summary["std"][metric]
    if mean is None:
        return "—"
    return f"{mean:.1f} ± {std:.1f}" if std is not None else f"{mean:.1f}"


def _delta(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _ratio(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.2f}x"


def format_speed(value: Optional[float]) -> str:
    """Words per second in thousands ("12.6k"), or "—"."""
    return "—" if value is None else f"{value / 1000:.1f}k"


def format_megabytes(value: Optional[float]) -> str:
    """Megabytes as "940 MB" or "2.2 GB", or "—"."""
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
        format_speed(m["train_wps"]),
        format_speed(m["infer_wps"]),
        _ratio(c["train_ratio"]),
        _ratio(c["infer_ratio"]),
        format_megabytes(m["peak_rss_mb"]),
        f"{format_megabytes(m['size_mb'])} ({format_megabytes(m['weights_mb'])})",
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


def format_bootstrap(section: Dict[str, Any], unit: str = "tweets") -> List[str]:
    """The paired-bootstrap table of one dataset (systems against the anchor, ablations against
    the reference), or nothing when no entry has one."""
    rows = [
        (entry[label_key], entry["bootstrap"], against)
        for key, label_key, against in (
            ("systems", "label", ANCHOR),
            ("ablations", "name", ABLATION_REFERENCE),
        )
        for entry in section[key]
        if entry.get("bootstrap")
    ]
    if not rows:
        return []
    samples = rows[0][1]["samples"]
    lines = [
        f"Paired bootstrap of the F difference: dev and test {unit} resampled {samples:,} times, "
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


UNITS = {"wnut16": "tweets", "wnut16-cv": "tweets", "anatem": "sentences"}
NOTES = {
    "wnut16-cv": "Cross-validation: each seed's P/R/F are micro scores over the pooled "
    "per-tweet counts of the test sets of its folds (dev likewise); the other columns are means "
    "over its folds. A seed counts once all selected folds finished.",
}


def format_dataset(name: str, section: Dict[str, Any], meta: Dict[str, Any]) -> List[str]:
    """One dataset's part of the report: its data, systems, ablations and bootstrap tables."""
    unit = UNITS.get(name, "docs")
    data = meta["data"].get(name, {})
    sizes = ", ".join(
        f"{split} {d['docs']:,} {unit} / {d['words']:,} words / {d['entities']:,} entities"
        for split, d in data.items()
    )
    title = name
    if name == "wnut16-cv":
        title += " (folds " + " ".join(str(fold) for fold in meta["folds"]) + ")"
    lines = [f"## {title}", "", f"Data: {sizes}.", ""]
    if name in NOTES:
        lines += [NOTES[name], ""]
    if section["systems"]:
        lines += [
            f"Systems: mean ± std over seeds; Δ and × against the anchor ({ANCHOR}).",
            "",
            _row(["system", "seeds", *MEASURE_HEADS]),
            _row(["---"] * (2 + len(MEASURE_HEADS))),
        ]
        for entry in section["systems"]:
            s, c = entry["summary"], entry["compare"]
            seeds = " ".join(str(seed) for seed in entry["seeds"])
            lines.append(_row([entry["label"], seeds, *_measure_cells(s, c)]))
        lines.append("")
    if section["ablations"]:
        lines += [
            f"Ablations of ours: Δ and × against `{ABLATION_REFERENCE}`, on the seeds listed;"
            " on wnut16 (one split, 239 test tweets) test F has a 95% bootstrap interval of"
            " about ±9, so decide on dev, on several seeds, or on the suite.",
            "",
            _row(["ablation", "overrides", "seeds", *MEASURE_HEADS]),
            _row(["---"] * (3 + len(MEASURE_HEADS))),
        ]
        for entry in section["ablations"]:
            s, c = entry["summary"], entry["compare"]
            seeds = " ".join(str(seed) for seed in entry["seeds"])
            cells = [entry["name"], format_overrides(entry["changes"]), seeds]
            lines.append(_row([*cells, *_measure_cells(s, c)]))
        lines.append("")
    return [*lines, *format_bootstrap(section, unit)]


def _suite_value(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f}"


def format_suite(results: Dict[str, Any]) -> List[str]:
    """The suite table: test F per dataset, the suite means, ΔF of the suite mean with its
    bootstrap interval, and speed ratios; systems against the anchor, ablations against the
    reference."""
    names = results["meta"]["datasets"]
    rows: List[List[str]] = []
    for key, label_key, against in (
        ("systems", "label", ANCHOR),
        ("ablations", "name", ABLATION_REFERENCE),
    ):
        for i, entry in enumerate(results["suite"][key]):
            per_dataset = [
                _score(results["datasets"][name][key][i]["summary"], "test_f") for name in names
            ]
            boot = entry.get("bootstrap")
            test = _interval(boot["test"]) if boot else [_delta(entry["d_test_f"]), "—", "—"]
            dev = _interval(boot["dev"])[0] if boot else _delta(entry["d_dev_f"])
            rows.append(
                [
                    entry[label_key],
                    against,
                    *per_dataset,
                    _suite_value(entry["test_f"]),
                    _suite_value(entry["dev_f"]),
                    *test,
                    dev,
                    _ratio(entry["train_ratio"]),
                    _ratio(entry["infer_ratio"]),
                ]
            )
    if not rows:
        return []
    heads = ["", "against", *(f"test F {name}" for name in names), "suite test F"]
    heads += ["suite dev F", "ΔF test [95%]", "P(>0)", "P(≥2)", "ΔF dev [95%]"]
    heads += ["train ×", "infer ×"]
    return [
        "## Suite: " + ", ".join(names),
        "",
        "Test F per dataset: mean ± std over seeds. Suite F: the mean over datasets of their mean "
        "F. ΔF: the suite mean's difference against the anchor (ablations: against "
        f"`{ABLATION_REFERENCE}`), with a 95% interval and the shares of draws above 0 and at "
        "least 2 from a paired bootstrap that resamples each dataset's docs independently "
        "(the same draw for both sides, seeds paired within each dataset). × : the geometric "
        "mean over datasets of the words/s ratios.",
        "",
        _row(heads),
        _row(["---"] * len(heads)),
        *(_row(row) for row in rows),
        "",
    ]


def format_markdown(results: Dict[str, Any]) -> str:
    """The report: a header (date, machine, versions, command, datasets, seeds), the suite
    table when there are several datasets, each dataset's tables, and any failures."""
    meta = results["meta"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v)
    names = meta["datasets"]
    seeds = " ".join(str(seed) for seed in meta["seeds"])
    ablation_seeds = " ".join(str(seed) for seed in meta["ablation_seeds"])
    datasets = ", ".join(names)
    if "wnut16-cv" in names:
        datasets += " (wnut16-cv folds " + " ".join(str(f) for f in meta["folds"]) + ")"
    lines = [
        f"# NER benchmark: {', '.join(names)}, GloVe 6B 50d",
        "",
        f"{meta['date']} · {meta['machine']} · {versions} · epochs: {meta['epochs']}, no early "
        f"stop · threads per process: {meta['threads']} · trainings at a time: {meta['jobs']}",
        "",
        f"Datasets: {datasets} · seeds: systems {seeds}, ablations {ablation_seeds}"
        + (f" · training limited to the first {meta['limit']:,} docs" if meta["limit"] else ""),
        "",
        f"Command: `{meta['command']}`",
        "",
    ]
    if len(names) > 1:
        lines += format_suite(results)
    for name in names:
        lines += format_dataset(name, results["datasets"][name], meta)
    lines += [
        "Train words/s: words of the training batches / time of those steps, steps that "
        "evaluated dev left out. Infer words/s: `nlp.pipe` over dev+test, best of 3. Peak RSS: "
        "of the `spacy train` process. Size: model-best on disk. Definitions: "
        "benchmarks/ner/__init__.py.",
    ]
    for failure in results["failures"]:
        lines += ["", f"**Failed:** {failure}"]
    return "\n".join(lines) + "\n"


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


def dataset_data(
    name: str, corpora: Dict[Part, Dict[str, Path]], folds: Sequence[int], limit: int
) -> Dict[str, Dict[str, int]]:
    """Docs, words and entities of a dataset's splits (train as trained on, with --limit); for
    wnut16-cv those of the first selected fold's run, and the pooled test sets of all."""
    if name != WNUT16_CV:
        paths = corpora[(name, None)]
        return {s: corpus_stats(paths[s], limit if s == "train" else 0) for s in SPLITS}
    first = corpora[(name, folds[0])]
    data = {
        f"fold {folds[0]} {s}": corpus_stats(first[s], limit if s == "train" else 0) for s in SPLITS
    }
    pooled = [corpus_stats(corpora[(name, fold)]["test"]) for fold in folds]
    data["pooled test"] = {key: sum(d[key] for d in pooled) for key in pooled[0]}
    return data


def public_argv(argv: Sequence[str]) -> List[str]:
    """The command line with the --anatem folder written as ANATEM_DIR: the data lives outside
    the repository, and a report names no path outside it."""
    out: List[str] = []
    for i, arg in enumerate(argv):
        if i and argv[i - 1] == "--anatem":
            out.append("ANATEM_DIR")
        elif arg.startswith("--anatem="):
            out.append("--anatem=ANATEM_DIR")
        else:
            out.append(arg)
    return out


def public_paths(data: Any, root: Path, interpreter: str = sys.executable) -> Any:
    """``data`` with the checkout's absolute paths made relative to it and the interpreter
    written as ``python``, in every string: a results file names no path outside the
    repository, wherever the checkout was."""
    if isinstance(data, dict):
        return {key: public_paths(value, root, interpreter) for key, value in data.items()}
    if isinstance(data, list):
        return [public_paths(value, root, interpreter) for value in data]
    if isinstance(data, str):
        return data.replace(interpreter, "python").replace(f"{root}{os.sep}", "")
    return data


def describe(args: argparse.Namespace, corpora: Dict[Part, Dict[str, Path]]) -> Dict[str, Any]:
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
        "command": shlex.join(["python", "-m", "benchmarks.ner", *public_argv(sys.argv[1:])]),
        "datasets": args.datasets,
        "folds": args.folds if WNUT16_CV in args.datasets else None,
        "epochs": args.epochs,
        "limit": args.limit,
        "seeds": args.seeds,
        "ablation_seeds": args.ablation_seeds,
        "threads": args.threads,
        "jobs": args.jobs,
        "eval_frequency": EVAL_FREQUENCY,
        "data": {
            name: dataset_data(name, corpora, args.folds, args.limit) for name in args.datasets
        },
    }
