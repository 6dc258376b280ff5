"""Aggregates over seeds and comparisons: mean and sample std of every metric, differences and
ratios against a reference (the anchor, or ablation "default"), and a paired bootstrap of the F
difference that resamples dev and test tweets, per dataset and for the suite mean over datasets;
and the pooling of a cross-validation's folds into one score per seed.

Mean and std come from `spacy_glove_bilstm.stats.mean_std`, the project's one implementation.
"""

import statistics
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.ner.systems import METRICS
from spacy_glove_bilstm.stats import mean_std

BOOTSTRAP_SAMPLES = 2000


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


def micro_prf(counts: Sequence[Sequence[int]]) -> Dict[str, float]:
    """Micro P, R and F (points) of per-doc [tp, fp, fn] counts, as spaCy's scorer computes
    them (0 where undefined)."""
    tp = sum(c[0] for c in counts)
    fp = sum(c[1] for c in counts)
    fn = sum(c[2] for c in counts)
    return {
        "p": 100.0 * tp / (tp + fp) if tp + fp else 0.0,
        "r": 100.0 * tp / (tp + fn) if tp + fn else 0.0,
        "f": 200.0 * tp / (2 * tp + fp + fn) if tp else 0.0,
    }


POOLED_MEANS = tuple(m for m in METRICS if m.split("_")[0] not in ("dev", "test"))


def pool_folds(runs: Sequence[Dict[str, Any]], folds: Sequence[int]) -> List[Dict[str, Any]]:
    """One record per seed for a cross-validation: the per-doc counts of its folds' dev and
    test sets concatenated (in fold order), micro P/R/F of those pooled counts, and the mean
    over folds of every other metric (speeds, sizes). Only seeds with every fold in ``folds``
    finished are pooled; each run has "seed", "fold" and per-doc counts."""
    by_seed: Dict[int, Dict[int, Dict[str, Any]]] = {}
    for run in runs:
        by_seed.setdefault(run["seed"], {})[run["fold"]] = run
    pooled: List[Dict[str, Any]] = []
    for seed, by_fold in by_seed.items():
        if not folds or any(fold not in by_fold for fold in folds):
            continue
        chosen = [by_fold[fold] for fold in sorted(folds)]
        record: Dict[str, Any] = {"seed": seed, "runs": [r["id"] for r in chosen]}
        for split in ("dev", "test"):
            counts = [c for r in chosen for c in r[f"{split}_counts"]]
            record[f"{split}_counts"] = counts
            for short, value in micro_prf(counts).items():
                record[f"{split}_{short}"] = value
        for metric in POOLED_MEANS:
            values = [float(r[metric]) for r in chosen if r.get(metric) is not None]
            record[metric] = statistics.fmean(values) if values else None
        pooled.append(record)
    return pooled


def _pairs(
    mine: Sequence[Dict[str, Any]], reference: Sequence[Dict[str, Any]]
) -> Optional[List[Tuple[Dict[str, Any], Dict[str, Any]]]]:
    """Runs of both sides paired by seed; None when no seed is shared or a run lacks counts."""
    by_seed = {r["seed"]: r for r in reference}
    pairs = [(r, by_seed[r["seed"]]) for r in mine if r["seed"] in by_seed]
    runs = [run for pair in pairs for run in pair]
    if not pairs or any(f"{s}_counts" not in r for r in runs for s in ("dev", "test")):
        return None
    return pairs


def _f_differences(
    pairs: Sequence[Tuple[Dict[str, Any], Dict[str, Any]]], split: str, draw: Any
) -> Any:
    """For each row of ``draw`` (weights of the docs), the seed-mean micro F of the first side
    minus that of the second, in points."""
    import numpy

    # counts: (side, seed, doc, tp/fp/fn)
    counts = numpy.asarray(
        [[r[f"{split}_counts"] for r in side] for side in zip(*pairs)], dtype="float64"
    )
    tp, fp, fn = numpy.moveaxis(numpy.einsum("kt,xstc->kxsc", draw, counts), -1, 0)
    denominator = 2 * tp + fp + fn
    f = numpy.divide(200 * tp, denominator, out=numpy.zeros_like(tp), where=denominator > 0)
    return f.mean(axis=2)[:, 0] - f.mean(axis=2)[:, 1]


