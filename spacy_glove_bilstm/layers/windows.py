"""Run a sequence layer over fixed-length windows of each sequence, so its cost per word does not
depend on how words are grouped into Docs.

A recurrent layer steps through a sequence one position at a time: a batch of a few long Docs is
many small sequential products, a batch of many sentences is few large ones. ``with_windows``
cuts every sequence into cores of ``size`` positions, widens each core by ``context`` positions on
either side (clipped at the sequence's ends), runs the wrapped layer once over all windows of all
sequences, and keeps for every position the output of the window whose core holds it, i.e. the
window where it is most central. A sequence of at most ``size`` positions is one window without
context, exactly what the wrapped layer computes on it alone. The layer is a gather, the wrapped
layer and a gather, so its gradient is exact: the backward pass scatters the kept rows' gradients
into their windows and adds the input gradients of overlapping windows back up.
"""

from typing import Any, Callable, List, Tuple, cast

import numpy
from thinc.api import Model
from thinc.types import Floats2d, Ints1d

from ..errors import Errors

InT = List[Floats2d]


def with_windows(layer: Model[InT, InT], *, size: int, context: int) -> Model[InT, InT]:
    """Apply ``layer`` to windows of ``size + 2 * context`` positions at most.

    layer: a layer from a list of ``(length, nI)`` arrays to a list of ``(length, nO)`` arrays.
    size: positions per window core (>= 1); sequences up to this length are not cut.
    context: positions added on either side of a core (>= 0).
    """
    if size < 1 or context < 0:
        raise ValueError(Errors.E040.format(size=size, context=context))
    return Model(
        "with_windows",
        forward,
        init=init,
        layers=[layer],
        dims={"nO": layer.maybe_get_dim("nO"), "nI": layer.maybe_get_dim("nI")},
        attrs={"window_size": size, "window_context": context},
    )


def init(model: Model[InT, InT], X: Any = None, Y: Any = None) -> None:
    layer = model.layers[0]
    layer.initialize(X=X, Y=Y)
    model.set_dim("nO", layer.get_dim("nO"), force=True)
    if layer.has_dim("nI"):
        model.set_dim("nI", layer.get_dim("nI"), force=True)


def forward(model: Model[InT, InT], Xs: InT, is_train: bool) -> Tuple[InT, Callable]:
    layer = model.layers[0]
    ops = model.ops
    lengths = cast(Ints1d, numpy.asarray([len(x) for x in Xs], dtype="int32"))
    if not len(Xs) or lengths.max() <= model.attrs["window_size"]:
        return layer(Xs, is_train)
    src, window_lengths, keep = window_indices(
        lengths, model.attrs["window_size"], model.attrs["window_context"]
    )
    X = ops.flatten(Xs)
    src_ = ops.asarray1i(src)
    keep_ = ops.asarray1i(keep)
    Yw, backprop_layer = layer(ops.unflatten(X[src_], window_lengths), is_train)
    Y = ops.flatten(Yw)[keep_]
    nO = Y.shape[1]

    def backprop(dYs: InT) -> InT:
        dYw = ops.alloc2f(len(src), nO)
        dYw[keep_] = ops.flatten(dYs)
        dXw = ops.flatten(backprop_layer(ops.unflatten(dYw, window_lengths)))
        dX = ops.alloc2f(X.shape[0], dXw.shape[1])
        ops.scatter_add(dX, src_, ops.xp.ascontiguousarray(dXw))
        return cast(InT, ops.unflatten(dX, lengths))

    return cast(InT, ops.unflatten(Y, lengths)), backprop


def window_indices(lengths: Any, size: int, context: int) -> Tuple[Ints1d, Ints1d, Ints1d]:
    """The windows of sequences of ``lengths``, as indices into the sequences laid end to end.

    RETURNS: ``src``, the position of every window row in the input (windows laid end to end);
        ``window_lengths``, the rows of each window; ``keep``, for every input position, its row
        in the windows (the row of the window whose core holds it).
    """
    lengths = numpy.asarray(lengths, dtype="int64")
    n_windows = (lengths + size - 1) // size  # 0 for an empty sequence
    seq = numpy.repeat(numpy.arange(len(lengths)), n_windows)
    k = numpy.arange(len(seq)) - numpy.repeat(numpy.cumsum(n_windows) - n_windows, n_windows)
    seq_length = lengths[seq]
    core_start = k * size
    core_end = numpy.minimum(core_start + size, seq_length)
    start = numpy.maximum(core_start - context, 0)
    end = numpy.minimum(core_end + context, seq_length)
    window_lengths = end - start
    seq_offset = (numpy.cumsum(lengths) - lengths)[seq]
    src = numpy.repeat(seq_offset + start, window_lengths) + _ranges(window_lengths)
    window_offset = numpy.cumsum(window_lengths) - window_lengths
    core_lengths = core_end - core_start
    keep = numpy.repeat(window_offset + core_start - start, core_lengths) + _ranges(core_lengths)
    return (
        cast(Ints1d, src.astype("int32")),
        cast(Ints1d, window_lengths.astype("int32")),
        cast(Ints1d, keep.astype("int32")),
    )


def _ranges(lengths: Any) -> Any:
    """``[0, 1, ..., n - 1]`` for every ``n`` in ``lengths``, laid end to end."""
    return numpy.arange(lengths.sum()) - numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
