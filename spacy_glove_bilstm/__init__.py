"""GloVe + deterministic OOV vectors + BiLSTM, as a spaCy tok2vec."""

from . import architectures, callbacks  # noqa: F401  (registers the builders)
from .oov import sample_oov_vectors

__version__ = "0.1.0"
__all__ = ["sample_oov_vectors", "__version__"]
