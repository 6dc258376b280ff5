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
    X = cast(Floats3d, padded.data)
    layers = []
    for layer in range(model.attrs["depth"]):
        mask = None
        if is_train and model.attrs["lstm_dropout"] > 0:
            mask = ops.get_dropout_mask(X.shape, model.attrs["lstm_dropout"])
            X = X * mask
        (Y_f, bp_f), (Y_b, bp_b) = (_direction(model, layer, d, X, size_at_t) for d in DIRECTIONS)
        X = ops.xp.concatenate([Y_f, Y_b], axis=2)
        layers.append((mask, bp_f, bp_b))
    Ys = cast(InT, ops.padded2list(Padded(X, padded.size_at_t, padded.lengths, padded.indices)))

    def backprop(dYs: InT) -> InT:
        dX = ops.list2padded(dYs).data
        for mask, bp_f, bp_b in reversed(layers):
            nH = dX.shape[2] // 2
            dX = bp_f(dX[:, :, :nH]) + bp_b(dX[:, :, nH:])
            if mask is not None:
                dX = dX * mask
        return cast(
            InT, ops.padded2list(Padded(dX, padded.size_at_t, padded.lengths, padded.indices))
        )

    return Ys, backprop


def _shifted(xp: Any, A: Any, d: str) -> Any:
    """The state each step started from: the previous step's, zeros at a sequence's start."""
    out = xp.zeros_like(A)
    if d == "fwd":
        out[1:] = A[:-1]
    else:
        out[:-1] = A[1:]
    return out


def _direction(
    model: Model, layer: int, d: str, X: Floats3d, size_at_t: List[int]
) -> Tuple[Floats3d, Callable]:
    """One direction of one layer over time-major, length-sorted padded input ``(T, B, nI)``.

    Sequences are sorted longest first, so at step t the running ones are the first
    ``size_at_t[t]``. The backward direction walks t from the end; a sequence's state stays zero
    until its own last token, so it starts fresh there.
    """
    ops = model.ops
    xp = ops.xp
    # Typed as Any: thinc's array aliases do not follow slicing and reshaping.
    W: Any = model.get_param(f"W_{layer}_{d}")
    U: Any = model.get_param(f"U_{layer}_{d}")
    b: Any = model.get_param(f"b_{layer}_{d}")
    Xa: Any = X
    T, B, nI = X.shape
    nH = U.shape[1]
    steps = list(range(T)) if d == "fwd" else list(range(T - 1, -1, -1))
    G: Any = ops.gemm(Xa.reshape((T * B, nI)), W, trans2=True).reshape((T, B, 4 * nH))
    G += b
    # The sigmoid gates (input, forget, output) are halved once for all steps, so that one tanh
    # per step activates all four gates: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5.
    G[:, :, : 3 * nH] *= 0.5
    H: Any = ops.alloc3f(T, B, nH)
    C: Any = ops.alloc3f(T, B, nH)
    tanh_C: Any = ops.alloc3f(T, B, nH)  # kept for the backward pass
    recurrent: Any = ops.alloc2f(B, 4 * nH)
    U_half: Any = U.copy()
    U_half[: 3 * nH] *= 0.5
    prev = None
    for t in steps:
        n = size_at_t[t]
        g = G[t, :n]  # activated in place: the backward pass reads the gates from G
        if prev is not None:
            # H[prev] is zero for sequences that start at this step (the backward direction).
            g += ops.gemm(H[prev, :n], U_half, out=recurrent[:n], trans2=True)
        xp.tanh(g, out=g)
        sig = g[:, : 3 * nH]
        sig *= 0.5
        sig += 0.5
        c = C[t, :n]
        xp.multiply(g[:, :nH], g[:, 3 * nH :], out=c)
        if prev is not None:
            c += g[:, nH : 2 * nH] * C[prev, :n]
        xp.tanh(c, out=tanh_C[t, :n])
        xp.multiply(g[:, 2 * nH : 3 * nH], tanh_C[t, :n], out=H[t, :n])
        prev = t

    def backprop(dH: Any) -> Any:
        # Everything that does not depend on the recursion is computed for all steps at once:
        # the state each step started from (zeros before a sequence's first step) and the local
        # derivative of every gate. The loop then costs one GEMM and a few products per step.
        H_prev, C_prev = _shifted(xp, H, d), _shifted(xp, C, d)
        gi, gf, go, gc = (G[:, :, k * nH : (k + 1) * nH] for k in range(4))
        K = xp.concatenate(
            [gc * gi * (1.0 - gi), C_prev * gf * (1.0 - gf), go, gi * (1.0 - gc * gc)], axis=2
        ).reshape((T, B, 4, nH))
        K_o = tanh_C * go * (1.0 - go)
        A = go * (1.0 - tanh_C * tanh_C)
        dG: Any = ops.alloc3f(T, B, 4 * nH)
        dh: Any = ops.alloc2f(B, nH)
        dc: Any = ops.alloc2f(B, nH)
        for t in reversed(steps):
            n = size_at_t[t]
            dh_t = dh[:n]
            dh_t += dH[t, :n]
            dc_t = dc[:n]
            dc_t += dh_t * A[t, :n]
            dg = dG[t, :n].reshape((n, 4, nH))
            xp.multiply(K[t, :n], dc_t[:, None, :], out=dg)
            xp.multiply(dh_t, K_o[t, :n], out=dg[:, 2])
            dc_t *= gf[t, :n]
            ops.gemm(dG[t, :n], U, out=dh_t)
        # Weight gradients in three GEMMs over all steps at once.
        flat = dG.reshape((T * B, 4 * nH))
        model.inc_grad(f"W_{layer}_{d}", ops.gemm(flat, Xa.reshape((T * B, nI)), trans1=True))
        model.inc_grad(f"U_{layer}_{d}", ops.gemm(flat, H_prev.reshape((T * B, nH)), trans1=True))
        model.inc_grad(f"b_{layer}_{d}", flat.sum(axis=0))
        return ops.gemm(flat, W).reshape((T, B, nI))

    return H, backprop
