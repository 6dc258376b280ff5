"""What every engine needs to know about a job, and the one-shard task the Dask engine runs."""

import os
import time
from dataclasses import dataclass
from typing import Any, Dict

from .batch import PIPELINE_LOCK, annotate_groups, load_pipeline, model_name, pipeline_loads
from .io import Shard, ShardStats, read_shard, write_shard


@dataclass(frozen=True)
class JobOptions:
    """The options that decide a job's output, sent (a few strings) with every task.

    model: pipeline package name or folder, loaded by each worker process.
    output_dir: where shards, `_errors/` and `_manifest.json` go (path or fsspec URL).
    text_key, id_key: the input fields of the text and of the id.
    batch_size: documents per `nlp.pipe` batch.
    shard_rows: rows per shard; part of every shard's name, so a resume must keep it.
    gpu_id: GPU to run on, or -1 for CPU.
    """

    model: str
    output_dir: str
    text_key: str = "text"
    id_key: str = "id"
    batch_size: int = 256
    shard_rows: int = 10_000
    gpu_id: int = -1

    def config(self, meta: Dict[str, Any]) -> Dict[str, Any]:
        """What a shard's content depends on, stored with it and compared by --resume."""
        model, version = model_name(meta)
        return {
            "model": model,
            "model_version": version,
            "text_key": self.text_key,
            "id_key": self.id_key,
            "shard_rows": self.shard_rows,
        }


def run_shard(shard: Shard, options: JobOptions) -> ShardStats:
    """Annotate one shard and write its output; the Dask task, idempotent by construction.

    The pipeline comes from this process's cache (loaded by the worker plugin, or here on the
    first task), so a task carries only the shard and the options. Running a shard twice (a
    retry after a killed worker) writes the same files under the same names.
    """
    nlp = load_pipeline(options.model, options.gpu_id)
    started = time.perf_counter()
    with PIPELINE_LOCK:
        rows = read_shard(shard)
        (result,) = annotate_groups(
            nlp,
            [(shard.name, shard.source, rows)],
            text_key=options.text_key,
            id_key=options.id_key,
            batch_size=options.batch_size,
        )
    stats = ShardStats(
        name=shard.name,
        source=shard.source,
        start=shard.start,
        stop=shard.stop,
        rows_in=len(rows),
        rows_out=len(result.records),
        errors=len(result.errors),
        words=result.words,
        seconds=round(time.perf_counter() - started, 3),
        pid=os.getpid(),
        loads=pipeline_loads(options.model, options.gpu_id),
        config=options.config(nlp.meta),
    )
    write_shard(options.output_dir, stats, result.records, result.errors)
    return stats
