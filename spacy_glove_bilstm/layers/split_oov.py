"""Separate projections for GloVe rows and sampled OOV rows, from the OOV marker column.

GloveOOVVectors.v2 marks rows without a GloVe row; this layer routes each row to its own block
of columns, so one Linear after it holds two projections and an OOV offset.
"""

from typing import Callable, Tuple

from thinc.api import Model
from thinc.types import Floats2d


def split_oov() -> Model[Floats2d, Floats2d]:
    """``[v, m]`` (vectors and the OOV marker column) to ``[v * (1 - m), v * m, m]``.

    A Linear after it projects GloVe rows and sampled rows with separate weights and gives OOV
    rows a learned offset: the network can use a sampled vector as a word's fixed identity
    without confusing it with GloVe's meaning-bearing rows.
    """
    return Model("split_oov", _split_forward)


def _split_forward(model: Model, X: Floats2d, is_train: bool) -> Tuple[Floats2d, Callable]:
    xp = model.ops.xp
    V, m = X[:, :-1], X[:, -1:]
    width = V.shape[1]
    Y = xp.concatenate([V * (1 - m), V * m, m], axis=1)

    def backprop(dY: Floats2d) -> Floats2d:
        d_known, d_oov, d_m = dY[:, :width], dY[:, width : 2 * width], dY[:, 2 * width :]
        dV = d_known * (1 - m) + d_oov * m
        dm = d_m + (d_oov * V).sum(axis=1, keepdims=True) - (d_known * V).sum(axis=1, keepdims=True)
        return model.ops.asarray2f(xp.concatenate([dV, dm], axis=1))

    return model.ops.asarray2f(Y), backprop
