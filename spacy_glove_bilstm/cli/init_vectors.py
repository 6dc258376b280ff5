"""``init-vectors``: a GloVe or word2vec text file in, a spaCy vectors pipeline out.

The output folder is what ``[initialize] vectors`` (or ``--paths.vectors``) takes. Bad input
stops the command with the coded error, naming file and line, and exit code 1; nothing is
written then.
"""

import time
from enum import Enum
from pathlib import Path
from typing import Any, Dict, Optional

import typer
from wasabi import msg

from ..vectors import init_vectors
from ._util import app


class Lowercase(str, Enum):
    keep = "keep"
    fold = "fold"
    add = "add"


class PruneMode(str, Enum):
    map = "map"
    drop = "drop"


@app.command("init-vectors")
def init_vectors_cli(
    glove_file: Path = typer.Argument(..., help="GloVe/word2vec text file: plain, .gz or .zip"),
    output_dir: Path = typer.Argument(..., help="Folder for the vectors pipeline"),
    lang: str = typer.Option("en", "--lang", help="Language of the blank pipeline"),
    member: Optional[str] = typer.Option(
        None, "--member", help="Zip member to read, e.g. glove.6B.50d.txt (zips with several)"
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="Read only the first N rows (0: all)"),
    prune: int = typer.Option(0, "--prune", min=0, help="Keep only the first N rows (0: all)"),
    prune_mode: PruneMode = typer.Option(
        PruneMode.map,
        "--prune-mode",
        help="Words of pruned rows: map to the nearest kept row, or drop (sampled as OOV)",
    ),
    lowercase: Lowercase = typer.Option(
        Lowercase.keep,
        "--lowercase",
        help="keep the words; fold them to lowercase; or add lowercase keys for cased vectors",
    ),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="Skip and count malformed rows instead of stopping"
    ),
    name: Optional[str] = typer.Option(None, "--name", help="Vectors name (default: file name)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar"),
) -> None:
    """Turn a GloVe or word2vec text file into a spaCy vectors pipeline.

    The pipeline records the GloVe statistics the OOV sampler needs (over every row read,
    before pruning). Use it with `[initialize] vectors = "OUTPUT_DIR"`. Reads plain, .gz and
    .zip files (a zip with several text members needs --member), with or without a
    `ROWS DIMS` header.
    """
    start = time.perf_counter()
    try:
        record = init_vectors(
            glove_file,
            output_dir,
            lang=lang,
            member=member,
            limit=limit,
            prune=prune,
            prune_mode=prune_mode.value,
            lowercase=lowercase.value,
            skip_bad_rows=skip_bad_rows,
            name=name,
            progress=progress,
        )
    except ValueError as err:
        msg.fail(str(err), exits=1)
    print_summary(record)
    msg.good(
        f"Wrote {record['rows']} x {record['dims']} vectors, {record['keys']} keys, in "
        f"{time.perf_counter() - start:.1f}s",
        str(output_dir),
    )


def print_summary(record: Dict[str, Any]) -> None:
    """What the file held and what was done with it, one line each, warnings for dropped data."""
    header = record["header"]
    rows = [
        ("source", record["source"]),
        ("format", f"word2vec header {header[0]} {header[1]}" if header else "GloVe (no header)"),
        ("rows read", record["rows_read"]),
        ("rows kept", record["rows"]),
        ("keys", record["keys"]),
        ("duplicate words", record["duplicates"]),
        ("words with spaces", record["words_with_spaces"]),
        ("blank lines", record["blank_lines"]),
        ("bad rows skipped", record["bad_rows_skipped"]),
        ("lowercase", f"{record['lowercase']} ({record['lowercase_aliases']} aliases)"),
    ]
    if record.get("byte_order_mark"):
        rows.insert(2, ("byte-order mark", "removed"))
    if record["pruned_rows"]:
        similarity = record["mean_similarity"]
        mapped = f", mean similarity {similarity:.3f}" if similarity is not None else ""
        rows.append(("pruned rows", f"{record['pruned_rows']} ({record['prune_mode']}{mapped})"))
    msg.table(rows, title="GloVe vectors")
    if record["duplicates"]:
        examples = ", ".join(repr(word) for word in record["duplicate_examples"])
        msg.warn(
            f"{record['duplicates']} duplicate words: the first row of each was kept", examples
        )
    if record["bad_rows_skipped"]:
        msg.warn(
            f"{record['bad_rows_skipped']} bad rows skipped", "\n".join(record["bad_row_examples"])
        )
