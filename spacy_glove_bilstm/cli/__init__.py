"""The ``spacy-glove-bilstm`` command line (also ``python -m spacy_glove_bilstm``).

Each command lives in its own module and registers itself on ``app`` when imported here.
"""

import typer

app = typer.Typer(
    name="spacy-glove-bilstm",
    help="GloVe + BiLSTM token encoder for spaCy: vectors, reports and plots.",
    no_args_is_help=True,
    add_completion=False,
)

# Command modules (each one imports `app` from here and decorates its command).
from . import (  # noqa: E402,F401
    convert,
    export_kumo,
    init_vectors,
    oov_report,
    plot_curves,
)
