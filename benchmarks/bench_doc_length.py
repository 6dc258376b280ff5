"""Training and inference words/s on one-tweet Docs and on ten-tweet Docs, ours beside the anchor.

    python -m benchmarks.bench_doc_length       # ours and the anchor x 2 groupings, 6 epochs
    python -m benchmarks.bench_doc_length --epochs 2 --limit 100 --systems ours   # smoke run
    mkdir /tmp/before && git archive 6d0b917 | tar -x -C /tmp/before
    python -m benchmarks.bench_doc_length --before /tmp/before   # adds "before": the code and
                                                                # shipped config of 6d0b917

Data and vector tables come from the NER benchmark's preparation (``benchmarks.ner.data``:
WNUT-2016 split by tweet index, GloVe 6B 50d, the case-fixed table for the anchor). Each split
is also written with ``--group`` consecutive tweets per Doc (``Doc.from_docs``, a sentence start
at every tweet), as ``spacy convert -n 10`` gives. Every system trains on both groupings with
the same budget, one after the other in this run, each `spacy train` process on one thread:

- ours: configs/glove_bilstm_ner.cfg as shipped;
- ours_v1 (only if selected): the same with WindowBiLSTMEncoder.v1 and spaCy's
  batch_by_words.v1, the rest as shipped;
- anchor: spaCy's CNN + GloVe with Title/UPPER keys (benchmarks/configs/cnn_glove.cfg), on
  spaCy's own batcher;
- before (with ``--before DIR``): the shipped config and package code of the checkout at DIR,
  trained and measured with that code (run from DIR, and DIR first on ``PYTHONPATH``).

Measures, per system and grouping:
- training words/s: words of the batches of an ``--epochs`` run minus those of a 1-epoch run,
  over the difference of their CPU times (user + system of the `spacy train` process), so that
  start-up, initialization and saving cancel out; CPU time, not wall time, so that other jobs on
  a shared machine do not count. Also kept: the wall-time speed of the steps on which the loop
  did not evaluate (``benchmarks.ner.measure.training_speed``, "train_wps").
- dev F of model-last on the dev split grouped as in training;
- inference words/s of model-last (`nlp.pipe` on fresh Docs, CPU time, best of 3) on dev+test
  as one-tweet Docs and as ``--group``-tweet Docs, and on the first training tweets laid end to
  end in one Doc of at least ``--long-words`` tokens beside the same tweets as separate Docs.
Each process runs on one thread. Read the ratios: absolute numbers drift between runs.
"""

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

# The NER benchmark's modules are imported where they are used, by the process that runs the
# benchmark: "--call" processes for "before" import an older version of this package.
ROOT = Path(__file__).resolve().parent.parent
OURS_CONFIG = ROOT / "configs" / "glove_bilstm_ner.cfg"
CNN_CONFIG = ROOT / "benchmarks" / "configs" / "cnn_glove.cfg"

SPLITS = ("train", "dev", "test")
ENCODER_V1 = {
    "@architectures": "spacy_glove_bilstm.WindowBiLSTMEncoder.v1",
    "width": 96,
    "window_size": 1,
    "maxout_pieces": 3,
    "cnn_depth": 2,
    "lstm_depth": 1,
    "dropout": 0.0,
    "backend": "native",
}
# How the tweets are laid out in Docs, and the suffix of their corpus paths.
GROUPINGS = {
    "tweets": "",  # one tweet per Doc
    "grouped": "_{group}",  # --group tweets per Doc, a sentence start at every tweet
    "grouped_plain": "_{group}_nosents",  # the same Docs without sentence boundaries
}
# name: (label, config, vectors table, overrides)
SYSTEMS: Dict[str, Tuple[str, Path, str, Dict[str, Any]]] = {
    "ours": ("ours (shipped config)", OURS_CONFIG, "ours", {}),
    "ours_v1": (
        "ours with WindowBiLSTMEncoder.v1 and spaCy's batcher",
        OURS_CONFIG,
        "ours",
        {
            "components.ner.model.tok2vec.encode": ENCODER_V1,
            "training.batcher.@batchers": "spacy.batch_by_words.v1",
        },
    ),
    "anchor": (
        "spaCy CNN + GloVe, Title/UPPER keys (anchor)",
        CNN_CONFIG,
        "case_fixed",
        {},
    ),
}


