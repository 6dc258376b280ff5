"""Aggregates over seeds and comparisons: mean and sample std of every metric, differences and
ratios against a reference (the anchor, or ablation "default"), and a paired bootstrap of the F
difference that resamples dev and test tweets.

Mean and std come from `spacy_glove_bilstm.stats.mean_std`, the project's one implementation.
"""

from typing import Any, Dict, Optional, Sequence

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
