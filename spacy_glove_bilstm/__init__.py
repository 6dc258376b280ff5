"""GloVe + deterministic OOV vectors + BiLSTM, as a spaCy tok2vec.

spaCy finds the registered architectures, layers, callbacks, loggers and the component through
the package's entry points, so importing the package does not import spaCy: the file commands
(``python -m spacy_glove_bilstm init-vectors``) start without it.
"""

from .annotation import annotate
from .oov import sample_ngram_vectors, sample_oov_vectors

__version__ = "0.1.0"
__all__ = ["annotate", "sample_ngram_vectors", "sample_oov_vectors", "__version__"]