def group_docs(source: str, output: str, size: int, sentence_starts: bool = True) -> None:
    """Write the Docs of ``source`` with ``size`` consecutive Docs merged into one, each old Doc
    starting a sentence (as ``spacy convert -n`` gives), or with no sentence boundaries at all
    (raw paragraphs, as a pipeline without a sentence splitter sees them)."""
    import spacy
    from spacy.tokens import Doc, DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(source).get_docs(nlp.vocab))
    for doc in docs:
        for token in doc:
            token.is_sent_start = token.i == 0
    merged = [Doc.from_docs(docs[i : i + size]) for i in range(0, len(docs), size)]
    for doc in merged:
        # The tweets were made from words alone: keep their gold tokens in training, as spaCy's
        # Corpus does for the one-tweet Docs (from_docs would let it re-tokenize the text).
        doc.has_unknown_spaces = docs[0].has_unknown_spaces
    if not sentence_starts:
        merged = [_without_sentence_starts(doc) for doc in merged]
    DocBin(docs=merged).to_disk(output)


def _without_sentence_starts(doc: Any) -> Any:
    from spacy.attrs import ENT_IOB, ENT_TYPE
    from spacy.tokens import Doc

    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    plain = Doc(doc.vocab, words=words, spaces=spaces)
    plain.from_array([ENT_IOB, ENT_TYPE], doc.to_array([ENT_IOB, ENT_TYPE]))
    plain.has_unknown_spaces = doc.has_unknown_spaces
    return plain


def inference_speeds(
    model: str, paths: Dict[str, str], group: int, long_words: int, repeats: int = 3
) -> Dict[str, float]:
    """words/s of ``nlp.pipe`` on fresh Docs: dev+test as tweets and grouped, and the first
    training tweets as separate Docs and as one Doc of at least ``long_words`` tokens, without
    sentence boundaries and with a sentence start at every tweet."""
    import spacy
    from spacy.tokens import Doc, DocBin

    nlp = spacy.load(model)

    def load(path: str) -> List[Doc]:
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))

    tweets = load(paths["dev"]) + load(paths["test"])
    grouped = load(paths[f"dev_{group}"]) + load(paths[f"test_{group}"])
    train = load(paths["train"])
    cut = int(numpy_searchsorted([len(d) for d in train], long_words)) + 1
    inputs = {
        "tweets": tweets,
        "grouped": grouped,
        "long_as_tweets": train[:cut],
        "long_doc": [Doc.from_docs(train[:cut])],
        "long_doc_sents": [Doc.from_docs(train[:cut])],
    }
    result: Dict[str, float] = {"long_words": sum(len(d) for d in train[:cut])}
    for name, docs in inputs.items():
        best = math.inf
        for _ in range(repeats):
            fresh = [Doc(nlp.vocab, words=[t.text for t in d]) for d in docs]
            if name == "long_doc_sents":  # a sentence start at every tweet
                starts: List[Any] = [i == 0 for d in train[:cut] for i in range(len(d))]
                fresh = [Doc(nlp.vocab, words=[t.text for t in docs[0]], sent_starts=starts)]
            start = time.process_time()
            for _doc in nlp.pipe(fresh):
                pass
            best = min(best, time.process_time() - start)
        result[f"infer_{name}"] = sum(len(d) for d in docs) / best
    return result


def numpy_searchsorted(lengths: Sequence[int], total: int) -> int:
    """The index of the first item at which the running sum of ``lengths`` reaches ``total``."""
    import numpy

    return int(numpy.searchsorted(numpy.cumsum(lengths), total))


