"""Draw a learning-curve log: loss per batch and per epoch, dev scores, the best checkpoint.

The plot answers "why is my loss curve so jagged?" and "is training converging?": with small
batches each batch's loss varies a lot, so the mean over each epoch's batches is the bold line,
its standard deviation is shaded and the single batches are drawn faint behind it, on an axis
scaled to the epoch means; the dev scores go in a panel below, sharing the epoch axis. A log of
a running or interrupted training plots as well.
"""

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ..errors import Errors
from .curve_log import LearningLog, read_log
from .curves import (
    EpochLoss,
    best_evaluation,
    epoch_losses,
    evaluations,
    loss_components,
    step_positions,
)

DEFAULT_SCORES = ("ents_f", "ents_p", "ents_r")
# (line style, line width, marker, colour) of the 1st, 2nd and 3rd score: F1 bold, P and R thin.
_SCORE_STYLES = (
    ("-", 2.0, "o", "tab:orange"),
    ("--", 1.0, "s", "tab:green"),
    (":", 1.2, "^", "tab:red"),
)


def loss_axis_top(epochs: Sequence[EpochLoss]) -> float:
    """The top of the loss axis: room for every epoch's mean + std, not for single batches.

    Per-batch losses of small batches spike far above the epoch means; scaling the axis to
    them squashes the line that answers "is training converging?" into the bottom of the plot.
    """
    return max((e.mean + e.std for e in epochs), default=1.0) * 1.1 or 1.0


def plot_curves(
    log_path: Union[str, Path],
    output_path: Union[str, Path],
    *,
    component: Optional[str] = None,
    scores: Sequence[str] = DEFAULT_SCORES,
    log_y: bool = False,
) -> List[Path]:
    """Plot a learning-curve log to PNG and SVG; return the two paths written.

    Two panels share the epoch axis: the loss on top, as the mean of each epoch's batch losses
    (the line to follow) with its standard deviation shaded and the single batches faint
    behind it, the axis scaled to the epoch means; the dev scores below, with the best
    evaluation of the first score marked.

    log_path (Union[str, Path]): The JSONL log of LearningCurveLogger.v1.
    output_path (Union[str, Path]): Where to write; must end in .png or .svg, and the other
        format is written next to it.
    component (Optional[str]): The component whose loss to plot; by default the one with the
        most loss ("ner" for a tok2vec + ner pipeline).
    scores (Sequence[str]): Dev scores to plot, in [0, 1] as spaCy reports them; drawn as
        percentages. The first one is the score whose best evaluation is marked.
    log_y (bool): Use a logarithmic loss axis (scaled to the single batches).
    """
    figure_class, MaxNLocator = _matplotlib()
    output_path = Path(output_path)
    if output_path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(Errors.E203.format(path=output_path))
    log = read_log(log_path)
    if not log.steps:
        raise ValueError(Errors.E202.format(path=log.path))
    names = loss_components(log)
    if component is None:
        component = names[0] if names else next(iter(log.steps[0]["losses"]), "")
    elif component not in names:
        raise ValueError(Errors.E205.format(name=component, names=names))

    figure = figure_class(figsize=(10, 7), dpi=120, layout="constrained")
    ax, score_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    positions = step_positions(log)
    xs = [positions[s["step"]] for s in log.steps if component in s["losses"]]
    ys = [s["losses"][component] for s in log.steps if component in s["losses"]]
    ax.plot(xs, ys, color="0.55", alpha=0.3, lw=0.5, label="loss per batch")
    epochs = epoch_losses(log, component)
    ex, means = [e.x for e in epochs], [e.mean for e in epochs]
    ax.fill_between(
        ex,
        [e.mean - e.std for e in epochs],
        [e.mean + e.std for e in epochs],
        color="tab:blue",
        alpha=0.2,
        lw=0,
        label="± std of the epoch's batches",
    )
    ax.plot(ex, means, "-o", color="tab:blue", lw=2.5, ms=5, label="epoch mean")
    for e in epochs:
        if not e.complete:  # a hollow marker: the epoch had not ended when the log stopped
            ax.plot([e.x], [e.mean], "o", color="white", mec="tab:blue", mew=2, ms=7, zorder=5)
    ax.set_ylabel(f"{component} loss (sum over the batch)")
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, loss_axis_top(epochs))
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(_title(log, epochs), fontsize="medium")

    scored = evaluations(log, positions)
    for name, (style, width, marker, colour) in zip(scores, _SCORE_STYLES):
        points = [(x, r["scores"][name] * 100, end) for x, r, end in scored if name in r["scores"]]
        if not points:
            continue
        sx, sy = [p[0] for p in points], [p[1] for p in points]
        score_ax.plot(sx, sy, style, color=colour, lw=width, label=f"dev {name}")
        ends = [(x, y) for x, y, end in points if end]
        if ends:
            score_ax.plot(*zip(*ends), marker, color=colour, ms=5)
    best = best_evaluation(scored, scores[0]) if scores else None
    if best is not None:
        score_ax.plot(*best, "*", color="black", ms=14, zorder=6)
        score_ax.annotate(
            f"best {scores[0]} {best[1]:.1f}",
            best,
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            fontsize="small",
        )
        for axis in (ax, score_ax):
            axis.axvline(best[0], color="black", lw=0.8, ls=":")
    score_ax.set_ylabel("dev score (%)")
    score_ax.set_xlabel("epoch (markers: end of epoch; star: best evaluation)")
    score_ax.set_ylim(-3, 108)
    score_ax.set_xlim(left=0)
    score_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    score_ax.legend(loc="lower right", fontsize="small")

    written = []
    for suffix in (".png", ".svg"):
        path = output_path.with_suffix(suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
        written.append(path)
    return written


def _title(log: LearningLog, epochs: List[EpochLoss]) -> str:
    """Say what was trained and whether the log is complete."""
    complete = sum(e.complete for e in epochs)
    partial = " + 1 unfinished" if complete < len(epochs) else ""
    title = f"Learning curve: {complete} epochs{partial}, {len(log.steps)} batches ({log.state})"
    if log.start is not None:
        title += f"\n{_batcher_summary(log.start['batcher'])}; "
        title += f"dev scored every {log.start['eval_frequency']} steps and at epoch ends"
    return title


def _batcher_summary(batcher: Dict[str, Any]) -> str:
    """One short line for the batcher, e.g. ``batch_by_words.v1, size 100 -> 1000``."""
    name = str(batcher.get("@batchers", "batcher")).split(".", 1)[-1]
    size = batcher.get("size")
    if isinstance(size, dict) and "start" in size and "stop" in size:
        return f"{name}, size {size['start']} -> {size['stop']}"
    return f"{name}, size {size}" if size is not None else name


def _matplotlib() -> Tuple[Any, Any]:
    """matplotlib's Figure (no pyplot, no global backend) and MaxNLocator, or the install hint."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as err:
        raise ImportError(Errors.E204) from err
    return Figure, MaxNLocator
