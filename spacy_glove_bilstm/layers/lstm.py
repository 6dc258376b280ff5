"""A bidirectional LSTM with exact gradients, written on ``model.ops`` (CPU and GPU alike).

Why not ``thinc.api.LSTM``? In thinc 8.3 its backward pass does not match its forward pass:
a finite-difference check of ``with_padded(LSTM(4, 3))`` on one 4-step sequence differs from the
analytic weight gradient by ~100% (tests/test_lstm.py keeps that check for this layer). Trained
as spaCy's NER encoder on WNUT-2016 it stalls near 40 dev F1, while a CNN on the same embeddings
reaches 59. This layer is the textbook LSTM, batched over the time steps of length-sorted
sequences: one GEMM projects every input at once, then each step costs one recurrent GEMM for all
sequences still running. No per-token Python loop; the only loop is over time steps.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple, cast

import numpy
from thinc.api import Model
from thinc.initializers import glorot_uniform_init
from thinc.types import Floats2d, Floats3d, FloatsXd, Padded

InT = List[Floats2d]
DIRECTIONS = ("fwd", "bwd")


def BiLSTM(
    nO: Optional[int] = None,
    nI: Optional[int] = None,
    *,
    depth: int = 1,
    dropout: float = 0.0,
) -> Model[InT, InT]:
    """Stacked bidirectional LSTM over a list of ``(length, nI)`` arrays.

    nO: output width, split evenly between the two directions.
    nI: input width; inferred at ``initialize``.
    depth: number of stacked layers.
    dropout: dropout on the input of every layer, in training only.
    """
    params: Dict[str, Optional[FloatsXd]] = {
        f"{kind}_{layer}_{d}": None
        for layer in range(depth)
        for d in DIRECTIONS
        for kind in ("W", "U", "b")
    }
    return Model(
        "bilstm",
        forward,
        init=init,
        dims={"nO": nO, "nI": nI},
        params=params,
        # Not "dropout_rate": spaCy overwrites that with [training] dropout at every update.
        attrs={"depth": depth, "lstm_dropout": dropout},
    )


def init(model: Model[InT, InT], X: Optional[InT] = None, Y: Optional[InT] = None) -> None:
    if X:
        model.set_dim("nI", X[0].shape[1], force=True)
    if Y:
        model.set_dim("nO", Y[0].shape[1], force=True)
    nH = model.get_dim("nO") // 2
    nI = model.get_dim("nI")
    ops = model.ops
    for layer in range(model.attrs["depth"]):
        width_in = nI if layer == 0 else 2 * nH
        for d in DIRECTIONS:
            bias: Any = ops.alloc1f(4 * nH)
            bias[nH : 2 * nH] = 1.0  # forget gate open at the start: gradients reach far back
            model.set_param(f"W_{layer}_{d}", glorot_uniform_init(ops, (4 * nH, width_in)))
            model.set_param(f"U_{layer}_{d}", glorot_uniform_init(ops, (4 * nH, nH)))
            model.set_param(f"b_{layer}_{d}", bias)


def forward(model: Model[InT, InT], Xs: InT, is_train: bool) -> Tuple[InT, Callable]:
    ops = model.ops
    if not Xs or sum(len(x) for x in Xs) == 0:
        nO, nI = model.get_dim("nO"), model.get_dim("nI")
        return [ops.alloc2f(len(x), nO) for x in Xs], lambda dYs: [
            ops.alloc2f(len(x), nI) for x in Xs
        ]
    padded = ops.list2padded(Xs)
    size_at_t = [int(n) for n in ops.to_numpy(padded.size_at_t)]
    flip = _flip_index(ops, ops.to_numpy(padded.lengths), padded.data.shape[0])
    X = cast(Floats3d, padded.data)
    layers = []
    for layer in range(model.attrs["depth"]):
        mask = None
        if is_train and model.attrs["lstm_dropout"] > 0:
            mask = ops.get_dropout_mask(X.shape, model.attrs["lstm_dropout"])
            X = X * mask
        X, bp_layer = _layer(model, layer, X, flip, size_at_t)
        layers.append((mask, bp_layer))
    Ys = cast(InT, ops.padded2list(Padded(X, padded.size_at_t, padded.lengths, padded.indices)))

    def backprop(dYs: InT) -> InT:
        dX = ops.list2padded(dYs).data
        for mask, bp_layer in reversed(layers):
            dX = bp_layer(dX)
            if mask is not None:
                dX = dX * mask
        return cast(
            InT, ops.padded2list(Padded(dX, padded.size_at_t, padded.lengths, padded.indices))
        )

    return Ys, backprop


def _flip_index(ops: Any, lengths: Any, T: int) -> Tuple[Any, Any]:
    """Indices that reverse every sequence of a time-major padded batch in place.

    Row ``t`` of sequence ``b`` takes row ``lengths[b] - 1 - t`` while ``t < lengths[b]``;
    padding rows stay where they are. The map is its own inverse, and it turns the backward
    direction into a forward one over sequences that all start at step 0.
    """
    t = numpy.arange(T)[:, None]
    rows = numpy.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    cols = numpy.broadcast_to(numpy.arange(len(lengths))[None, :], rows.shape)
    return ops.asarray(rows.astype("int32")), ops.asarray(cols.astype("int32"))


def _layer(
    model: Model, layer: int, X: Floats3d, flip: Tuple[Any, Any], size_at_t: List[int]
) -> Tuple[Floats3d, Callable]:
    """Both directions of one layer over time-major, length-sorted padded input ``(T, B, nI)``.

    The backward direction reads every sequence reversed (``flip``), so both directions step
    forward from t = 0 over the same running sequences (the first ``size_at_t[t]``: sequences
    are sorted longest first) and share every call: one batched GEMM and one set of gate
    products per step for the two of them.
    """
    ops = model.ops
    xp = ops.xp
    # Typed as Any: thinc's array aliases do not follow slicing and reshaping.
    W: Any = xp.stack([model.get_param(f"W_{layer}_{d}") for d in DIRECTIONS])  # (2, 4nH, nI)
    U: Any = xp.stack([model.get_param(f"U_{layer}_{d}") for d in DIRECTIONS])  # (2, 4nH, nH)
    b: Any = xp.stack([model.get_param(f"b_{layer}_{d}") for d in DIRECTIONS])  # (2, 4nH)
    Xa: Any = X
    T, B, nI = X.shape
    nH = U.shape[2]
    X2: Any = xp.stack([Xa, Xa[flip]]).reshape((2, T * B, nI))
    G: Any = xp.matmul(X2, W.transpose((0, 2, 1))).reshape((2, T, B, 4 * nH))
    G += b[:, None, None, :]
    # The sigmoid gates (input, forget, output) are halved once for all steps, so that one tanh
    # per step activates all four gates: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5.
    G[..., : 3 * nH] *= 0.5
    H: Any = xp.zeros((2, T, B, nH), dtype="f")
    C: Any = xp.zeros((2, T, B, nH), dtype="f")
    tanh_C: Any = xp.zeros((2, T, B, nH), dtype="f")  # kept for the backward pass
    recurrent: Any = xp.zeros((2, B, 4 * nH), dtype="f")
    U_half_T: Any = U.transpose((0, 2, 1)).copy()
    U_half_T[..., : 3 * nH] *= 0.5
    for t in range(T):
        n = size_at_t[t]
        g = G[:, t, :n]  # activated in place: the backward pass reads the gates from G
        if t:
            g += xp.matmul(H[:, t - 1, :n], U_half_T, out=recurrent[:, :n])
        xp.tanh(g, out=g)
        sig = g[..., : 3 * nH]
        sig *= 0.5
        sig += 0.5
        c = C[:, t, :n]
        xp.multiply(g[..., :nH], g[..., 3 * nH :], out=c)
        if t:
            c += g[..., nH : 2 * nH] * C[:, t - 1, :n]
        xp.tanh(c, out=tanh_C[:, t, :n])
        xp.multiply(g[..., 2 * nH : 3 * nH], tanh_C[:, t, :n], out=H[:, t, :n])
    Y = xp.concatenate([H[0], H[1][flip]], axis=2)

    def backprop(dY: Any) -> Any:
        # Everything that does not depend on the recursion is computed for all steps at once:
        # the state each step started from (zeros at t = 0) and the local derivative of every
        # gate. The loop then costs one batched GEMM and a few products per step.
        dH = xp.stack([dY[:, :, :nH], dY[:, :, nH:][flip]])
        H_prev, C_prev = xp.zeros_like(H), xp.zeros_like(C)
        H_prev[:, 1:] = H[:, :-1]
        C_prev[:, 1:] = C[:, :-1]
        gi, gf, go, gc = (G[..., k * nH : (k + 1) * nH] for k in range(4))
        K = xp.concatenate(
            [gc * gi * (1.0 - gi), C_prev * gf * (1.0 - gf), go, gi * (1.0 - gc * gc)], axis=3
        ).reshape((2, T, B, 4, nH))
        K_o = tanh_C * go * (1.0 - go)
        A = go * (1.0 - tanh_C * tanh_C)
        dG: Any = xp.zeros((2, T, B, 4 * nH), dtype="f")
        dh: Any = xp.zeros((2, B, nH), dtype="f")
        dc: Any = xp.zeros((2, B, nH), dtype="f")
        for t in range(T - 1, -1, -1):
            n = size_at_t[t]
            dh_t = dh[:, :n]
            dh_t += dH[:, t, :n]
            dc_t = dc[:, :n]
            dc_t += dh_t * A[:, t, :n]
            dg = dG[:, t, :n].reshape((2, n, 4, nH))
            xp.multiply(K[:, t, :n], dc_t[:, :, None, :], out=dg)
            xp.multiply(dh_t, K_o[:, t, :n], out=dg[:, :, 2])
            dc_t *= gf[:, t, :n]
            xp.matmul(dG[:, t, :n], U, out=dh_t)
        # Weight gradients in batched GEMMs over all steps at once.
        flat = dG.reshape((2, T * B, 4 * nH))
        flat_T = flat.transpose((0, 2, 1))
        dW = xp.matmul(flat_T, X2)
        dU = xp.matmul(flat_T, H_prev.reshape((2, T * B, nH)))
        db = flat.sum(axis=1)
        for i, d in enumerate(DIRECTIONS):
            model.inc_grad(f"W_{layer}_{d}", dW[i])
            model.inc_grad(f"U_{layer}_{d}", dU[i])
            model.inc_grad(f"b_{layer}_{d}", db[i])
        dX2 = xp.matmul(flat, W).reshape((2, T, B, nI))
        return dX2[0] + dX2[1][flip]

    return Y, backprop
