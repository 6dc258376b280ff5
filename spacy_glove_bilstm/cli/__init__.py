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
from . import convert  # noqa: E402,F401
from . import plot_curves  # noqa: E402,F401
from . import export_kumo, init_vectors, oov_report  # noqa: E402,F401
