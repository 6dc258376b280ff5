import numpy
import pytest
from conftest import finite_differences

from spacy_glove_bilstm.layers.bilstm import BiLSTMEncoder, WindowBiLSTMEncoder
from spacy_glove_bilstm.layers.lstm import BiLSTM


def _loss_and_grads(model, X, W):
    Y, backprop = model(X, is_train=True)
    loss = sum(float((y.astype("float64") * w).sum()) for y, w in zip(Y, W))
    return loss, Y, backprop


@pytest.mark.parametrize("depth,lengths", [(1, (4,)), (1, (5, 3, 1)), (2, (6, 6, 2, 1))])
def test_gradients_match_finite_differences(depth, lengths):
    rng = numpy.random.default_rng(0)
    model = BiLSTM(6, 3, depth=depth)
    X = [rng.normal(size=(n, 3)).astype("f") for n in lengths]
    W = [rng.normal(size=(n, 6)).astype("f") for n in lengths]
    model.initialize(X=X)
    _, _, backprop = _loss_and_grads(model, X, W)
    dX = backprop([w.copy() for w in W])
    eps = 1e-2
    for name in model.param_names:
        numeric = finite_differences(model, name, lambda: _loss_and_grads(model, X, W)[0], eps)
        analytic = model.get_grad(name).ravel()
        assert numpy.abs(numeric - analytic).max() <= 2e-3 * numpy.abs(numeric).max(), name
    numeric_x = numpy.zeros_like(X[-1])
    for i in range(numeric_x.shape[0]):
        for j in range(3):
            for sign in (1, -1):
                X2 = [x.copy() for x in X]
                X2[-1][i, j] += sign * eps
                numeric_x[i, j] += sign * _loss_and_grads(model, X2, W)[0] / (2 * eps)
    assert numpy.abs(numeric_x - dX[-1]).max() <= 2e-3 * numpy.abs(numeric_x).max()


def test_each_sequence_is_independent_of_its_batch():
    rng = numpy.random.default_rng(1)
    model = BiLSTM(4, 3, depth=2)
    X = [rng.normal(size=(n, 3)).astype("f") for n in (7, 2, 5)]
    model.initialize(X=X)
    together, _ = model(X, is_train=False)
    for x, y in zip(X, together):
        alone, _ = model([x], is_train=False)
        numpy.testing.assert_allclose(alone[0], y, rtol=1e-5, atol=1e-6)
    # One layer: the backward half of token 0 reads the last token, the forward half cannot.
    shallow = BiLSTM(4, 3, depth=1)
    shallow.initialize(X=X)
    before, _ = shallow([X[0]], is_train=False)
    x2 = X[0].copy()
    x2[-1] += 1.0
    after, _ = shallow([x2], is_train=False)
    assert not numpy.allclose(after[0][0, 2:], before[0][0, 2:])
    numpy.testing.assert_array_equal(after[0][0, :2], before[0][0, :2])


def test_empty_inputs():
    model = BiLSTM(4, 3)
    model.initialize(X=[numpy.zeros((2, 3), dtype="f")])
    Y, backprop = model([numpy.zeros((0, 3), dtype="f")], is_train=True)
    assert Y[0].shape == (0, 4)
    assert backprop([numpy.zeros((0, 4), dtype="f")])[0].shape == (0, 3)
    assert model([], is_train=False)[0] == []


def test_encoder_validation_and_residual():
    with pytest.raises(ValueError, match="E020"):
        BiLSTMEncoder(5, 1)
    with pytest.raises(ValueError, match="E021"):
        BiLSTMEncoder(4, 0)
    with pytest.raises(ValueError, match="E022"):
        BiLSTMEncoder(4, 1, backend="cudnn")
    with pytest.raises(ValueError, match="E024"):
        BiLSTMEncoder(4, 1, input_width=6, residual=True)
    with pytest.raises(ValueError, match="E025"):
        WindowBiLSTMEncoder(4, cnn_depth=0)
    window = WindowBiLSTMEncoder(4, cnn_depth=1)
    window.initialize(X=[numpy.ones((3, 4), dtype="f")])
    assert window.get_dim("nO") == 4
    model = BiLSTMEncoder(4, 1, residual=True)
    X = [numpy.ones((3, 4), dtype="f")]
    model.initialize(X=X)
    Y, _ = model(X, is_train=False)
    assert model.get_dim("nO") == 4 and Y[0].shape == (3, 4)