def dev_f(model: str, dev: str, sentence_starts: bool = False) -> float:
    """Entity F (points) of ``model`` on ``dev``, as `spacy evaluate` computes it; with
    ``sentence_starts``, the pipeline's input Docs carry the gold sentence starts, as a sentence
    splitter before ``ner`` would give them (spaCy's Corpus gives tokens only)."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Corpus, Example

    nlp = spacy.load(model)
    examples = list(Corpus(str(dev))(nlp))
    if sentence_starts:
        examples = [
            Example(
                Doc(
                    nlp.vocab,
                    words=[t.text for t in eg.reference],
                    spaces=[bool(t.whitespace_) for t in eg.reference],
                    sent_starts=[bool(t.is_sent_start) for t in eg.reference],
                ),
                eg.reference,
            )
            for eg in examples
        ]
    return 100.0 * float(nlp.evaluate(examples)["ents_f"] or 0.0)


def call(function: str, kwargs: Dict[str, Any], code: Optional[Path] = None) -> Any:
    """``function(**kwargs)`` of this script in a fresh process (its memory and imports stay
    there), importing this package from the checkout ``code`` when given (else from this one);
    arguments and result in JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in (code, ROOT) if path)
    cmd = [sys.executable, __file__, "--call", function, json.dumps(kwargs, default=str)]
    done = subprocess.run(cmd, cwd=code or ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{function} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def system_settings(system: str, args: argparse.Namespace) -> Tuple[Path, str, Dict[str, Any]]:
    """Config, vectors table and overrides of ``system``."""
    if system == "before":
        return args.before / "configs" / "glove_bilstm_ner.cfg", "ours", {}
    _, config, vectors, overrides = SYSTEMS[system]
    return config, vectors, overrides


def train(
    system: str,
    grouping: str,
    paths: Dict[str, Path],
    args: argparse.Namespace,
    seed: int,
    epochs: int,
) -> Dict[str, Any]:
    """One `spacy train` run of ``epochs`` epochs; returns its words, times and model-last.

    It runs in the checkout of the system's code (``python -m`` imports from the working
    directory first), so "before" trains with the code of ``--before``."""
    from benchmarks.ner.measure import training_speed
    from benchmarks.ner.overrides import budget_overrides
    from benchmarks.ner.systems import EVAL_FREQUENCY, LOGGER, STEPS_CALLBACK
    from spacy_glove_bilstm.learning_curves import read_log

    config, vectors, overrides = system_settings(system, args)
    code = args.before if system == "before" else ROOT
    suffix = GROUPINGS[grouping].format(group=args.group)
    run_dir = args.workdir / "doc_length" / f"{system}-{grouping}{suffix}-s{seed}-e{epochs}"
    settings: Dict[str, Any] = {
        "paths.train": str(paths["train" + suffix]),
        "paths.dev": str(paths["dev" + suffix]),
        "paths.vectors": str(paths[vectors]),
        **budget_overrides(seed, epochs, args.limit),
        # Dev is evaluated at step 0 and every EVAL_FREQUENCY steps, as in the NER benchmark;
        # those steps are left out of the speed.
        "training.eval_frequency": EVAL_FREQUENCY,
        "training.logger": {
            "@loggers": LOGGER,
            "path": str(run_dir / "curves.jsonl"),
            "progress_bar": None,
            "console_output": True,
            "score_epochs": False,
        },
        "training.before_update": {"@callbacks": STEPS_CALLBACK},
        **overrides,
    }
    cmd = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(run_dir / "out")]
    for key, value in settings.items():
        cmd += [f"--{key}", json.dumps(value)]
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / "train.log").open("w", encoding="utf8") as out:
        out.write(shlex.join(cmd) + "\n\n")
        out.flush()
        proc = subprocess.Popen(cmd, cwd=code, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{system} on {grouping} Docs failed: see {run_dir / 'train.log'}")
    log = read_log(run_dir / "curves.jsonl")
    words, seconds = training_speed(log)
    steps = log.steps
    return {
        "system": system,
        "grouping": grouping,
        "seed": seed,
        "train_wps": words / seconds,
        "steps": len(steps),
        "words_per_step": words / max(len(steps), 1),
        "all_words": sum(r["batch_words"] for r in steps),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "model": str(run_dir / "out" / "model-last"),
    }


def prepare(args: argparse.Namespace) -> Dict[str, Path]:
    """The NER benchmark's corpora and vector tables, plus each split grouped ``--group`` per
    Doc."""
    from benchmarks.ner.data import prepare as prepare_ner

    paths = prepare_ner(args.workdir, None, print)
    for grouping, suffix in GROUPINGS.items():
        if grouping == "tweets":
            continue
        suffix = suffix.format(group=args.group)
        folder = args.workdir / f"corpus{suffix}"
        folder.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            output = folder / f"{split}.spacy"
            if not output.exists():
                kwargs = {"source": paths[split], "output": output, "size": args.group}
                call("group_docs", {**kwargs, "sentence_starts": grouping == "grouped"})
            paths[f"{split}{suffix}"] = output
    return paths


def format_markdown(records: List[Dict[str, Any]], group: int) -> str:
    by = {(r["system"], r["grouping"]): r for r in records}
    labels = {name: label for name, (label, *_rest) in SYSTEMS.items()}
    labels["before"] = "ours before (the --before checkout, its shipped config)"
    many = f"{group} tweets per Doc"
    lines = [
        f"| system | train words/s, tweets | {many}, sentence starts | / tweets | / anchor | "
        f"{many}, no sentence starts | / tweets | / anchor | dev F: tweets, {group} with "
        f"starts (scored without, with starts), {group} without |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for system, label in labels.items():
        one = by.get((system, "tweets"))
        if not one:
            continue
        key = "train_cpu_wps" if "train_cpu_wps" in one else "train_wps"
        cells = [label, f"{one[key] / 1e3:.1f}k"]
        dev = [f"{one['dev_f']:.1f}"]
        for grouping in ("grouped", "grouped_plain"):
            rec, anchor = by.get((system, grouping)), by.get(("anchor", grouping))
            if not rec:
                cells += ["", "", ""]
                continue
            versus = f"{rec[key] / anchor[key]:.2f}x" if anchor else ""
            cells += [f"{rec[key] / 1e3:.1f}k", f"{rec[key] / one[key]:.2f}x", versus]
            dev.append(f"{rec['dev_f']:.1f}")
            if "dev_f_sentence_starts" in rec:
                dev[-1] += f" / {rec['dev_f_sentence_starts']:.1f}"
        lines.append("| " + " | ".join(cells + [", ".join(dev)]) + " |")
    lines += [
        "",
        f"| system | infer words/s, tweets | {many} (no starts) | one long Doc, no starts | "
        "/ same tweets | one long Doc, sentence starts | / same tweets |",
        "|---|---|---|---|---|---|---|",
    ]
    for system, label in labels.items():
        one = by.get((system, "tweets"))
        if not one or "infer_tweets" not in one:
            continue
        same, sents = one["infer_long_as_tweets"], one["infer_long_doc_sents"]
        lines.append(
            f"| {label} | {one['infer_tweets'] / 1e3:.1f}k | {one['infer_grouped'] / 1e3:.1f}k | "
            f"{one['infer_long_doc'] / 1e3:.1f}k | {one['infer_long_doc'] / same:.2f}x | "
            f"{sents / 1e3:.1f}k | {sents / same:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] = ()) -> None:
    if argv[:1] == ["--call"]:
        print(json.dumps(globals()[argv[1]](**json.loads(argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="*", default=["ours", "anchor"], choices=list(SYSTEMS))
    parser.add_argument("--group", type=int, default=10, help="tweets per Doc (10)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per training (6)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="seeds (0)")
    parser.add_argument("--limit", type=int, default=0, help="first N training Docs (0: all)")
    parser.add_argument("--long-words", type=int, default=10000, help="long Doc tokens (10000)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--json", type=Path, default=None, help="write the records here")
    parser.add_argument(
        "--before", type=Path, default=None, help="a checkout of an earlier version, as 'before'"
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        default=None,
        help="only print the tables of these --json files together (e.g. two processes run side "
        "by side), seed by seed",
    )
    args = parser.parse_args(argv or None)
    if args.report:
        records = [r for path in args.report for r in json.loads(path.read_text("utf8"))]
        for seed in sorted({r["seed"] for r in records}):
            print(f"Seed {seed}\n")
            print(format_markdown([r for r in records if r["seed"] == seed], args.group))
        return
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    paths = prepare(args)
    records = []
    systems = [*args.systems, *(["before"] if args.before else [])]
    for seed in args.seeds:
        for grouping, suffix in GROUPINGS.items():
            suffix = suffix.format(group=args.group)
            for system in systems:
                record = train(system, grouping, paths, args, seed, args.epochs)
                if args.epochs > 1:
                    # Start-up, initialization and saving cancel out of the difference.
                    first = train(system, grouping, paths, args, seed, 1)
                    record["train_cpu_wps"] = (record["all_words"] - first["all_words"]) / (
                        record["cpu_seconds"] - first["cpu_seconds"]
                    )
                code = args.before if system == "before" else None
                dev = {"model": record["model"], "dev": paths["dev" + suffix]}
                record["dev_f"] = call("dev_f", dev, code)
                if grouping == "grouped":
                    starts = {**dev, "sentence_starts": True}
                    record["dev_f_sentence_starts"] = call("dev_f", starts, code)
                if grouping == "tweets":
                    speeds = {
                        "model": record["model"],
                        "paths": paths,
                        "group": args.group,
                        "long_words": args.long_words,
                    }
                    record.update(call("inference_speeds", speeds, code))
                print(json.dumps(record), flush=True)
                records.append(record)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1) + "\n", encoding="utf8")
    if len(args.seeds) == 1:
        print(format_markdown(records, args.group))


if __name__ == "__main__":
    main(sys.argv[1:])
