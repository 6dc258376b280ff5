"""`plot-curves`: draw a LearningCurveLogger.v1 log as PNG and SVG."""

from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from ..learning_curves.plot import DEFAULT_SCORES, plot_curves
from ._util import app


@app.command("plot-curves")
def plot_curves_cli(
    log_path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="JSONL log of LearningCurveLogger.v1"
    ),
    output_path: Path = typer.Argument(
        ..., help="Image to write (.png or .svg); the other format is written next to it"
    ),
    component: Optional[str] = typer.Option(
        None, "--component", "-c", help="Component whose loss to plot (default: most loss)"
    ),
    scores: str = typer.Option(
        ",".join(DEFAULT_SCORES), "--scores", "-s", help="Comma-separated dev scores to plot"
    ),
    log_y: bool = typer.Option(False, "--log-y", help="Logarithmic loss axis"),
) -> None:
    """Plot loss per batch (faint), mean loss per epoch with its std (bold) and dev scores.

    Works on the log of a running or interrupted training too. Needs matplotlib
    (`pip install "spacy-glove-bilstm[plot]"`).
    """
    names = [name.strip() for name in scores.split(",") if name.strip()]
    try:
        written = plot_curves(log_path, output_path, component=component, scores=names, log_y=log_y)
    except (ImportError, ValueError) as err:
        msg.fail(str(err), exits=1)
    msg.good("Saved learning curves", ", ".join(str(path) for path in written))
