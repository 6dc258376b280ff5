"""The `annotate` command: tag a corpus with a pipeline's entities into Parquet shards."""

from typing import Optional

import typer
from wasabi import msg

from ._util import app


@app.command("annotate")
def annotate_cli(
    model: str = typer.Argument(..., help="Pipeline package name or pipeline folder"),
    input_path: str = typer.Argument(
        ..., metavar="INPUT", help="JSONL or Parquet file, folder or glob (or fsspec URL)"
    ),
    output_dir: str = typer.Argument(..., help="Folder for Parquet shards, _errors/, manifest"),
    engine: str = typer.Option("local", "--engine", "-e", help="local (nlp.pipe) or dask"),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", help="local: n_process (1); dask: LocalCluster processes"
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler (engine dask)"
    ),
    text_key: str = typer.Option("text", "--text-key", help="Input field of the text"),
    id_key: str = typer.Option("id", "--id-key", help="Input field of the id"),
    batch_size: int = typer.Option(256, "--batch-size", "-b", help="Documents per batch"),
    shard_rows: int = typer.Option(10_000, "--shard-rows", help="Rows per shard"),
    resume: bool = typer.Option(False, "--resume", help="Skip shards whose output is complete"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
) -> None:
    """Annotate a corpus with MODEL's entities: one Parquet file per input shard in OUTPUT_DIR.

    Bad rows (no text, not a string, too long, malformed JSON, a document the pipeline raises
    on) go to OUTPUT_DIR/_errors/ and the job goes on. Rerunning (or --resume) after a crash
    finishes the job without duplicating rows.
    """
    from ..annotation import annotate

    try:
        manifest = annotate(
            model,
            input_path,
            output_dir,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            text_key=text_key,
            id_key=id_key,
            batch_size=batch_size,
            shard_rows=shard_rows,
            resume=resume,
            gpu_id=gpu_id,
        )
    except (ValueError, ImportError) as err:
        msg.fail(str(err), exits=1)
    msg.good(
        f"{manifest['rows_out']:,} of {manifest['rows_in']:,} rows annotated in "
        f"{manifest['shards_total']} shards ({manifest['shards_resumed']} resumed), "
        f"{manifest['seconds']:.1f} s",
        output_dir,
    )
    if manifest["errors"]:
        msg.warn(f"{manifest['errors']:,} rows skipped: see {output_dir}/_errors/")
