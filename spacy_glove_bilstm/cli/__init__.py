"""The ``spacy-glove-bilstm`` command line (also ``python -m spacy_glove_bilstm``).

Each command lives in its own thin module, which adds itself to ``app`` (``_util.py``) when
imported here; the work is done by the library modules they call.
"""

# Command modules: each one decorates its command on `app`.
from . import (  # noqa: F401
    annotate,
    convert,
    export_kumo,
    init_vectors,
    oov_report,
    plot_curves,
)
from ._util import app

__all__ = ["app"]
