"""The command line of the NER benchmark: `python -m benchmarks.ner --help`.

Options select systems, ablations (built-in and --try), datasets (and folds), seeds and the
budget; `main` pins the BLAS/OpenMP threads every child process inherits, then runs
`Benchmark`.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

import benchmarks.ner
from benchmarks.ner.benchmark import Benchmark
from benchmarks.ner.datasets import ANATEM, DATASETS, DEFAULT_DATASET, N_FOLDS, anatem_files
from benchmarks.ner.overrides import parse_try
from benchmarks.ner.run import BenchmarkError, load_code
from benchmarks.ner.systems import ABLATIONS, BENCHMARKS, SYSTEMS


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """The options, with "all"/"none" expanded and each --try parsed into (name, overrides)."""
    system_names = [s.name for s in SYSTEMS]
    ablation_names = [name for name, _ in ABLATIONS]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ner",
        description=benchmarks.ner.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["all"],
        choices=[*system_names, "all", "none"],
        help="systems to train (default: all)",
    )
    parser.add_argument(
        "--ablations",
        nargs="+",
        default=["all"],
        choices=[*ablation_names, "all", "none"],
        help="ablations of ours to train (default: all)",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=[DEFAULT_DATASET],
        choices=DATASETS,
        help="datasets every system and ablation trains on (default: wnut16)",
    )
    parser.add_argument(
        "--folds",
        nargs="+",
        type=int,
        default=list(range(N_FOLDS)),
        help=f"folds of wnut16-cv to run, 0-{N_FOLDS - 1} (default: all)",
    )
    parser.add_argument(
        "--anatem",
        type=Path,
        default=None,
        help="folder with AnatEM's train.iob, dev.iob and test.iob (needed by --datasets anatem)",
    )
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds of the systems (0 1 2)"
    )
    parser.add_argument(
        "--ablation-seeds", nargs="+", type=int, default=[0], help="seeds of the ablations (0)"
    )
    parser.add_argument(
        "--try",
        nargs=2,
        action="append",
        default=[],
        dest="try_",
        metavar=("NAME", "OVERRIDES"),
        help="one more ablation of ours: a name and a JSON object of overrides, keys as in "
        "ABLATIONS ({embed}/{encode} for the tok2vec's sections); runs with the selected "
        "ablations and is checked the same way. Repeatable",
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=None,
        help="Python file with registered functions the --try overrides use, passed to "
        "`spacy train --code` (e.g. benchmarks/experiments.py)",
    )
    parser.add_argument("--epochs", type=int, default=30, help="epochs per training (30)")
    parser.add_argument(
        "--limit", type=int, default=0, help="train on the first N tweets only (0: all)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="trainings at a time (1)")
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS/OpenMP/torch threads per process (1)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=BENCHMARKS / "work", help="cache of data, vectors and runs"
    )
    parser.add_argument(
        "--glove",
        type=Path,
        default=None,
        help="GloVe text file (default: export kumo's GloVe 6B 50d); the vector tables made from "
        "it are cached in the work folder, so use a fresh --workdir for another file",
    )
    parser.add_argument(
        "--markdown", type=Path, default=BENCHMARKS / "results" / "ner.md", help="report to write"
    )
    parser.add_argument(
        "--json", type=Path, default=BENCHMARKS / "results" / "ner.json", help="results to write"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse finished runs with the same command, config and package source",
    )
    args = parser.parse_args(argv)
    if args.code is not None:
        if not args.code.is_file():
            parser.error(f"--code {args.code}: no such file")
        args.code = args.code.resolve()
    args.datasets = list(dict.fromkeys(args.datasets))
    if any(not 0 <= fold < N_FOLDS for fold in args.folds):
        parser.error(f"--folds: each fold is in 0-{N_FOLDS - 1}")
    args.folds = sorted(set(args.folds))
    if ANATEM in args.datasets:
        try:
            anatem_files(args.anatem)
        except BenchmarkError as err:
            parser.error(str(err))
        args.anatem = args.anatem.resolve()
    args.tries = [(name, parse_try(parser, name, text)) for name, text in args.try_]
    if len({name for name, _ in args.tries}) < len(args.tries):
        parser.error("--try: each name once")
    for option, names in (("systems", system_names), ("ablations", ablation_names)):
        chosen = getattr(args, option)
        if "all" in chosen:
            chosen = names
        elif "none" in chosen:
            chosen = []
        setattr(args, option, chosen)
    args.ablations = [*args.ablations, *(name for name, _ in args.tries)]
    if args.epochs < 1 or args.limit < 0 or args.jobs < 1 or args.threads < 1:
        parser.error("--epochs, --jobs and --threads must be >= 1, --limit >= 0")
    if not args.systems and not args.ablations:
        parser.error("nothing to run: select --systems or --ablations")
    return args


def main() -> None:
    """Run the benchmark the command line asks for; exit 1 if a step or a training failed."""
    args = parse_args()
    # Inherited by every training and scoring process.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    try:
        load_code(args.code)
        code = Benchmark(args).execute()
    except BenchmarkError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        code = 1
    sys.exit(code)