def _draws(rng: Any, n_docs: int, samples: int) -> Any:
    """``samples`` bootstrap draws of ``n_docs`` docs, as weights (how often each is drawn)."""
    return rng.multinomial(n_docs, [1.0 / n_docs] * n_docs, size=samples)


def _interval(point: float, draws: Any) -> Dict[str, float]:
    """The point difference, its 95% percentile interval and the shares above 0 and >= 2."""
    import numpy

    low, high = numpy.percentile(draws, [2.5, 97.5])
    return {
        "d_f": float(point),
        "low": float(low),
        "high": float(high),
        "p_above_0": float((draws > 0).mean()),
        "p_above_2": float((draws >= 2).mean()),
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
    lacks per-tweet counts (results written before they were kept). For a cross-validation,
    pass the records of `pool_folds`: the pooled tweets are resampled.
    """
    result = suite_bootstrap([(mine, reference)], samples=samples, seed=seed)
    if result is not None:
        result["seeds"] = result["seeds"][0]
    return result


def suite_bootstrap(
    datasets: Sequence[Tuple[Sequence[Dict[str, Any]], Sequence[Dict[str, Any]]]],
    *,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> Optional[Dict[str, Any]]:
    """The suite mean's F difference: the mean over datasets of each dataset's F difference
    (as in ``paired_bootstrap``), with a 95% interval from draws that resample each dataset's
    docs independently, the same draw for both sides.

    datasets: per dataset, the runs of both sides (``pool_folds`` records for a
        cross-validation), paired by seed within the dataset.
    RETURNS: as ``paired_bootstrap``, with "seeds" per dataset; None when a dataset has no
        shared seed or lacks per-doc counts.
    """
    import numpy

    all_pairs = [_pairs(mine, reference) for mine, reference in datasets]
    if not all_pairs or any(pairs is None for pairs in all_pairs):
        return None
    rng = numpy.random.default_rng(seed)
    result: Dict[str, Any] = {
        "seeds": [[a["seed"] for a, _ in pairs or []] for pairs in all_pairs],
        "samples": samples,
    }
    for split in ("dev", "test"):
        points, draws = [], []
        for pairs in all_pairs:
            assert pairs is not None
            n_docs = len(pairs[0][0][f"{split}_counts"])
            weights = _draws(rng, n_docs, samples)
            points.append(_f_differences(pairs, split, numpy.ones((1, n_docs)))[0])
            draws.append(_f_differences(pairs, split, weights))
        result[split] = _interval(float(numpy.mean(points)), numpy.mean(numpy.stack(draws), axis=0))
    return result


def suite_summary(
    datasets: Sequence[Tuple[Dict[str, Any], Dict[str, Any]]],
) -> Dict[str, Optional[float]]:
    """The suite means of one entry from its (summary, comparison) per dataset: dev and test F
    (the mean over datasets of the seed means) and their differences, None unless every
    dataset has them; speed ratios as the geometric mean over datasets of the per-dataset
    ratios (each dataset's words/s differ, so their ratios, not their words/s, are averaged)."""
    result: Dict[str, Optional[float]] = {}
    for key, values in (
        ("dev_f", [s["mean"]["dev_f"] for s, _ in datasets]),
        ("test_f", [s["mean"]["test_f"] for s, _ in datasets]),
        ("d_dev_f", [c["d_dev_f"] for _, c in datasets]),
        ("d_test_f", [c["d_test_f"] for _, c in datasets]),
    ):
        known = [v for v in values if v is not None]
        result[key] = statistics.fmean(known) if known and len(known) == len(values) else None
    for key in ("train_ratio", "infer_ratio"):
        ratios = [c[key] for _, c in datasets]
        if ratios and all(r is not None and r > 0 for r in ratios):
            result[key] = statistics.geometric_mean(ratios)
        else:
            result[key] = None
    return result
