"""LearningCurveLogger: spaCy's console table plus a JSONL log of every step, eval and epoch.

spaCy's training loop calls a logger's `log_step` after every step, but hands it the step's
`info` (epoch, losses, scores) only on evaluation steps, and its `losses` dict sums the batch
losses since the last evaluation. A learning curve needs each batch's own loss and epoch, so:

- the logger wraps `nlp.update` on this one pipeline for the duration of training and takes
  the loss of each update as the difference of the loss dict before and after it (this also sums
  the sub-batches of `accumulate_gradient`), together with the words of the batch;
- the `[training.before_update]` callback `spacy_glove_bilstm.LearningCurveSteps.v1` tells
  the logger the epoch and step as each step starts (spaCy's only per-step hook that knows the
  epoch); the epoch changing is also when the logger scores the dev set for the finished epoch.

Both are documented spaCy interfaces; nothing reads the loop's private state. The wrapper is
removed again when the logger is finalized.
"""

import sys
from pathlib import Path
from timeit import default_timer as timer
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union
from weakref import WeakKeyDictionary

from spacy.language import Language
from spacy.training.loggers import console_logger_v3

from ..errors import Errors
from ..stats import mean_std
from .curve_log import CurveLogWriter, plain
from .epoch_scorer import EpochScorer

LogStep = Callable[[Optional[Dict[str, Any]]], None]
Finalize = Callable[[], None]
LoggerSetup = Callable[[Language, IO, IO], Tuple[LogStep, Finalize]]
BeforeUpdate = Callable[[Language, Dict[str, Any]], None]

STEPS_CALLBACK = "spacy_glove_bilstm.LearningCurveSteps.v1"

# The pipeline being trained -> the logger listening to its step starts.
_STEP_LISTENERS: "WeakKeyDictionary[Language, Callable[[int, int], None]]" = WeakKeyDictionary()


def create_learning_curve_steps() -> BeforeUpdate:
    """Tell `LearningCurveLogger.v1` the epoch and step of every training step.

    Use it as `[training.before_update]`. Without a LearningCurveLogger it does nothing.
    """

    def before_update(nlp: Language, args: Dict[str, Any]) -> None:
        listener = _STEP_LISTENERS.get(nlp)
        if listener is not None:
            listener(args["step"], args["epoch"])

    return before_update


def learning_curve_logger(
    path: Union[str, Path],
    progress_bar: Optional[str] = None,
    console_output: bool = True,
    score_epochs: bool = True,
) -> LoggerSetup:
    """spaCy's ConsoleLogger.v3 that also writes a JSONL learning-curve log.

    The log has one JSON object per line (`learning_curves/curve_log.py` lists its records and
    holds its reader, `read_log`). Plot it with
    `python -m spacy_glove_bilstm plot-curves LOG.jsonl OUT.png`. Needs
    `[training.before_update] @callbacks = "spacy_glove_bilstm.LearningCurveSteps.v1"`.

    path (Union[str, Path]): The JSONL file to write; replaced if it exists. Recommended:
        "training/curves.jsonl".
    progress_bar (Optional[str]): As in ConsoleLogger.v3: "eval", "train" or None.
    console_output (bool): Print spaCy's table to the console. Recommended: true.
    score_epochs (bool): Score the dev set at the end of every epoch (one extra evaluation per
        epoch, skipped when the loop evaluated on the epoch's last step). Recommended: true.
    """
    console = console_logger_v3(progress_bar=progress_bar, console_output=console_output)

    def setup(
        nlp: Language, stdout: IO = sys.stdout, stderr: IO = sys.stderr
    ) -> Tuple[LogStep, Finalize]:
        console_log_step, console_finalize = console(nlp, stdout, stderr)
        recorder = _CurveRecorder(nlp, Path(path), score_epochs=score_epochs)

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            recorder.log_step(info)
            console_log_step(info)

        def finalize() -> None:
            try:
                recorder.finalize(failed=sys.exc_info()[1] is not None)
            finally:
                console_finalize()

        return log_step, finalize

    return setup


