"""GPU check: a few hundred training steps of the shipped config on a GPU, against the CPU.

    python -m benchmarks.gpu --steps 300 --gpu-id 0     # on a machine with CuPy
    python -m benchmarks.gpu --steps 20 --gpu-id -1     # the same steps on CPU only

Each leg is `python -m spacy train configs/glove_bilstm_ner.cfg` for --steps steps (dev scored
every --eval-frequency steps, seed 0) in its own process, then `nlp.pipe` over dev+test with the
trained pipeline on the same device:
- cpu: the shipped config on CPU, for the ratios (skipped with --no-cpu);
- gpu-native: `--gpu-id N`, this package's LSTM on thinc's CupyOps;
- gpu-torch: `--gpu-id N` with `backend = "torch"` (PyTorch's LSTM), when torch sees a GPU.
Train words/s leaves out the steps that scored dev, as benchmarks.ner does; dev/test F are of
model-last after --steps steps, a check that the GPU legs learn as the CPU one does, not a result.

Data and vectors: the work folder of `python -m benchmarks.ner` (run it once, e.g. with
`--systems none --ablations none`), or --corpus (train/dev/test.spacy) and --vectors. Writes
Markdown and JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks.ner.measure import cpu_model, in_child, score_model, training_speed
from benchmarks.ner.systems import BENCHMARKS, OURS_CONFIG, ROOT
from spacy_glove_bilstm.learning_curves import read_log

BACKEND = "components.ner.model.tok2vec.encode.backend"


def gpu_names(gpu_id: int) -> Dict[str, Optional[str]]:
    """What each GPU library sees: CuPy (thinc's GPU ops) and PyTorch, None if nothing."""
    seen: Dict[str, Optional[str]] = {"cupy": None, "torch": None}
    try:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(gpu_id)
        seen["cupy"] = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    except Exception:  # no CuPy, no driver or no such device: the GPU legs are skipped
        pass
    try:
        import torch

        if torch.cuda.is_available():
            seen["torch"] = torch.cuda.get_device_name(gpu_id)
    except Exception:
        pass
    return seen


def lstm_agreement(gpu_id: int) -> Dict[str, Any]:
    """Largest difference between this package's BiLSTM on CupyOps and on NumpyOps, same weights
    and inputs: output, input gradient and weight gradients (float32: expect about 1e-5). With
    ``gpu_id`` -1 it compares NumpyOps with the package's BlasNumpyOps instead."""
    import numpy
    from thinc.api import CupyOps, NumpyOps

    from spacy_glove_bilstm.layers.lstm import BiLSTM
    from spacy_glove_bilstm.ops import BlasNumpyOps

    rng = numpy.random.default_rng(0)
    X = [rng.normal(size=(int(n), 64)).astype("f") for n in rng.integers(1, 30, size=16)]
    dY = [rng.normal(size=(len(x), 64)).astype("f") for x in X]
    results: List[Dict[str, Any]] = []
    other = CupyOps(device_id=gpu_id) if gpu_id >= 0 else BlasNumpyOps()
    for ops in (NumpyOps(), other):
        model = BiLSTM(64, 64, depth=2)
        for node in model.walk():
            node.ops = ops
        model.initialize(X=[ops.asarray2f(x) for x in X[:1]])
        if results:  # the same weights as the NumPy model
            for name in model.param_names:
                model.set_param(name, ops.asarray(results[0]["params"][name]))
        Y, backprop = model([ops.asarray2f(x) for x in X], is_train=True)
        dX = backprop([ops.asarray2f(d) for d in dY])
        results.append(
            {
                "params": {n: ops.to_numpy(model.get_param(n)) for n in model.param_names},
                "Y": numpy.concatenate([ops.to_numpy(y) for y in Y]),
                "dX": numpy.concatenate([ops.to_numpy(d) for d in dX]),
                "grads": {n: ops.to_numpy(model.get_grad(n)) for n in model.param_names},
            }
        )
    cpu, gpu = results
    return {
        "against": type(other).__name__,
        "output": float(numpy.abs(cpu["Y"] - gpu["Y"]).max()),
        "input_gradient": float(numpy.abs(cpu["dX"] - gpu["dX"]).max()),
        "weight_gradients": max(
            float(numpy.abs(cpu["grads"][n] - gpu["grads"][n]).max()) for n in cpu["grads"]
        ),
    }


def score_on(model: Path, dev: Path, test: Path, gpu_id: int) -> Dict[str, float]:
    """``score_model`` with spaCy on GPU ``gpu_id`` (in a child process: it sticks)."""
    if gpu_id >= 0:
        import spacy

        spacy.require_gpu(gpu_id)
    return score_model(model, dev, test)


def run_leg(
    name: str, gpu_id: int, overrides: Dict[str, Any], args: argparse.Namespace
) -> Dict[str, Any]:
    """Train one leg for --steps steps and score model-last; returns the row of the table."""
    folder = args.output / name
    curves = folder / "curves.jsonl"
    cmd = [sys.executable, "-m", "spacy", "train", str(OURS_CONFIG), "--output", str(folder)]
    settings: Dict[str, Any] = {
        "paths.train": args.corpus / "train.spacy",
        "paths.dev": args.corpus / "dev.spacy",
        "paths.vectors": args.vectors,
        "paths.curves": curves,
        "system.seed": 0,
        "training.max_steps": args.steps,
        "training.max_epochs": 0,
        "training.patience": 0,
        "training.eval_frequency": args.eval_frequency,
        **overrides,
    }
    for key, value in settings.items():
        cmd += [f"--{key}", str(value)]
    cmd += ["--gpu-id", str(gpu_id)]
    start = time.perf_counter()
    with open(folder.with_suffix(".log"), "w", encoding="utf8") as log:
        done = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"leg": name, "error": f"spacy train exited {done.returncode}: {log.name}"}
    curve = read_log(curves)
    words, step_seconds = training_speed(curve)
    steps = max(r["step"] for r in curve.steps)
    scores = in_child(
        score_on,
        folder / "model-last",
        args.corpus / "dev.spacy",
        args.corpus / "test.spacy",
        gpu_id,
    )
    return {
        "leg": name,
        "gpu_id": gpu_id,
        "steps": steps,
        "train_wps": words / step_seconds if step_seconds else None,
        "infer_wps": scores["infer_wps"],
        "dev_f": scores["dev_f"],
        "test_f": scores["test_f"],
        "seconds": seconds,
    }


