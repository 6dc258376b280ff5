import numpy
import pytest
from conftest import finite_differences

from spacy_glove_bilstm.layers.bilstm import WindowBiLSTMEncoder_v2
from spacy_glove_bilstm.layers.lstm import BiLSTM
from spacy_glove_bilstm.layers.windows import window_indices, with_windows


def _loss(model, X, W):
    Y, backprop = model(X, is_train=True)
    return sum(float((y.astype("float64") * w).sum()) for y, w in zip(Y, W)), Y, backprop


def test_window_indices_cover_every_position_from_its_core():
    src, window_lengths, keep = window_indices([7, 0, 3, 5], size=3, context=1)
    # Sequence 0 (rows 0-6): cores 0-2, 3-5, 6; sequence 2 (rows 7-9); sequence 3 (rows 10-14).
    assert window_lengths.tolist() == [4, 5, 2, 3, 4, 3]
    assert src.tolist() == [0, 1, 2, 3, 2, 3, 4, 5, 6, 5, 6, 7, 8, 9, 10, 11, 12, 13, 12, 13, 14]
    assert keep.tolist() == [0, 1, 2, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 19, 20]
    assert (src[keep] == numpy.arange(15)).all()


def test_short_sequences_are_read_whole_and_long_ones_by_window():
    rng = numpy.random.default_rng(0)
    lstm = BiLSTM(4, 3)
    model = with_windows(lstm, size=4, context=2)
    X = [rng.normal(size=(n, 3)).astype("f") for n in (4, 2)]
    model.initialize(X=X)
    numpy.testing.assert_array_equal(model(X, is_train=False)[0][0], lstm(X, False)[0][0])
    long = rng.normal(size=(11, 3)).astype("f")
    Y = model.predict([long, X[1]])
    # Positions 4-7 come from the window of rows 2-9 (core 4-7, context 2 either side).
    alone = lstm.predict([long[2:10]])[0]
    numpy.testing.assert_allclose(Y[0][4:8], alone[2:6], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(Y[1], lstm.predict([X[1]])[0], rtol=1e-5, atol=1e-6)


def test_gradients_match_finite_differences():
    rng = numpy.random.default_rng(0)
    model = with_windows(BiLSTM(4, 3), size=3, context=2)
    X = [rng.normal(size=(n, 3)).astype("f") for n in (8, 0, 2, 5)]
    W = [rng.normal(size=(n, 4)).astype("f") for n in (8, 0, 2, 5)]
    model.initialize(X=X)
    _, _, backprop = _loss(model, X, W)
    dX = backprop([w.copy() for w in W])
    assert [d.shape for d in dX] == [x.shape for x in X]
    eps = 1e-2
    lstm = model.layers[0]
    name = "W_0_fwd"
    numeric = finite_differences(lstm, name, lambda: _loss(model, X, W)[0], eps)
    analytic = lstm.get_grad(name).ravel()
    assert numpy.abs(numeric - analytic).max() <= 2e-3 * numpy.abs(numeric).max()
    numeric_x = numpy.zeros_like(X[0])
    for i in range(numeric_x.shape[0]):
        for j in range(3):
            for sign in (1, -1):
                X2 = [x.copy() for x in X]
                X2[0][i, j] += sign * eps
                numeric_x[i, j] += sign * _loss(model, X2, W)[0] / (2 * eps)
    assert numpy.abs(numeric_x - dX[0]).max() <= 2e-3 * numpy.abs(numeric_x).max()


def test_encoder_v2_empty_docs_and_settings():
    model = WindowBiLSTMEncoder_v2(8, lstm_window=4, lstm_context=1)
    X = [numpy.ones((9, 8), dtype="f"), numpy.zeros((0, 8), dtype="f")]
    model.initialize(X=X)
    Y, backprop = model(X, is_train=True)
    assert [y.shape for y in Y] == [(9, 8), (0, 8)]
    assert [d.shape for d in backprop(Y)] == [(9, 8), (0, 8)]
    windows = model.layers[1].layers[0]
    assert windows.name == "with_windows" and windows([], is_train=False)[0] == []
    with pytest.raises(ValueError, match="E040"):
        WindowBiLSTMEncoder_v2(8, lstm_window=-1)
    with pytest.raises(ValueError, match="E040"):
        with_windows(BiLSTM(4, 3), size=0, context=1)
