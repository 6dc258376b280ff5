"""What a learning-curve log says, derived from its records: epochs, positions, evaluations.

Epoch statistics are computed from the step records, not taken from the "epoch" records, so a
log of a running or interrupted training (whose last epoch has no "epoch" record) gives them
too. Every position is in epochs: batch i (from 1) of n in epoch e sits at e + i / n.
"""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ..stats import mean_std
from .curve_log import LearningLog

Evaluation = Tuple[float, Dict[str, Any], bool]


@dataclass
class EpochLoss:
    """One epoch's batch losses: mean, standard deviation, count and where they are plotted."""

    epoch: int
    mean: float
    std: float
    batches: int
    complete: bool
    x: float


def loss_components(log: LearningLog) -> List[str]:
    """The components with a non-zero loss in some step, most loss first."""
    totals: Dict[str, float] = {}
    for step in log.steps:
        for name, value in step["losses"].items():
            totals[name] = totals.get(name, 0.0) + abs(value)
    return sorted((name for name, total in totals.items() if total > 0), key=lambda n: -totals[n])


def step_positions(log: LearningLog) -> Dict[int, float]:
    """Each step's position in epochs: batch i (from 1) of n in epoch e is at e + i / n.

    So epoch e's batches fill (e, e + 1] and the epoch's mean and dev score sit at e + 1. An
    unfinished last epoch is assumed as long as the epoch before it (or as what ran so far).
    """
    by_epoch: Dict[int, List[int]] = {}
    for record in log.steps:
        by_epoch.setdefault(record["epoch"], []).append(record["step"])
    complete = complete_epochs(log)
    positions: Dict[int, float] = {}
    previous_size = 0
    for epoch in sorted(by_epoch):
        steps = by_epoch[epoch]
        size = len(steps) if epoch in complete else max(len(steps), previous_size)
        for i, step in enumerate(steps, start=1):
            positions[step] = epoch + i / size
        previous_size = len(steps)
    return positions


def epoch_losses(log: LearningLog, component: str) -> List[EpochLoss]:
    """Mean and standard deviation of one component's batch losses per epoch."""
    positions = step_positions(log)
    complete = complete_epochs(log)
    values: Dict[int, List[Tuple[float, float]]] = {}
    for step in log.steps:
        if component in step["losses"]:
            pair = (step["losses"][component], positions[step["step"]])
            values.setdefault(step["epoch"], []).append(pair)
    result = []
    for epoch in sorted(values):
        losses = [loss for loss, _ in values[epoch]]
        mean, std = mean_std(losses)
        done = epoch in complete
        x = epoch + 1.0 if done else values[epoch][-1][1]
        result.append(EpochLoss(epoch, mean, std, len(losses), done, x))
    return result


def complete_epochs(log: LearningLog) -> Set[int]:
    """Epochs that ended: a later epoch started, or the logger closed them as complete."""
    started = {step["epoch"] for step in log.steps}
    complete = {epoch for epoch in started if epoch < max(started)}
    complete.update(record["epoch"] for record in log.epochs if record["complete"])
    return complete


def evaluations(log: LearningLog, positions: Dict[int, float]) -> List[Evaluation]:
    """All dev evaluations as (x, record, is_epoch_end), by x; an epoch end wins a tie."""
    points: Dict[int, Evaluation] = {}
    for record in log.evals:
        if record["step"] in positions:
            points[record["step"]] = (positions[record["step"]], record, False)
    for record in log.epoch_evals:
        x = record["epoch"] + 1.0 if record["complete"] else positions.get(record["step"], 0.0)
        points[record["step"]] = (x, record, True)
    return sorted(points.values(), key=lambda point: point[0])


def best_evaluation(evaluations: Sequence[Evaluation], score: str) -> Optional[Tuple[float, float]]:
    """(x, score in %) of the first evaluation with the highest ``score``, the checkpoint
    spaCy keeps as model-best when ``score`` is the only weighted score."""
    points = [(x, r["scores"][score] * 100) for x, r, _ in evaluations if score in r["scores"]]
    if not points:
        return None
    return max(points, key=lambda point: point[1])
