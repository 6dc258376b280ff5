"""CPU matrix products through numpy's BLAS instead of thinc's blis.

thinc's ``NumpyOps.gemm`` multiplies with blis, one thread. On this model's shapes numpy's own
BLAS (OpenBLAS in numpy's wheels) is 2-4x faster (``python benchmarks/bench_gemm.py``), and
matrix products are most of the encoder's CPU time: the window CNN's Maxout alone is about 40%
of inference. So the layers this package builds run on ``BlasNumpyOps``, which is ``NumpyOps``
with ``gemm`` done by ``numpy.matmul``. Other ops (CuPy, Apple, big-endian) are left alone.
``UseBlasOps.v1`` (``[nlp] after_pipeline_creation``) moves the rest of the pipeline onto it as
well: spaCy's parser runs a few small products per transition step, on every step of training.
"""

from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy
from thinc.api import Model, NumpyOps

if TYPE_CHECKING:
    from spacy.language import Language


class BlasNumpyOps(NumpyOps):
    """``NumpyOps`` whose matrix product is ``numpy.matmul`` (numpy's BLAS)."""

    name = "blas_numpy"

    def gemm(
        self,
        x: Any,
        y: Any,
        out: Optional[Any] = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Any:
        return numpy.matmul(x.T if trans1 else x, y.T if trans2 else y, out=out)


BLAS_OPS = BlasNumpyOps()


def use_blas_ops(model: Model) -> Model:
    """Run every node of ``model`` that is on plain ``NumpyOps`` on ``BlasNumpyOps``; call it
    when the model is built (its parameters do not exist yet, so nothing moves)."""
    for node in model.walk():
        if type(node.ops) is NumpyOps:
            node.ops = BLAS_OPS
    return model


def create_use_blas_ops() -> Callable[["Language"], "Language"]:
    """An ``[nlp] after_pipeline_creation`` callback that runs every component's model on
    ``BlasNumpyOps`` (``use_blas_ops``), spaCy's own layers (the NER's state model) included.
    It runs whenever the pipeline is built from its config: in ``spacy train`` and in
    ``spacy.load``. Results differ from thinc's blis products only in float rounding."""

    def use_blas(nlp: "Language") -> "Language":
        for _name, component in nlp.components:
            model = getattr(component, "model", None)
            if isinstance(model, Model):
                use_blas_ops(model)
        return nlp

    return use_blas
