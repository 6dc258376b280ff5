"""The Dask engine of `annotate`: equal to `nlp.pipe`, every id once, survives a SIGKILL.

Clusters are `LocalCluster(n_workers=2, threads_per_worker=1)` whose workers import
annotate_helpers.py at start-up, so they know the test components.
"""

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from annotate_helpers import (
    HERE,
    bad_input,
    check_bad_output,
    expected,
    rows,
    save_pipeline,
    write_jsonl,
)

from spacy_glove_bilstm import annotate
from spacy_glove_bilstm.annotation import read_manifest, read_output

distributed = pytest.importorskip("distributed")


def local_cluster() -> Any:
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0", preload=[str(HERE)]
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_pipeline(tmp_path_factory.mktemp("annotate_dask") / "model")


def check_loads(manifest: Dict[str, Any], max_processes: int) -> None:
    """Each worker process that wrote a shard loaded the pipeline exactly once."""
    loads = manifest["pipeline_loads_per_process"]
    assert 1 <= len(loads) <= max_processes
    assert set(loads.values()) == {1}
    assert {str(shard["pid"]) for shard in manifest["shards"]} == set(loads)


def test_dask_equals_nlp_pipe(model: str, client: Any, tmp_path: Path) -> None:
    records = rows(90)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out"
    manifest = annotate(
        model, str(source), str(out), engine="dask", client=client, shard_rows=10, batch_size=4
    )
    output = list(read_output(str(out)))
    assert output == expected(model, records)
    assert len({row["id"] for row in output}) == len(records)
    assert manifest == read_manifest(str(out))
    assert (manifest["shards_total"], manifest["rows_in"], manifest["rows_out"]) == (9, 90, 90)
    check_loads(manifest, max_processes=2)
    assert client.status == "running"  # a client passed in stays open


def test_dask_bad_rows_go_to_errors(model: str, client: Any, tmp_path: Path) -> None:
    source = bad_input(tmp_path)
    out = tmp_path / "out"
    manifest = annotate(model, str(source), str(out), engine="dask", client=client, shard_rows=5)
    check_bad_output(out, source, manifest)


def test_dask_own_local_cluster(tmp_path: Path) -> None:
    model = save_pipeline(tmp_path / "model", components=())  # workers here know no test code
    records = rows(40)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out"
    manifest = annotate(model, str(source), str(out), engine="dask", workers=2, shard_rows=10)
    assert list(read_output(str(out))) == expected(model, records)
    assert manifest["options"]["workers"] == 2 and manifest["startup_seconds"] > 0
    check_loads(manifest, max_processes=2)


def test_sigkill_of_a_worker_mid_run(tmp_path: Path) -> None:
    model = save_pipeline(tmp_path / "model", components=("annotate_test_slow",))
    records = rows(300)  # 10 ms per document: 3 s of work over 2 workers
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out"
    manifests: List[Dict[str, Any]] = []
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        job = threading.Thread(
            target=lambda: manifests.append(
                annotate(model, str(source), str(out), engine="dask", client=client, shard_rows=15)
            )
        )
        job.start()
        deadline = time.monotonic() + 30
        while not list(out.glob("*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.02)
        busy = [address for address, keys in client.processing().items() if keys]
        victim = client.run(os.getpid, workers=busy[:1])[busy[0]]  # a worker with a task
        done_at_kill = len(list(out.glob("*.parquet")))
        os.kill(victim, signal.SIGKILL)
        # Whatever is complete now was written before the kill (the victim may have finished
        # one more shard since the count above); every later shard is someone else's.
        before_kill = {path.stem for path in out.glob("*.parquet")}
        job.join(timeout=60)
    assert manifests, "the job did not finish after a worker was killed"
    assert 1 <= done_at_kill < 20
    output = list(read_output(str(out)))
    assert output == expected(model, records)  # same rows as undisturbed, each id once
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["_manifest.json", *(f"in.jsonl-{i:05d}.parquet" for i in range(20))]
    )
    manifest = manifests[0]
    assert (manifest["rows_in"], manifest["rows_out"], manifest["errors"]) == (300, 300, 0)
    check_loads(manifest, max_processes=3)  # two workers, plus the one the Nanny restarted
    later = [shard for shard in manifest["shards"] if shard["name"] not in before_kill]
    assert later and str(victim) not in {str(shard["pid"]) for shard in later}
