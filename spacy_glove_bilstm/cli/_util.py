"""The command-line app that every command module adds its command to."""

import typer

app = typer.Typer(
    name="spacy-glove-bilstm",
    help="GloVe + BiLSTM token encoder for spaCy: vectors, reports, plots and annotation.",
    no_args_is_help=True,
    add_completion=False,
)
