"""What the NER benchmark compares: the systems, the ablations of ours, the anchor, the configs.

Everything a reader changes to add a rival or an ablation is here, as data; how a run is trained
and measured lives in `benchmark` and `measure`. The training budget (evaluation frequency,
logger) is here too, because other benchmarks reuse it to train on the same footing.
"""

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

BENCHMARKS = Path(__file__).resolve().parent.parent
ROOT = BENCHMARKS.parent
OURS_CONFIG = ROOT / "configs" / "glove_bilstm_ner.cfg"
CNN_CONFIG = BENCHMARKS / "configs" / "cnn_glove.cfg"
TORCH_CONFIG = BENCHMARKS / "configs" / "torch_bilstm_glove.cfg"
SPLITS = ("train", "dev", "test")
EVAL_FREQUENCY = 200
LOGGER = "spacy_glove_bilstm.LearningCurveLogger.v1"
STEPS_CALLBACK = "spacy_glove_bilstm.LearningCurveSteps.v1"

# Our tok2vec section, found by its architecture's name (any version): the ablations change its
# "embed" and "encode" subsections, so they follow the config if the tok2vec moves.
TOK2VEC_ARCHITECTURE = "spacy_glove_bilstm.GloveBiLSTM."

# Ablations of our config: (name, overrides). "{embed}" and "{encode}" stand for the tok2vec's
# subsections, in keys and in values ("${{embed}.width}" interpolates the embed width). Every
# key must be a setting of its section or a parameter of the section's architecture, and every
# ablated config must build: both are checked before the first training.
ABLATIONS: List[Tuple[str, Dict[str, Any]]] = [
    ("default", {}),
    ("no-averaging", {"training.optimizer.use_averages": False}),
    # The OOV fill, each on the one projection of GloveOOVEmbed.v1's graph ("shared"); the
    # first is the shipped config before sampled vectors became the default.
    ("oov-zeros", {"{embed}.oov": "zeros", "{embed}.oov_projection": "shared"}),
    ("oov-unk", {"{embed}.oov": "unk", "{embed}.oov_projection": "shared"}),
    ("oov-sample-shared", {"{embed}.oov": "sample", "{embed}.oov_projection": "shared"}),
    # Sampled from the word alone (no n-grams), projected apart: the shipped config before.
    ("oov-sample", {"{embed}.oov": "sample"}),
    ("oov-marker", {"{embed}.oov_projection": "marker"}),
    ("oov-dropout-0.1", {"{embed}.oov_dropout": 0.1}),
    ("chars-16x8", {"{embed}.char_width": 16, "{embed}.n_chars": 8}),
    ("no-lowercase", {"{embed}.lowercase_fallback": False}),
    ("no-hash", {"{embed}.attrs": [], "{embed}.rows": []}),
    ("lstm-depth-2", {"{encode}.lstm_depth": 2}),
    (
        "bilstm-only",
        {
            "{encode}": {
                "@architectures": "spacy_glove_bilstm.BiLSTMEncoder.v1",
                "width": "${{embed}.width}",
                "depth": 1,
                "residual": True,
            }
        },
    ),
    (
        "cnn-only",
        {
            "{encode}": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": "${{embed}.width}",
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 4,
            }
        },
    ),
    ("width-64", {"{embed}.width": 64, "{encode}.width": 64}),
    # The width of the PyTorch BiLSTM rival, for its speed comparison at equal width.
    ("width-128", {"{embed}.width": 128, "{encode}.width": 128}),
    ("width-256", {"{embed}.width": 256, "{encode}.width": 256}),
]
ABLATION_REFERENCE = "default"


@dataclass(frozen=True)
class System:
    """A system to compare: a config, the vectors table it gets, whether it needs torch, and
    settings changed from the config (dotted paths, as --overrides)."""

    name: str
    label: str
    config: Path
    vectors: str
    needs_torch: bool = False
    overrides: Tuple[Tuple[str, Any], ...] = ()


SYSTEMS: List[System] = [
    System("ours", "ours (configs/glove_bilstm_ner.cfg)", OURS_CONFIG, "ours"),
    System("cnn_glove", "spaCy CNN + GloVe static vectors, as documented", CNN_CONFIG, "spacy"),
    System(
        "cnn_glove_cased",
        "spaCy CNN + GloVe + Title/UPPER keys (anchor)",
        CNN_CONFIG,
        "case_fixed",
    ),
    # The shipped config averages parameters (Adam use_averages); this row asks whether the
    # anchor gains as much from the same switch, so that the comparison stays fair.
    System(
        "cnn_glove_cased_avg",
        "the anchor with parameter averaging (use_averages = true)",
        CNN_CONFIG,
        "case_fixed",
        overrides=(("training.optimizer.use_averages", True),),
    ),
    System(
        "torch_bilstm_cased",
        "spaCy MultiHashEmbed + GloVe (Title/UPPER keys) + TorchBiLSTMEncoder (128, depth 1)",
        TORCH_CONFIG,
        "case_fixed",
        needs_torch=True,
    ),
]
ANCHOR = "cnn_glove_cased"
VECTOR_TABLES = ("ours", "spacy", "case_fixed")
METRICS = (
    "dev_p",
    "dev_r",
    "dev_f",
    "test_p",
    "test_r",
    "test_f",
    "train_wps",
    "train_seconds",
    "infer_wps",
    "peak_rss_mb",
    "size_mb",
    "weights_mb",
)


def all_ablations(args: argparse.Namespace) -> List[Tuple[str, Dict[str, Any]]]:
    """The built-in ablations and those given with --try, in that order."""
    return [*ABLATIONS, *args.tries]