def _ratio(row: Dict[str, Any], cpu: Optional[Dict[str, Any]], key: str) -> str:
    if cpu is None or not row.get(key) or not cpu.get(key):
        return "—"
    return f"{row[key] / cpu[key]:.2f}x"


def format_markdown(meta: Dict[str, Any], rows: Sequence[Dict[str, Any]]) -> str:
    cpu = next((r for r in rows if r["leg"] == "cpu" and "error" not in r), None)
    lines = [
        "# GPU check: the shipped config, a few hundred steps",
        "",
        f"{meta['date']} · CPU: {meta['cpu']} · GPU (CuPy): {meta['gpu']['cupy']} · "
        f"GPU (torch): {meta['gpu']['torch']} · steps: {meta['steps']}",
        "",
        f"Command: `{meta['command']}`",
        "",
        "| leg | steps | train words/s | infer words/s | train × CPU | infer × CPU "
        "| dev F | test F | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['leg']} | {r['error']} |  |  |  |  |  |  |  |")
            continue
        lines.append(
            f"| {r['leg']} | {r['steps']} | {r['train_wps']:,.0f} | {r['infer_wps']:,.0f} | "
            f"{_ratio(r, cpu, 'train_wps')} | {_ratio(r, cpu, 'infer_wps')} | {r['dev_f']:.1f} | "
            f"{r['test_f']:.1f} | {r['seconds']:.0f} |"
        )
    a = meta["lstm_agreement"]
    lines += [
        "",
        f"BiLSTM on {a['against']} against NumpyOps, same weights and inputs, largest absolute "
        f"difference: output {a['output']:.1e}, input gradient {a['input_gradient']:.1e}, "
        f"weight gradients {a['weight_gradients']:.1e}.",
    ]
    lines += [f"Skipped: {s}" for s in meta.get("skipped") or []]
    return "\n".join(lines).rstrip() + "\n"


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.gpu",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    work = BENCHMARKS / "work"
    p.add_argument("--steps", type=int, default=300, help="training steps per leg (300)")
    p.add_argument("--eval-frequency", type=int, default=100, help="score dev every N steps")
    p.add_argument("--gpu-id", type=int, default=0, help="GPU to use; -1: the CPU leg only")
    p.add_argument("--no-cpu", action="store_true", help="skip the CPU leg")
    p.add_argument("--corpus", type=Path, default=work / "corpus", help="train/dev/test.spacy")
    p.add_argument("--vectors", type=Path, default=work / "vectors" / "ours", help="vectors")
    p.add_argument("--output", type=Path, default=work / "gpu", help="trainings and logs")
    p.add_argument("--markdown", type=Path, default=BENCHMARKS / "results" / "gpu.md")
    p.add_argument("--json", type=Path, default=BENCHMARKS / "results" / "gpu.json")
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(given)
    for path in (args.corpus / "train.spacy", args.corpus / "dev.spacy", args.vectors):
        if not path.exists():
            sys.exit(
                f"{path} not found: run python -m benchmarks.ner once, or give --corpus/--vectors"
            )
    args.output.mkdir(parents=True, exist_ok=True)
    seen = gpu_names(args.gpu_id) if args.gpu_id >= 0 else {"cupy": None, "torch": None}
    legs: List[Tuple[str, int, Dict[str, Any]]] = [] if args.no_cpu else [("cpu", -1, {})]
    skipped: List[str] = []
    if args.gpu_id >= 0:
        if seen["cupy"]:
            legs.append(("gpu-native", args.gpu_id, {}))
        else:
            skipped.append("gpu-native: CuPy sees no GPU (pip install cupy-cuda12x or 13x)")
        if seen["torch"] and seen["cupy"]:
            legs.append(
                ("gpu-torch", args.gpu_id, {BACKEND: "torch", "system.gpu_allocator": "pytorch"})
            )
        else:
            skipped.append("gpu-torch: needs torch and CuPy to see the GPU")
    agreement = in_child(lstm_agreement, args.gpu_id if seen["cupy"] else -1)
    print(f"[lstm] largest difference against NumpyOps: {agreement}", flush=True)
    rows = []
    for name, gpu_id, overrides in legs:
        print(f"[{name}] training {args.steps} steps", flush=True)
        row = run_leg(name, gpu_id, overrides, args)
        print(f"[{name}] {row}", flush=True)
        rows.append(row)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "gpu": seen,
        "steps": args.steps,
        "command": " ".join(["python -m benchmarks.gpu", *given]),
        "skipped": skipped,
        "lstm_agreement": agreement,
    }
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(format_markdown(meta, rows), encoding="utf8")
    args.json.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2), encoding="utf8")
    print(args.markdown.read_text(encoding="utf8"))
    return 1 if any("error" in r for r in rows) or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
