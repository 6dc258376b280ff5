"""plot-curves on logs of real tiny trainings (finished, running, cut off); no matplotlib."""

import json
import struct
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Tuple

import pytest
from spacy.language import Language
from spacy.util import registry
from test_loggers import train_with_log
from typer.testing import CliRunner

from spacy_glove_bilstm.cli import app
from spacy_glove_bilstm.learning_curves.curve_log import read_log
from spacy_glove_bilstm.learning_curves.curves import (
    best_evaluation,
    epoch_losses,
    evaluations,
    step_positions,
)
from spacy_glove_bilstm.learning_curves.logger import create_learning_curve_steps
from spacy_glove_bilstm.learning_curves.plot import loss_axis_top, plot_curves


def png_size(path: Path) -> Tuple[int, int]:
    """Width and height from a PNG's header; fails if the file is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_plots(written: Any, stem: Path) -> None:
    assert written == [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    assert png_size(stem.with_suffix(".png")) == (1200, 840)
    assert stem.with_suffix(".png").stat().st_size > 20_000
    assert "<svg" in stem.with_suffix(".svg").read_text(encoding="utf8")[:1000]


def test_plot_of_a_finished_run(tmp_path: Path) -> None:
    log_path, _, _ = train_with_log(tmp_path)
    log = read_log(log_path)
    assert (log.state, log.cut_line, len(log.steps)) == ("finished", False, 18)
    # Epoch e's batches fill (e, e + 1]; the epoch means agree with the logger's own.
    positions = step_positions(log)
    assert [positions[s] for s in (0, 5, 6, 17)] == pytest.approx([1 / 6, 1.0, 1 + 1 / 6, 3.0])
    means = epoch_losses(log, "ner")
    assert [(e.x, e.batches, e.complete) for e in means] == [(x, 6, True) for x in (1.0, 2.0, 3.0)]
    for mean, record in zip(means, log.epochs):
        assert mean.mean == pytest.approx(record["loss_mean"]["ner"])
        assert mean.std == pytest.approx(record["loss_std"]["ner"])

    result = CliRunner().invoke(app, ["plot-curves", str(log_path), str(tmp_path / "c.png")])
    assert result.exit_code == 0, result.output
    assert_plots([tmp_path / "c.png", tmp_path / "c.svg"], tmp_path / "c")


def test_plot_of_a_cut_off_log(tmp_path: Path) -> None:
    log_path, _, _ = train_with_log(tmp_path)
    lines = log_path.read_text(encoding="utf8").splitlines(keepends=True)
    step_8 = next(i for i, line in enumerate(lines) if '"step", "epoch": 1, "step": 8' in line)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:step_8]) + lines[step_8][:30], encoding="utf8")

    log = read_log(cut)
    assert (log.state, log.cut_line, len(log.steps)) == ("running or cut off", True, 8)
    # Epoch 1 did not end: its 2 batches are placed as if it were as long as epoch 0.
    assert [(e.batches, e.complete) for e in epoch_losses(log, "ner")] == [(6, True), (2, False)]
    assert step_positions(log)[7] == pytest.approx(1 + 2 / 6)
    assert_plots(plot_curves(cut, tmp_path / "cut.svg"), tmp_path / "cut")


@registry.callbacks("test_spacy_glove_bilstm.PlotAt.v1")
def plot_at(step: int, log_path: str, out_path: str) -> Callable[[Language, Dict[str, Any]], None]:
    """The learning-curve steps callback, then plot the log while training runs on."""
    steps = create_learning_curve_steps()

    def before_update(nlp: Language, args: Dict[str, Any]) -> None:
        steps(nlp, args)
        if args["step"] == step:
            plot_curves(log_path, out_path)

    return before_update


def test_plot_during_training(tmp_path: Path) -> None:
    out = tmp_path / "running.png"
    callback = {
        "@callbacks": "test_spacy_glove_bilstm.PlotAt.v1",
        "step": 8,
        "log_path": str(tmp_path / "curves.jsonl"),
        "out_path": str(out),
    }
    train_with_log(tmp_path, **{"training.before_update": callback})
    assert png_size(out) == (1200, 840)


def test_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log_path = tmp_path / "curves.jsonl"
    log_path.write_text(json.dumps({"type": "start"}) + "\n", encoding="utf8")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"\[E204\].*pip install"):
        plot_curves(log_path, tmp_path / "c.png")
    result = CliRunner().invoke(app, ["plot-curves", str(log_path), str(tmp_path / "c.png")])
    assert result.exit_code == 1
    assert 'pip install "spacy-glove-bilstm[plot]"' in " ".join(result.output.split())
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    "content,out,code",
    [
        ('{"type": "step"}\nnot json\n{"type": "end"}\n', "c.png", "E201"),
        ('{"type": "start"}\n{"type": "end", "stat', "c.png", "E202"),
        ('{"type": "start"}\n', "c.jpg", "E203"),
        ('{"type": "step", "epoch": 0, "step": 0, "losses": {"ner": 1.0}}\n', "c.png", "E205"),
    ],
)
def test_coded_errors(tmp_path: Path, content: str, out: str, code: str) -> None:
    log_path = tmp_path / "curves.jsonl"
    log_path.write_text(content, encoding="utf8")
    with pytest.raises(ValueError, match=rf"\[{code}\]"):
        plot_curves(log_path, tmp_path / out, component="tagger")


def test_loss_axis_follows_epoch_means_not_batch_spikes(tmp_path: Path) -> None:
    losses = [[3.0, 2.0, 35.0, 2.0], [1.5, 1.0, 1.2, 0.9], [0.8, 0.7, 0.9, 0.6]]
    records = [
        {"type": "step", "epoch": epoch, "step": 4 * epoch + i, "losses": {"ner": loss}}
        for epoch, batch in enumerate(losses)
        for i, loss in enumerate(batch)
    ]
    records += [
        {"type": "eval", "step": 4, "scores": {"ents_f": 0.40}},
        {"type": "eval", "step": 8, "scores": {"ents_f": 0.55}},
        {"type": "eval", "step": 11, "scores": {"ents_f": 0.55}},
    ]
    log_path = tmp_path / "curves.jsonl"
    log_path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    log = read_log(log_path)
    epochs = epoch_losses(log, "ner")
    top = loss_axis_top(epochs)
    assert max(e.mean + e.std for e in epochs) < top < 35.0
    # The first of two equal best scores is the checkpoint spaCy keeps.
    best = best_evaluation(evaluations(log, step_positions(log)), "ents_f")
    assert best == (pytest.approx(2 + 1 / 4), pytest.approx(55.0))
    assert_plots(plot_curves(log_path, tmp_path / "spike.png"), tmp_path / "spike")
