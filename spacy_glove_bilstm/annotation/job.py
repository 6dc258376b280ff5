"""`annotate()`: plan shards, skip the complete ones on --resume, run an engine, write the manifest.

The driver reads only file listings, Parquet footers and JSONL line counts; the text is read
where it is annotated. Every output file is written by the shard that owns it, so the job can
die at any point and `--resume` (or a plain rerun) finishes it without losing or duplicating
rows.
"""

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import Errors
from .io import (
    ShardStats,
    now,
    output_fs,
    plan_shards,
    read_shard_stats,
    remove_temporary,
    require_pyarrow,
    write_manifest,
)
from .shard import JobOptions

ENGINES = ("local", "dask")


def pipeline_meta(model: str) -> Dict[str, Any]:
    """The meta.json of a pipeline folder or installed package, read without loading it."""
    from spacy import util

    path = Path(model)
    if not path.exists() and util.is_package(model):
        path = util.get_package_path(model)
    if not (path / "meta.json").exists():
        raise ValueError(Errors.E411.format(model=model))
    return util.load_meta(path / "meta.json")


def annotate(
    model: str,
    input: str,
    output_dir: str,
    *,
    engine: str = "local",
    workers: Optional[int] = None,
    scheduler: Optional[str] = None,
    client: Any = None,
    text_key: str = "text",
    id_key: str = "id",
    batch_size: int = 256,
    shard_rows: int = 10_000,
    resume: bool = False,
    gpu_id: int = -1,
    progress: bool = True,
) -> Dict[str, Any]:
    """Annotate a corpus with a spaCy pipeline's entities into Parquet shards; return the manifest.

    model: an installed pipeline package name or a pipeline folder (any spaCy pipeline).
    input: a JSONL or Parquet file, a folder of them or a glob; local or any fsspec URL.
    output_dir: folder (or fsspec URL) for one Parquet file per shard, `_errors/` and
        `_manifest.json`. With the Dask engine, every worker must be able to write there.
    engine: "local" (`nlp.pipe`) or "dask" (`dask.distributed`).
    workers: local: `n_process` (default 1); dask: processes of a new LocalCluster (default:
        the CPU count). Not with `scheduler` or `client`.
    scheduler: address of a running Dask scheduler, e.g. "tcp://10.0.0.5:8786".
    client: an existing `dask.distributed.Client` to run on (left open).
    text_key, id_key: the input fields of the text and of the id (ids are written as strings).
    batch_size: documents per `nlp.pipe` batch.
    shard_rows: rows per shard: the unit of work, retry and resume.
    resume: keep complete shards whose options match, run only the others.
    gpu_id: GPU to run on, or -1 for CPU.
    progress: show a progress bar over shards on the console.
    """
    if engine not in ENGINES:
        raise ValueError(Errors.E405.format(engine=engine))
    for name, value in (("--batch-size", batch_size), ("--shard-rows", shard_rows)):
        if value < 1:
            raise ValueError(Errors.E406.format(name=name, value=value))
    if workers is not None and workers < 1:
        raise ValueError(Errors.E406.format(name="--workers", value=workers))
    if engine != "dask" and (scheduler is not None or client is not None):
        raise ValueError(Errors.E407.format(engine=engine))
    if workers is not None and (scheduler is not None or client is not None):
        raise ValueError(Errors.E408)
    require_pyarrow()
    if engine == "dask":
        try:
            from . import dask as dask_engine
        except ImportError as err:
            raise ImportError(Errors.E404) from err

    started_at = now()
    started = time.perf_counter()
    meta = pipeline_meta(model)
    options = JobOptions(model, output_dir, text_key, id_key, batch_size, shard_rows, gpu_id)
    config = options.config(meta)
    shards = plan_shards(input, shard_rows=shard_rows, text_key=text_key, id_key=id_key)
    done: List[ShardStats] = []
    pending = []
    for shard in shards:
        stats = read_shard_stats(output_dir, shard.name) if resume else None
        if stats is None:
            pending.append(shard)
            continue
        for key, value in config.items():
            if stats.config.get(key) != value:
                raise ValueError(
                    Errors.E409.format(
                        path=output_dir,
                        shard=shard.name,
                        key=key,
                        old=stats.config.get(key),
                        new=value,
                    )
                )
        done.append(stats)
    resumed = len(done)
    ran: List[ShardStats] = []
    fs, root = output_fs(output_dir)
    fs.makedirs(root, exist_ok=True)

    from tqdm import tqdm

    bar = tqdm(
        total=len(shards), initial=resumed, unit="shard", disable=not progress, desc="annotate"
    )
    timing = {"startup": 0.0, "work_started": started}
    work = {"rows": 0, "words": 0}

    def on_started() -> None:
        timing["work_started"] = time.perf_counter()
        timing["startup"] = timing["work_started"] - started

    def on_done(stats: ShardStats) -> None:
        done.append(stats)
        ran.append(stats)
        work["rows"] += stats.rows_in
        work["words"] += stats.words
        elapsed = max(time.perf_counter() - timing["work_started"], 1e-9)
        bar.set_postfix(
            {
                "rows/s": f"{work['rows'] / elapsed:,.0f}",
                "words/s": f"{work['words'] / elapsed:,.0f}",
            },
            refresh=False,
        )
        bar.update(1)

    try:
        if engine == "dask":
            dask_engine.run_dask(
                pending,
                options,
                client=client,
                workers=workers,
                scheduler=scheduler,
                on_started=on_started,
                on_done=on_done,
            )
        else:
            from .local import run_local

            run_local(
                pending, options, workers=workers or 1, on_started=on_started, on_done=on_done
            )
    finally:
        bar.close()
    remove_temporary(output_dir)
    seconds = time.perf_counter() - started
    order = {shard.name: i for i, shard in enumerate(shards)}
    done.sort(key=lambda stats: order[stats.name])
    loads: Dict[str, int] = {}
    for stats in ran:
        loads[str(stats.pid)] = max(loads.get(str(stats.pid), 0), stats.loads)
    import spacy

    from .. import __version__

    manifest = {
        **config,
        "pipeline": model,
        "input": input,
        "output_dir": output_dir,
        "options": {
            "engine": engine,
            "workers": workers,
            "scheduler": scheduler,
            "batch_size": batch_size,
            "resume": resume,
            "gpu_id": gpu_id,
        },
        "started": started_at,
        "finished": now(),
        "seconds": round(seconds, 3),
        "startup_seconds": round(timing["startup"], 3),
        "shards_total": len(shards),
        "shards_run": len(shards) - resumed,
        "shards_resumed": resumed,
        "rows_in": sum(stats.rows_in for stats in done),
        "rows_out": sum(stats.rows_out for stats in done),
        "errors": sum(stats.errors for stats in done),
        "words": sum(stats.words for stats in done),
        "pipeline_loads_per_process": loads,
        "versions": {"spacy": spacy.__version__, "spacy_glove_bilstm": __version__},
        "shards": [asdict(stats) for stats in done],
    }
    write_manifest(output_dir, manifest)
    return manifest
