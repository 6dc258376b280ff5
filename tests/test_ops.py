"""BlasNumpyOps: the same products as thinc's NumpyOps, and only where NumpyOps would run."""

import numpy
import pytest
from thinc.api import NumpyOps, get_current_ops, set_current_ops, use_ops

from spacy_glove_bilstm.layers import BiLSTMEncoder, GloveOOVEmbed, WindowBiLSTMEncoder
from spacy_glove_bilstm.ops import BlasNumpyOps


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
def test_gemm_matches_numpy_ops(trans1: bool, trans2: bool) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(7, 5) if not trans1 else (5, 7)).astype("f")
    y = rng.normal(size=(5, 3) if not trans2 else (3, 5)).astype("f")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = BlasNumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.dtype == numpy.float32 and got.shape == (7, 3) and got.flags.c_contiguous
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    out = numpy.zeros((7, 3), dtype="f")
    assert BlasNumpyOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    numpy.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


class OtherOps(NumpyOps):
    """Stands in for ops this package must not replace (CuPy, Apple, big-endian)."""

    name = "other_test_ops"


@pytest.mark.parametrize(
    "build",
    [
        lambda: GloveOOVEmbed(16, ["NORM"], [100]),
        lambda: BiLSTMEncoder(16, 1, residual=True),
        lambda: WindowBiLSTMEncoder(16),
    ],
)
def test_built_layers_use_blas_ops_on_plain_numpy_only(build) -> None:  # type: ignore[no-untyped-def]
    model = build()
    assert {type(node.ops) for node in model.walk()} == {BlasNumpyOps}
    previous = get_current_ops()
    set_current_ops(OtherOps())
    try:
        other = build()
    finally:
        set_current_ops(previous)
    assert {type(node.ops) for node in other.walk()} == {OtherOps}
    with use_ops("numpy"):
        assert {type(node.ops) for node in build().walk()} == {BlasNumpyOps}


def test_use_blas_ops_callback_moves_spacys_layers_too() -> None:
    from pathlib import Path

    from spacy.util import load_config, load_model_from_config

    config = load_config(Path(__file__).parent.parent / "configs" / "glove_bilstm_ner.cfg")
    nlp = load_model_from_config(config, auto_fill=True)
    ner = nlp.get_pipe("ner").model
    assert {type(node.ops) for node in ner.walk()} == {BlasNumpyOps}
    config["nlp"]["after_pipeline_creation"] = None
    plain = load_model_from_config(config, auto_fill=True).get_pipe("ner").model
    # Without the callback spaCy's own layers stay on NumpyOps; only this package's move.
    assert {type(node.ops) for node in plain.walk()} == {NumpyOps, BlasNumpyOps}
