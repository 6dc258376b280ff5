"""Character features: each token's first and last characters, embedded per position.

GloVe and the hash features see a word whole; an unseen biomedical or technical word often says
what it is in its ends (`-cyte`, `-itis`, `hepat-`). This is spaCy's ``CharacterEmbed`` idea
(one table per character position, bytes of UTF-8, concatenated) for a batch at once, with the
gradient summed correctly where a character repeats (``scatter_add``).
"""

from typing import Any, Callable, List, Optional, Tuple

import numpy
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Ragged

from ..errors import Errors

LAYER_NAME = "char_embed"
N_BYTES = 256  # a UTF-8 byte, 255 doubling as padding (Doc.to_utf8_array)


def CharEmbed(nM: int, nC: int) -> Model[List[Doc], Ragged]:
    """Embed the first and last ``nC // 2`` bytes of every token, ``nM`` wide each.

    nM: width of one character's embedding.
    nC: characters per token (even: half from the start, half from the end, padded).
    Output: ``nM * nC`` columns per token.
    """
    if nM < 1 or nC < 2 or nC % 2:
        raise ValueError(Errors.E015.format(char_width=nM, n_chars=nC))
    return Model(
        LAYER_NAME,
        forward,
        init=init,
        dims={"nM": nM, "nC": nC, "nO": nM * nC},
        params={"E": None},
    )


def init(model: Model, X: Optional[List[Doc]] = None, Y: Optional[Ragged] = None) -> None:
    nM, nC = model.get_dim("nM"), model.get_dim("nC")
    # The global generator follows spaCy's training seed (fix_random_seed).
    table: Any = numpy.random.uniform(-0.1, 0.1, (nC * N_BYTES, nM))
    model.set_param("E", model.ops.asarray2f(table.astype("float32")))


def forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[Ragged, Callable]:
    ops = model.ops
    nM, nC = model.get_dim("nM"), model.get_dim("nC")
    E: Any = model.get_param("E")
    lengths = ops.asarray1i([len(doc) for doc in docs])
    arrays: List[Any] = [doc.to_utf8_array(nr_char=nC) for doc in docs if len(doc)]
    if not arrays:
        return Ragged(ops.alloc2f(0, nM * nC), lengths), lambda dY: []
    ids = numpy.concatenate(arrays).astype("int64")
    # Row of (position p, byte b) in the table: p * 256 + b.
    flat = (ids + numpy.arange(nC, dtype="int64") * N_BYTES).reshape(-1)
    flat_ops = ops.asarray1i(flat.astype("int32"))
    Y = E[flat_ops].reshape((ids.shape[0], nM * nC))

    def backprop(dY: Ragged) -> List[Doc]:
        dE = ops.alloc2f(*E.shape)
        d_rows: Any = ops.as_contig(dY.data).reshape((-1, nM))
        ops.scatter_add(dE, flat_ops, d_rows)
        model.inc_grad("E", dE)
        return []

    return Ragged(ops.asarray2f(Y), lengths), backprop
