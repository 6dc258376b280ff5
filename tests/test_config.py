"""The shipped config is complete (fill-config adds nothing) and valid (debug config)."""

import subprocess
import sys
from pathlib import Path

from thinc.api import Config

CONFIG = Path(__file__).parent.parent / "configs" / "glove_bilstm_ner.cfg"


def test_fill_config_adds_nothing(tmp_path):
    out = tmp_path / "filled.cfg"
    cmd = [sys.executable, "-m", "spacy", "init", "fill-config", str(CONFIG), str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = Config().from_disk(CONFIG, interpolate=False)
    assert Config().from_disk(out, interpolate=False) == shipped


def test_debug_config_is_clean(tmp_path):
    cmd = [
        sys.executable, "-m", "spacy", "debug", "config", str(CONFIG),
        "--paths.train", str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "dev.spacy"),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config is valid" in result.stdout


def test_widths_are_tied_by_interpolation():
    config = Config().from_disk(CONFIG, interpolate=False)
    tok2vec = config["components"]["ner"]["model"]["tok2vec"]
    assert tok2vec["encode"]["width"] == "${components.ner.model.tok2vec.embed.width}"
