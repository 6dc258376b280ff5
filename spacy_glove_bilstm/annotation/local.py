"""The local engine: one `nlp.pipe` stream over all shards, with `--workers` as `n_process`.

spaCy starts its worker processes once per `pipe` call and sends them the loaded pipeline, so
one stream over every shard pays that start-up once; each shard is written as soon as the
stream has passed its last row. This is `examples/ner_app.py` with shards, resume and errors.
"""

import os
import time
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

from .batch import annotate_groups, load_pipeline, pipeline_loads
from .io import InputRow, Shard, ShardStats, read_shard, write_shard
from .shard import JobOptions


def run_local(
    shards: Sequence[Shard],
    options: JobOptions,
    *,
    workers: int,
    on_started: Callable[[], None],
    on_done: Callable[[ShardStats], None],
) -> None:
    """Annotate `shards` in this process (and `workers - 1` more from spaCy's `pipe`).

    on_started: called once the pipeline is loaded, to time start-up apart from work.
    on_done: called with each shard's stats after its files are written, in shard order.
    """
    nlp = load_pipeline(options.model, options.gpu_id)
    config = options.config(nlp.meta)
    on_started()
    rows_in: Dict[str, Tuple[Shard, int]] = {}

    def groups() -> Iterator[Tuple[str, str, List[InputRow]]]:
        for shard in shards:
            rows = read_shard(shard)
            rows_in[shard.name] = (shard, len(rows))
            yield shard.name, shard.source, rows

    last = time.perf_counter()
    results = annotate_groups(
        nlp,
        groups(),
        text_key=options.text_key,
        id_key=options.id_key,
        batch_size=options.batch_size,
        n_process=workers,
    )
    for result in results:
        shard, n_rows = rows_in.pop(result.key)
        now = time.perf_counter()
        stats = ShardStats(
            name=shard.name,
            source=shard.source,
            start=shard.start,
            stop=shard.stop,
            rows_in=n_rows,
            rows_out=len(result.records),
            errors=len(result.errors),
            words=result.words,
            seconds=round(now - last, 3),
            pid=os.getpid(),
            loads=pipeline_loads(options.model, options.gpu_id),
            config=config,
        )
        last = now
        write_shard(options.output_dir, stats, result.records, result.errors)
        on_done(stats)
