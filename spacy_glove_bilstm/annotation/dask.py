"""The Dask engine: one task per shard on `dask.distributed` workers, one pipeline per worker.

A worker plugin loads the pipeline when a worker starts (and again in the fresh process a Nanny
starts after a worker dies), so tasks carry a shard and a few option strings, never the
pipeline. A task writes its shard under the fixed name, so the scheduler's retry of a task that
was running on a killed worker replaces, and never duplicates, its output.
"""

import os
import uuid
from typing import Any, Callable, List, Optional, Sequence

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from .batch import load_pipeline
from .io import Shard, ShardStats
from .shard import JobOptions, run_shard


class PipelineLoader(WorkerPlugin):
    """Loads the pipeline into the worker process's cache as the worker starts."""

    def __init__(self, model: str, gpu_id: int) -> None:
        self.model = model
        self.gpu_id = gpu_id

    def setup(self, worker: Any) -> None:
        load_pipeline(self.model, self.gpu_id)


def start_client(workers: Optional[int], scheduler: Optional[str]) -> List[Any]:
    """A client of the cluster at `scheduler`, or of a new LocalCluster of `workers` processes
    with one thread each; returned with the cluster, in the order to close them."""
    if scheduler is not None:
        return [Client(scheduler)]
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True
    )
    return [Client(cluster), cluster]


def run_dask(
    shards: Sequence[Shard],
    options: JobOptions,
    *,
    client: Any = None,
    workers: Optional[int] = None,
    scheduler: Optional[str] = None,
    retries: int = 2,
    on_started: Callable[[], None],
    on_done: Callable[[ShardStats], None],
) -> None:
    """Annotate `shards` on a Dask cluster: `client`'s, the one at `scheduler`, or a new one.

    retries: re-runs of a task that raised (a storage hiccup); a task whose worker died is
        re-run by the scheduler anyway (up to `distributed.scheduler.allowed-failures`).
    on_started: called once every worker has loaded the pipeline.
    on_done: called with each shard's stats as it completes, in completion order.
    """
    owned = [] if client is not None else start_client(workers, scheduler)
    client = client if client is not None else owned[0]
    try:
        plugin = PipelineLoader(options.model, options.gpu_id)
        register = getattr(client, "register_plugin", None) or client.register_worker_plugin
        register(plugin, name=f"spacy-glove-bilstm-annotate-{options.model}-{options.gpu_id}")
        on_started()
        run = uuid.uuid4().hex[:8]  # a rerun in the same client must not reuse old results
        futures = client.map(
            run_shard,
            list(shards),
            options=options,
            key=[f"annotate-{shard.name}-{run}" for shard in shards],
            retries=retries,
        )
        for future in as_completed(futures):
            on_done(future.result())
            future.release()
    finally:
        for resource in owned:
            resource.close()
