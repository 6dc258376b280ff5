"""The BiLSTM encoder block: this package's exact-gradient LSTM, or PyTorch's for GPUs.

Sequences go in as a list of arrays and are packed by length inside the layer, so users never
pad to a fixed length.
"""

from typing import Callable, List, Optional, Tuple

from spacy.ml.models.tok2vec import MaxoutWindowEncoder
from thinc.api import Model, PyTorchLSTM, chain, residual
from thinc.types import Floats2d

from ..errors import Errors
from ..ops import use_blas_ops
from .lstm import BiLSTM
from .windows import with_windows

BACKENDS = ("native", "torch")
InT = List[Floats2d]


def BiLSTMEncoder(
    width: int,
    depth: int,
    dropout: float = 0.0,
    *,
    backend: str = "native",
    input_width: Optional[int] = None,
    residual: bool = False,
) -> Model[InT, InT]:
    """Encode context with ``depth`` stacked bidirectional LSTM layers.

    width: output width; each direction has ``width // 2`` hidden units, so it must be even.
    depth: number of stacked BiLSTM layers (>= 1).
    dropout: dropout on the input of each BiLSTM layer, in training only.
    backend: "native" (this package's LSTM on thinc ops, CPU or GPU, no PyTorch) or "torch".
    input_width: input width; inferred by "native", needed up front by "torch" (defaults to
        ``width``).
    residual: add the input to the output (needs input width == width), so the decoder sees
        each word's own features beside its context, as spaCy's CNN encoder does.
    """
    if width < 2 or width % 2:
        raise ValueError(Errors.E020.format(width=width))
    if depth < 1:
        raise ValueError(Errors.E021.format(depth=depth))
    if backend not in BACKENDS:
        raise ValueError(Errors.E022.format(backend=backend, options=", ".join(BACKENDS)))
    if residual and input_width is not None and input_width != width:
        raise ValueError(Errors.E024.format(input_width=input_width, width=width))
    if backend == "native":
        lstm = BiLSTM(width, input_width, depth=depth, dropout=dropout)
        return use_blas_ops(_residual(lstm) if residual else lstm)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ImportError(Errors.E023) from None
    nI = input_width if input_width is not None else width
    torch_lstm: Model[InT, InT] = Model(
        "torch_bilstm",
        _forward_torch,
        layers=[PyTorchLSTM(width, nI, bi=True, depth=depth, dropout=dropout)],
        dims={"nO": width, "nI": nI},
    )
    return use_blas_ops(_residual(torch_lstm) if residual else torch_lstm)


def WindowBiLSTMEncoder(
    width: int,
    *,
    window_size: int = 1,
    maxout_pieces: int = 3,
    cnn_depth: int = 2,
    lstm_depth: int = 1,
    dropout: float = 0.0,
    backend: str = "native",
) -> Model[InT, InT]:
    """A window CNN (spaCy's ``MaxoutWindowEncoder``) then a residual BiLSTM, all ``width`` wide.

    The CNN gives each token its close neighbours, which spaCy's NER decoder leans on; the
    BiLSTM adds the whole sentence on top, and its residual keeps the local features intact.
    cnn_depth: CNN layers (each sees ``window_size`` tokens either side); lstm_depth: BiLSTM
    layers; dropout: on the BiLSTM's input; the rest as in ``BiLSTMEncoder``. The same model
    as ``WindowBiLSTMEncoder_v2`` with ``lstm_window = 0`` (whole Docs), which builds it.
    """
    return WindowBiLSTMEncoder_v2(
        width,
        window_size=window_size,
        maxout_pieces=maxout_pieces,
        cnn_depth=cnn_depth,
        lstm_depth=lstm_depth,
        dropout=dropout,
        backend=backend,
        lstm_window=0,
    )


def WindowBiLSTMEncoder_v2(
    width: int,
    *,
    window_size: int = 1,
    maxout_pieces: int = 3,
    cnn_depth: int = 2,
    lstm_depth: int = 1,
    dropout: float = 0.0,
    backend: str = "native",
    lstm_window: int = 40,
    lstm_context: int = 12,
) -> Model[InT, InT]:
    """``WindowBiLSTMEncoder`` whose BiLSTM runs over windows of each Doc (``with_windows``).

    Its cost per word no longer grows with Doc length: a Doc is cut into cores of
    ``lstm_window`` tokens, each read with ``lstm_context`` tokens more on either side, all
    windows of the batch side by side; each token keeps the state of the window whose core holds
    it. Docs of at most ``lstm_window`` tokens (sentences, tweets) are read whole, as by v1.
    lstm_window: tokens per window core (40; 0 reads whole Docs, as v1).
    lstm_context: tokens of context on either side of a core (12).
    The other arguments are those of v1.
    """
    if cnn_depth < 1:
        raise ValueError(Errors.E025.format(cnn_depth=cnn_depth))
    if lstm_window < 0 or lstm_context < 0:
        raise ValueError(Errors.E040.format(size=lstm_window, context=lstm_context))
    cnn = MaxoutWindowEncoder(width, window_size, maxout_pieces, cnn_depth)
    lstm = BiLSTMEncoder(width, lstm_depth, dropout, backend=backend, input_width=width)
    if lstm_window:
        lstm = with_windows(lstm, size=lstm_window, context=lstm_context)
    model: Model[InT, InT] = chain(cnn, _residual(lstm))
    model.set_dim("nO", width)
    return use_blas_ops(model)


def _residual(layer: Model[InT, InT]) -> Model[InT, InT]:
    model = residual(layer)
    model.set_dim("nO", layer.get_dim("nO"))
    return model


def _forward_torch(model: Model[InT, InT], X: InT, is_train: bool) -> Tuple[InT, Callable]:
    return model.layers[0](X, is_train)
