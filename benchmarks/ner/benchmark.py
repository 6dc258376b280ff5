"""The orchestration of a benchmark run: prepare the data, plan the runs of the selected systems
and ablations on every selected dataset (and fold), train them (`spacy train`, one process each,
--jobs at a time), score them, and rewrite the report after every finished run.

A failed training stops the run after writing what finished; the per-run records in the work
folder let `--resume` reuse every finished run whose command and fingerprint are unchanged.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from benchmarks.ner.data import prepare
from benchmarks.ner.datasets import (
    WNUT16_CV,
    Part,
    part_label,
    parts,
    prepare_datasets,
)
from benchmarks.ner.measure import (
    folder_bytes,
    in_child,
    score_model,
    torch_imports,
    training_speed,
)
from benchmarks.ner.overrides import (
    architecture_accepts,
    budget_overrides,
    check_builds,
    curve_overrides,
    resolve_overrides,
)
from benchmarks.ner.report import (
    describe,
    dump_json,
    format_markdown,
    format_megabytes,
    format_speed,
    public_paths,
)
from benchmarks.ner.run import BenchmarkError, RunSpec, fingerprint
from benchmarks.ner.stats import (
    compare,
    paired_bootstrap,
    pool_folds,
    suite_bootstrap,
    suite_summary,
    summarize,
)
from benchmarks.ner.systems import (
    ABLATION_REFERENCE,
    ANCHOR,
    OURS_CONFIG,
    ROOT,
    SYSTEMS,
    System,
    all_ablations,
)
from spacy_glove_bilstm.learning_curves import read_log


class Benchmark:
    """Prepares data and vectors, trains and scores the runs, and writes the results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.workdir
        self.budget = (args.epochs, args.limit)
        self.lock = threading.Lock()
        self.start = time.perf_counter()
        self.records: Dict[str, Dict[str, Any]] = {}
        self.failures: List[str] = []
        self.skipped: List[str] = []
        self.meta: Dict[str, Any] = {}
        self.parts: List[Part] = parts(args.datasets, args.folds)
        self.corpora: Dict[Part, Dict[str, Path]] = {}

    def log(self, text: str) -> None:
        minutes, seconds = divmod(int(time.perf_counter() - self.start), 60)
        with self.lock:
            print(f"[{minutes:3d}:{seconds:02d}] {text}", flush=True)

    def prepare(self) -> Dict[str, Path]:
        """Data splits, .spacy corpora and the three vector tables, each made once (`data`), and
        the corpora of every selected dataset and fold (`datasets`)."""
        paths = prepare(self.work, self.args.glove, self.log)
        self.corpora = prepare_datasets(self.work, self.parts, self.args.anatem, paths, self.log)
        return paths

    def paths_of(self, spec: RunSpec, paths: Dict[str, Path]) -> Dict[str, Path]:
        """The vector tables and the train/dev/test corpora of ``spec``'s dataset and fold."""
        return {**paths, **self.corpora[(spec.dataset, spec.fold)]}

    # Runs

    def plan(self) -> Tuple[List[Tuple[System, List[RunSpec]]], List[Tuple[str, RunSpec]]]:
        """The runs of the selected systems (seed-major, then dataset and fold, so drift hits
        all alike) and ablations, each on every selected dataset and fold."""
        systems = [s for s in SYSTEMS if s.name in self.args.systems]
        if any(s.needs_torch for s in systems) and not torch_imports():
            for system in systems:
                if system.needs_torch:
                    self.skipped.append(f"{system.name}: torch does not import")
                    self.log(f"Skipping {system.name}: torch does not import")
            systems = [s for s in systems if not s.needs_torch]
        for system in systems:
            check_builds(system.config, dict(system.overrides))
        system_runs = [
            (
                s,
                [
                    RunSpec(seed, s.config, s.vectors, s.overrides, *part)
                    for seed in self.args.seeds
                    for part in self.parts
                ],
            )
            for s in systems
        ]
        ablation_runs: List[Tuple[str, RunSpec]] = []
        if self.args.ablations:
            from spacy.util import load_config

            config = load_config(OURS_CONFIG, interpolate=False)
            for name, overrides in all_ablations(self.args):
                if name not in self.args.ablations:
                    continue
                resolved = resolve_overrides(config, overrides, architecture_accepts)
                check_builds(OURS_CONFIG, resolved)
                for seed in self.args.ablation_seeds:
                    for part in self.parts:
                        spec = RunSpec(seed, OURS_CONFIG, "ours", tuple(resolved.items()), *part)
                        ablation_runs.append((name, spec))
        return system_runs, ablation_runs

    def command(self, spec: RunSpec, paths: Dict[str, Path], run_dir: Path) -> List[str]:
        """The `spacy train` command of one run; --resume compares it with the recorded one, so
        the order of its settings is part of a run's identity."""
        settings: Dict[str, Any] = {
            "paths.train": str(paths["train"]),
            "paths.dev": str(paths["dev"]),
            "paths.vectors": str(paths[spec.vectors]),
            **budget_overrides(spec.seed, *self.budget),
            **curve_overrides(run_dir / "curves.jsonl"),
            **dict(spec.overrides),
        }
        cmd = [sys.executable, "-m", "spacy", "train", str(spec.config)]
        cmd += ["--output", str(run_dir / "output"), "--gpu-id", "-1"]
        if self.args.code is not None:
            cmd += ["--code", str(self.args.code)]
        for key, value in settings.items():
            cmd += [f"--{key}", json.dumps(value)]
        return cmd

    def run(self, spec: RunSpec, paths: Dict[str, Path], label: str) -> Dict[str, Any]:
        """Train and score one run (or reuse it with --resume); return its record."""
        run_id = spec.run_id(self.budget)
        run_dir = self.work / "runs" / run_id
        cmd = self.command(spec, paths, run_dir)
        result_path = run_dir / "result.json"
        stamp = fingerprint(spec.config, self.args.code)
        best = run_dir / "output" / "model-best"
        if self.args.resume and result_path.exists():
            record: Dict[str, Any] = json.loads(result_path.read_text(encoding="utf8"))
            same = record["command"] == cmd and record["fingerprint"] == stamp
            if same and ("dev_counts" in record or best.is_dir()):
                self.log(f"{label}: reusing {result_path}")
                record.update(dataset=spec.dataset, fold=spec.fold)
                if "dev_counts" not in record:
                    # Written before per-tweet counts were kept: add them from model-best, and
                    # keep the record's measures (its speeds were taken beside its run mates).
                    self.log(f"{label}: counting entities per tweet of {best}")
                    scores = self.score(best, paths)
                    record.update({k: v for k, v in scores.items() if k.endswith("_counts")})
                    result_path.write_text(json.dumps(record, indent=1), encoding="utf8")
                return record
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        self.log(f"{label}: training ({run_dir / 'train.log'})")
        start = time.perf_counter()
        with (run_dir / "train.log").open("w", encoding="utf8") as log:
            log.write(shlex.join(cmd) + "\n\n")
            log.flush()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        train_seconds = time.perf_counter() - start
        if proc.returncode != 0:
            tail = (run_dir / "train.log").read_text(encoding="utf8").splitlines()[-15:]
            raise BenchmarkError(
                f"{label}: spacy train exited with {proc.returncode}; log: "
                f"{run_dir / 'train.log'}\n" + "\n".join(tail)
            )
        curve = read_log(run_dir / "curves.jsonl")
        words, step_seconds = training_speed(curve)
        shutil.rmtree(run_dir / "output" / "model-last", ignore_errors=True)
        self.log(f"{label}: scoring")
        scores = self.score(best, paths)
        record = {
            "id": run_id,
            "seed": spec.seed,
            "dataset": spec.dataset,
            "fold": spec.fold,
            "command": cmd,
            "fingerprint": stamp,
            "train_seconds": train_seconds,
            "train_words": words,
            "train_step_seconds": step_seconds,
            "train_wps": words / step_seconds if step_seconds else None,
            "epochs": max((r["epoch"] for r in curve.steps), default=-1) + 1,
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,
            "size_mb": folder_bytes(best) / 1e6,
            "weights_mb": folder_bytes(best, skip=["vocab"]) / 1e6,
            **scores,
        }
        result_path.write_text(json.dumps(record, indent=1), encoding="utf8")
        self.log(
            f"{label}: dev F {record['dev_f']:.1f}, test F {record['test_f']:.1f}, "
            f"train {format_speed(record['train_wps'])} words/s, "
            f"infer {format_speed(record['infer_wps'])} words/s, "
            f"peak RSS {format_megabytes(record['peak_rss_mb'])}, {train_seconds:.0f}s"
        )
        return record

    def score(self, best: Path, paths: Dict[str, Path]) -> Dict[str, Any]:
        """Scores of model-best (``score_model``), in a fresh process."""
        result: Dict[str, Any] = in_child(
            score_model, best, paths["dev"], paths["test"], self.args.code
        )
        return result

    def execute(self) -> int:
        """Run everything; return the exit code (1 if a training failed)."""
        paths = self.prepare()
        self.meta = describe(self.args, self.corpora)
        system_runs, ablation_runs = self.plan()
        # Seed-major, systems then ablations within a seed: drift hits all alike, and a run cut
        # short still has every system and ablation on its first seeds.
        entries = [(spec, system.name) for system, runs in system_runs for spec in runs]
        entries += [(spec, f"ablation {name}") for name, spec in ablation_runs]
        entries.sort(key=lambda entry: entry[0].seed)
        unique: Dict[str, Tuple[RunSpec, str]] = {}
        for spec, what in entries:
            unique.setdefault(spec.run_id(self.budget), (spec, what))
        self.log(f"{len(unique)} trainings, {self.args.jobs} at a time")
        stop = threading.Event()

        def task(i: int, run_id: str, spec: RunSpec, what: str) -> None:
            if stop.is_set():
                return
            part = part_label((spec.dataset, spec.fold))
            label = f"[{i}/{len(unique)}] {what} {part} seed {spec.seed}"
            try:
                record = self.run(spec, self.paths_of(spec, paths), label)
            except Exception as err:  # any failure: stop, but keep the finished runs
                stop.set()
                message = str(err) if isinstance(err, BenchmarkError) else f"{label}: {err!r}"
                self.log(f"FAILED {message}")
                with self.lock:
                    self.failures.append(message.splitlines()[0])
                return
            with self.lock:
                self.records[run_id] = record
                self.write(system_runs, ablation_runs)

        with ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            futures = [
                pool.submit(task, i, run_id, spec, what)
                for i, (run_id, (spec, what)) in enumerate(unique.items(), start=1)
            ]
            for future in futures:
                future.result()
        self.write(system_runs, ablation_runs)
        self.log(f"Wrote {self.args.markdown} and {self.args.json}")
        if self.failures:
            self.log("Stopped after a failed training; finished runs are in the results.")
            return 1
        return 0

    def scored(
        self, specs: Iterable[RunSpec]
    ) -> Dict[str, Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]]:
        """Per selected dataset: the finished runs of ``specs`` on it, and one scored record per
        seed (for wnut16-cv, pooled over the selected folds by ``pool_folds``)."""
        by_dataset: Dict[str, List[Dict[str, Any]]] = {name: [] for name in self.args.datasets}
        for spec in specs:
            record = self.records.get(spec.run_id(self.budget))
            if record is not None:
                by_dataset[spec.dataset].append({**record, "fold": spec.fold})
        return {
            name: (done, pool_folds(done, self.args.folds) if name == WNUT16_CV else done)
            for name, done in by_dataset.items()
        }

    def entries(
        self,
        named: Sequence[Tuple[str, Dict[str, Any], List[RunSpec]]],
        reference: str,
    ) -> Tuple[Dict[str, List[Dict[str, Any]]], List[Dict[str, Any]]]:
        """Per dataset, the table entries of ``named`` (name, fields, runs): summary over
        seeds, comparison and paired bootstrap against ``reference``; and the suite entries."""
        scores = {name: self.scored(specs) for name, _, specs in named}
        tables: Dict[str, List[Dict[str, Any]]] = {name: [] for name in self.args.datasets}
        suite: List[Dict[str, Any]] = []
        for name, fields, _ in named:
            for dataset, (done, scored) in scores[name].items():
                ref = scores[reference][dataset] if reference in scores else None
                summary = summarize(scored)
                tables[dataset].append(
                    {
                        **fields,
                        "seeds": [r["seed"] for r in scored],
                        "runs": [r["id"] for r in done],
                        "summary": summary,
                        "compare": compare(summary, summarize(ref[1]) if ref else None),
                        "bootstrap": (
                            paired_bootstrap(scored, ref[1]) if ref and name != reference else None
                        ),
                    }
                )
            rows = [table[-1] for table in tables.values()]
            boot = None
            if name != reference and reference in scores:
                boot = suite_bootstrap(
                    [(scores[name][d][1], scores[reference][d][1]) for d in self.args.datasets]
                )
            summary = suite_summary([(r["summary"], r["compare"]) for r in rows])
            suite.append({**fields, **summary, "bootstrap": boot})
        return tables, suite

    def write(
        self,
        system_runs: List[Tuple[System, List[RunSpec]]],
        ablation_runs: List[Tuple[str, RunSpec]],
    ) -> None:
        """Aggregate the finished runs per dataset and over the suite, and write the JSON and
        Markdown reports."""
        systems = [
            (
                system.name,
                {
                    "name": system.name,
                    "label": system.label,
                    "config": str(system.config.relative_to(ROOT)),
                    "vectors": system.vectors,
                },
                runs,
            )
            for system, runs in system_runs
        ]
        ablations = []
        for name, changes in all_ablations(self.args):
            specs = [spec for n, spec in ablation_runs if n == name]
            if specs:
                fields = {"name": name, "changes": changes, "overrides": dict(specs[0].overrides)}
                ablations.append((name, fields, specs))
        system_tables, system_suite = self.entries(systems, ANCHOR)
        ablation_tables, ablation_suite = self.entries(ablations, ABLATION_REFERENCE)
        results = {
            "meta": self.meta,
            "datasets": {
                name: {"systems": system_tables[name], "ablations": ablation_tables[name]}
                for name in self.args.datasets
            },
            "suite": {"systems": system_suite, "ablations": ablation_suite},
            "runs": self.records,
            "failures": self.failures,
            "skipped": self.skipped,
        }
        for path, text in (
            (self.args.json, dump_json(public_paths(results, ROOT))),
            (self.args.markdown, format_markdown(results)),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf8")
