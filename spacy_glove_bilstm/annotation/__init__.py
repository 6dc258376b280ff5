"""Annotate a corpus with a spaCy pipeline's entities, on one machine or a Dask cluster.

`annotate()` (and the `annotate` command) cuts the input into shards, runs them on the local
engine (`nlp.pipe`) or on `dask.distributed`, and writes one Parquet file per shard, an
`_errors/` folder and a `_manifest.json`. `BatchAnnotator` runs the same per-batch code under
Spark's `mapInPandas` or Ray Data's `map_batches`. See docs/annotate.md.
"""

from .batch import SPARK_SCHEMA, BatchAnnotator
from .io import read_errors, read_manifest, read_output
from .job import annotate

__all__ = [
    "SPARK_SCHEMA",
    "BatchAnnotator",
    "annotate",
    "read_errors",
    "read_manifest",
    "read_output",
]