class _CurveRecorder:
    """The state of one training run's log: the current step, epoch and their losses.

    nlp (Language): The pipeline being trained; its `update` is wrapped until `finalize`.
    path (Path): The JSONL file to write.
    score_epochs (bool): Score the dev set at every epoch boundary.
    """

    # Flush the log at least this often, so a plot of a running training sees recent steps.
    FLUSH_SECONDS = 2.0

    def __init__(self, nlp: Language, path: Path, *, score_epochs: bool) -> None:
        self.nlp = nlp
        training = nlp.config.interpolate()["training"]
        self.max_steps: int = training["max_steps"]
        self.patience: int = training["patience"]
        self.scorer = EpochScorer(nlp) if score_epochs else None
        self.last_flush = timer()
        self.step: Optional[int] = None
        self.epoch: Optional[int] = None
        self.step_losses: Dict[str, float] = {}
        self.step_words = 0
        self.words = 0
        self.epoch_first_step = 0
        self.epoch_words = 0
        self.epoch_batches = 0
        self.epoch_losses: Dict[str, List[float]] = {}
        self.last_logged_step: Optional[int] = None
        self.last_eval: Optional[Tuple[int, float, Dict[str, Any]]] = None
        self.checkpoints: List[Tuple[float, int]] = []
        self.log = CurveLogWriter(path)
        self.log.write(
            {
                "type": "start",
                "pipeline": nlp.pipe_names,
                "max_epochs": training["max_epochs"],
                "max_steps": self.max_steps,
                "eval_frequency": training["eval_frequency"],
                "seed": training["seed"],
                "batcher": plain(training["batcher"]),
                "score_epochs": score_epochs,
            }
        )
        self.log.flush()
        self.original_update = nlp.update
        nlp.update = self._update  # type: ignore[method-assign]
        _STEP_LISTENERS[nlp] = self.start_step

    def _update(self, examples: Any, *args: Any, **kwargs: Any) -> Dict[str, float]:
        """Call the real `nlp.update` and add the batch's losses and words to this step."""
        if not isinstance(examples, list):
            examples = list(examples)
        before = {name: float(value) for name, value in (kwargs.get("losses") or {}).items()}
        losses = self.original_update(examples, *args, **kwargs)
        for name, value in losses.items():
            loss = float(value) - before.get(name, 0.0)
            self.step_losses[name] = self.step_losses.get(name, 0.0) + loss
        self.step_words += sum(len(eg) for eg in examples)
        return losses

    def start_step(self, step: int, epoch: int) -> None:
        """Take the step and epoch from the callback; close the epoch that just ended."""
        if self.epoch is not None and epoch != self.epoch:
            self._end_epoch(complete=True, score=True)
        if self.epoch is None or epoch != self.epoch:
            self.epoch = epoch
            self.epoch_first_step = step
            self.epoch_words = 0
            self.epoch_batches = 0
            self.epoch_losses = {}
        self.step = step

    def log_step(self, info: Optional[Dict[str, Any]]) -> None:
        """Write the finished step, and spaCy's evaluation if the loop evaluated."""
        if self.step is None or self.step == self.last_logged_step:
            raise ValueError(Errors.E200.format(callback=STEPS_CALLBACK))
        self.words += self.step_words
        self.epoch_words += self.step_words
        self.epoch_batches += 1
        for name, value in self.step_losses.items():
            self.epoch_losses.setdefault(name, []).append(value)
        record = {
            "type": "step",
            "epoch": self.epoch,
            "step": self.step,
            "words": self.words,
            "batch_words": self.step_words,
            "losses": self.step_losses,
        }
        self.log.write(record)
        self.step_losses = {}
        self.step_words = 0
        self.last_logged_step = self.step
        if info is not None:
            self._log_eval(info)
        now = timer()
        if info is not None or now - self.last_flush > self.FLUSH_SECONDS:
            self.log.flush()
            self.last_flush = now

    def _log_eval(self, info: Dict[str, Any]) -> None:
        scores = info["other_scores"]
        score = float(info["score"])
        self.checkpoints.append((score, info["step"]))
        self.last_eval = (info["step"], score, scores)
        self.log.write(
            {
                "type": "eval",
                "epoch": info["epoch"],
                "step": info["step"],
                "words": info["words"],
                "score": score,
                "scores": plain(scores),
                "speed": scores.get("speed"),
                "losses": {name: float(value) for name, value in info["losses"].items()},
            }
        )

    def _end_epoch(self, *, complete: bool, score: bool) -> None:
        """Write the epoch's loss statistics and, if asked, its dev scores."""
        stats = {name: mean_std(losses) for name, losses in self.epoch_losses.items()}
        self.log.write(
            {
                "type": "epoch",
                "epoch": self.epoch,
                "complete": complete,
                "first_step": self.epoch_first_step,
                "last_step": self.last_logged_step,
                "words": self.epoch_words,
                "batches": self.epoch_batches,
                "loss_mean": {name: mean for name, (mean, _) in stats.items()},
                "loss_std": {name: std for name, (_, std) in stats.items()},
            }
        )
        if score and self.scorer is not None:
            if self.last_eval is not None and self.last_eval[0] == self.last_logged_step:
                # The loop just scored this exact state: reuse it instead of scoring twice.
                _, main_score, scores = self.last_eval
                seconds = 0.0
            else:
                main_score, scores, seconds = self.scorer()
            self.log.write(
                {
                    "type": "epoch_eval",
                    "epoch": self.epoch,
                    "complete": complete,
                    "step": self.last_logged_step,
                    "words": self.words,
                    "score": main_score,
                    "scores": plain(scores),
                    "eval_seconds": seconds,
                }
            )
        self.log.flush()

    def _stopped_mid_epoch(self) -> bool:
        """Whether the loop stopped on max_steps or patience rather than running out of data."""
        last = self.last_logged_step or 0
        if self.max_steps and last >= self.max_steps:
            return True
        if self.patience and self.checkpoints:
            _, neg_best_step = max((score, -step) for score, step in self.checkpoints)
            return last + neg_best_step >= self.patience
        return False

    def finalize(self, *, failed: bool) -> None:
        """Close the last epoch (scoring it only if training ended normally) and the log."""
        try:
            if self.last_logged_step is not None and self.epoch is not None:
                complete = not failed and not self._stopped_mid_epoch()
                self._end_epoch(complete=complete, score=not failed)
            status = "interrupted" if failed else "finished"
            self.log.write({"type": "end", "status": status, "steps": self.last_logged_step})
        finally:
            del self.nlp.update  # the instance attribute; the class method shows again
            _STEP_LISTENERS.pop(self.nlp, None)
            self.log.close()
