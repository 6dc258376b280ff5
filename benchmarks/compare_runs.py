"""Paired bootstrap between entries of NER benchmark reports written on the same kind of host.

    python -m benchmarks.compare_runs NEW.json:beam-updates-1.0 \
        --against OLD.json:ours OLD.json:cnn_glove_cased [--markdown out.md]
    python -m benchmarks.compare_runs TWEETS.json:tweets@wnut16-cv,OLD.json:ours@anatem \
        --against OLD.json:cnn_glove_cased TWEETS.json:zeros@wnut16-cv,OLD.json:zeros@anatem

Specs limited to a dataset with ``@DATASET`` and joined by commas make one entry: the configs a
rule picks per dataset (one for tweets, one for edited text), scored as one.

A suite run is 99 trainings; a candidate measured later does not need the reference systems
trained again where the runs reproduce (training is deterministic on one kind of CPU: rerun one
reference run to check, same per-document counts). This reads the runs of each entry (a system
or ablation name, as in the report's tables) from the reports' JSON, pools cross-validation
folds per seed as the benchmark does, and prints per dataset and for the suite mean: test F
mean ± std over seeds, and the difference against each reference with the benchmark's paired
bootstrap (``benchmarks.ner.stats``: docs resampled, the same draw for both sides, seeds paired).
"""

import argparse
import json
import statistics
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.ner.stats import micro_prf, paired_bootstrap, pool_folds, suite_bootstrap

Runs = Dict[str, List[Dict[str, Any]]]  # dataset -> one record per seed


class CompareError(Exception):
    """An entry is missing or two entries cannot be paired; the message says which."""


def entry_runs(report: Dict[str, Any], name: str, where: str) -> Runs:
    """Per dataset, one record per seed of entry ``name`` (folds pooled)."""
    result: Runs = {}
    for dataset, section in report["datasets"].items():
        found = [e for e in _entries(section) if e["name"] == name]
        if not found:
            continue
        runs = [report["runs"][run_id] for run_id in found[0]["runs"] if run_id in report["runs"]]
        folds = sorted({r["fold"] for r in runs if r.get("fold") is not None})
        result[dataset] = pool_folds(runs, folds) if folds else runs
    if not result:
        names = sorted({e["name"] for s in report["datasets"].values() for e in _entries(s)})
        raise CompareError(f"{where}: no entry '{name}'; the report has {', '.join(names)}")
    return result


def _entries(section: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [*section.get("systems", []), *section.get("ablations", [])]


def _load(spec: str) -> Tuple[str, Runs]:
    """The runs of ``FILE.json:ENTRY``, or with ``@DATASET`` of that dataset only."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path:
        raise CompareError(f"'{spec}' is not FILE.json:ENTRY (e.g. suite.json:ours)")
    name, _, dataset = name.partition("@")
    try:
        report = json.loads(Path(path).read_text(encoding="utf8"))
    except (OSError, ValueError) as err:
        raise CompareError(f"{path}: not a benchmark report's JSON ({err})") from err
    runs = entry_runs(report, name, path)
    label = f"{Path(path).stem}:{name}"
    if dataset:
        if dataset not in runs:
            has = ", ".join(runs)
            raise CompareError(f"{path}: '{name}' has no runs on {dataset}; it has {has}")
        runs = {dataset: runs[dataset]}
        label += f"@{dataset}"
    return label, runs


def combine(specs: str) -> Tuple[str, Runs]:
    """One entry from comma-separated specs: each dataset's runs from the one spec that has
    them."""
    labels: List[str] = []
    runs: Runs = {}
    for spec in specs.split(","):
        label, part = _load(spec)
        twice = [d for d in part if d in runs]
        if twice:
            raise CompareError(f"{label}: {', '.join(twice)} is given twice; use @DATASET")
        labels.append(label)
        runs.update(part)
    return " + ".join(labels), runs


def _test_f(record: Dict[str, Any]) -> float:
    return micro_prf(record["test_counts"])["f"]


def _f(records: Sequence[Dict[str, Any]]) -> str:
    values = [_test_f(r) for r in records]
    spread = f" ± {statistics.stdev(values):.1f}" if len(values) > 1 else ""
    return f"{statistics.fmean(values):.1f}{spread}"


def _delta(result: Optional[Dict[str, Any]], split: str, share: bool = False) -> str:
    if result is None:
        return "—"
    r = result[split]
    text = f"{r['d_f']:+.1f} [{r['low']:+.1f}, {r['high']:+.1f}]"
    return text + (f", P(Δ ≥ 2) {r['p_above_2']:.2f}" if share else "")


def compare(mine: Tuple[str, Runs], references: Sequence[Tuple[str, Runs]]) -> str:
    """A markdown table: test F per dataset and suite mean, then each difference."""
    name, runs = mine
    datasets = list(runs)
    for ref_name, ref in references:
        missing = [d for d in datasets if d not in ref]
        if missing:
            raise CompareError(f"{ref_name} has no runs on {', '.join(missing)}")
        for dataset in datasets:
            sizes = {len(r["test_counts"]) for r in [*runs[dataset], *ref[dataset]]}
            if len(sizes) != 1:
                raise CompareError(f"{dataset}: {name} and {ref_name} were scored on other docs")
    lines = ["| | " + " | ".join(datasets) + " | suite mean |", "|---" * (len(datasets) + 2) + "|"]
    for label, entry in [(name, runs), *references]:
        means = [statistics.fmean(_test_f(r) for r in entry[d]) for d in datasets]
        cells = [_f(entry[d]) for d in datasets] + [f"{statistics.fmean(means):.1f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for ref_name, ref in references:
        for split in ("test", "dev"):
            per = [paired_bootstrap(runs[d], ref[d]) for d in datasets]
            suite = suite_bootstrap([(runs[d], ref[d]) for d in datasets])
            cells = [_delta(r, split) for r in per] + [_delta(suite, split, share=True)]
            seeds = sorted({s for r in per if r for s in r["seeds"]})
            label = f"{name} − {ref_name}, {split} (seeds {' '.join(map(str, seeds))})"
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mine", help="FILE.json:ENTRY, the runs to compare, or FILE.json:ENTRY@DATASET,... as one"
    )
    parser.add_argument(
        "--against", nargs="+", required=True, help="references, each written as mine is"
    )
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    try:
        table = compare(combine(args.mine), [combine(specs) for specs in args.against])
    except CompareError as err:
        parser.error(str(err))
    print(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf8")


if __name__ == "__main__":
    main()
