from typing import Callable, Dict, List, Optional

import numpy
import pytest
import spacy
from spacy.language import Language
from thinc.api import Model

WORDS = ["the", "cat", "sat", "on", "mat", "london", "paris", "new", "york", "in", "to", "."]


def tiny_glove(width: int = 8, words: Optional[List[str]] = None) -> Dict[str, numpy.ndarray]:
    """A deterministic stand-in for GloVe, for unit tests only (lowercase words, like GloVe)."""
    rng = numpy.random.default_rng(42)
    return {w: rng.normal(size=width).astype("float32") for w in (words or WORDS)}


def blank_with_vectors(width: int = 8, words: Optional[List[str]] = None) -> Language:
    nlp = spacy.blank("en")
    nlp.vocab.reset_vectors(width=width)
    for word, vector in tiny_glove(width, words).items():
        nlp.vocab.set_vector(word, vector)
    return nlp


def ner_config(width: int = 16, hash_attrs: bool = True) -> dict:
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] if hash_attrs else []
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 16,
            "maxout_pieces": 2,
            "use_upper": True,
            "nO": None,
            "tok2vec": {
                "@architectures": "spacy_glove_bilstm.GloveBiLSTM.v1",
                "embed": {
                    "@architectures": "spacy_glove_bilstm.GloveOOVEmbed.v1",
                    "width": width,
                    "attrs": attrs,
                    "rows": [100] * len(attrs),
                },
                "encode": {
                    "@architectures": "spacy_glove_bilstm.BiLSTMEncoder.v1",
                    "width": width,
                    "depth": 1,
                },
            },
        }
    }


TRAIN = [
    ("the cat sat in London", [(15, 21, "LOC")]),
    ("Paris is big 🙂 ok", [(0, 5, "LOC")]),
    ("I flew to New York today", [(10, 18, "LOC")]),
    ("Emma went to Paris", [(0, 4, "PER"), (13, 18, "LOC")]),
]


def trained_ner(n_iter: int = 20, width: int = 16) -> Language:
    from spacy.training import Example
    from thinc.api import fix_random_seed

    fix_random_seed(0)
    nlp = blank_with_vectors()
    nlp.add_pipe("ner", config=ner_config(width))
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(n_iter):
        nlp.update(examples, sgd=optimizer)
    return nlp


@pytest.fixture
def make_trained() -> Callable[..., Language]:
    return trained_ner


def finite_differences(
    model: Model, name: str, loss: Callable[[], float], eps: float = 1e-2
) -> numpy.ndarray:
    """Central differences of ``loss()`` in every entry of ``model``'s parameter ``name``."""
    param = model.get_param(name).copy()
    flat = param.ravel().astype("float64")
    numeric = numpy.zeros(flat.size)
    for i in range(flat.size):
        for sign in (1, -1):
            bumped = flat.copy()
            bumped[i] += sign * eps
            model.set_param(name, bumped.astype("f").reshape(param.shape))
            numeric[i] += sign * loss() / (2 * eps)
    model.set_param(name, param)
    return numeric
