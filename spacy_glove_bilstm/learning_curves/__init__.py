"""Learning curves: the JSONL log (format, logger, epoch scoring) and its plot."""

from .curve_log import LearningLog, read_log
from .logger import create_learning_curve_steps, learning_curve_logger
from .plot import plot_curves

__all__ = [
    "LearningLog",
    "create_learning_curve_steps",
    "learning_curve_logger",
    "plot_curves",
    "read_log",
]
