"""CPU time of one training step (``nlp.update``) on tweets and on ten-tweet Docs.

    python -m benchmarks.bench_step                      # ours and the anchor, both layouts
    python -m benchmarks.bench_step --set components.ner.update_with_oracle_cut_size=20

The WNUT-2016 training tweets of the NER benchmark's preparation (``benchmarks.ner.data``), one
tweet per Doc and ten per Doc (``Doc.from_docs``), in fixed batches of at least ``--words``
words (150: one ten-tweet Doc, or about eight tweets, what both batchers give early in a
run); Adam as in the configs; dropout 0.2; 10 warm-up steps, then ``--steps`` timed steps
(CPU time, one thread). Also counts the NER's state-model passes per update (one per
transition step of the batch). Each system's config as shipped, with ``--set`` overrides (JSON
values) on top. Read ms per step and words/s as ratios within one run.
"""

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {
    "ours": (ROOT / "configs" / "glove_bilstm_ner.cfg", "ours"),
    "anchor": (ROOT / "benchmarks" / "configs" / "cnn_glove.cfg", "case_fixed"),
}


def measure(system: str, group: int, args: argparse.Namespace) -> Dict[str, Any]:
    from spacy.tokens import Doc, DocBin
    from spacy.training import Example
    from spacy.util import load_config, load_model_from_config
    from thinc.api import Adam, Model, fix_random_seed

    import spacy_glove_bilstm  # noqa: F401 (registers the architectures)
    from benchmarks.ner.data import prepare

    paths = prepare(args.workdir, None, lambda *_: None)
    config_path, vectors = CONFIGS[system]
    overrides = {"paths.vectors": str(paths[vectors]), **args.set}
    config = load_config(config_path, overrides=overrides, interpolate=False)
    nlp = load_model_from_config(config, auto_fill=True)
    docs = list(DocBin().from_disk(paths["train"]).get_docs(nlp.vocab))
    if group > 1:
        docs = [Doc.from_docs(docs[i : i + group]) for i in range(0, len(docs), group)]
    examples = [
        Example(Doc(nlp.vocab, words=[t.text for t in d], spaces=[True] * len(d)), d) for d in docs
    ]
    fix_random_seed(0)
    nlp.initialize(lambda: examples[:200])
    batches: List[List[Example]] = [[]]
    for eg in examples:
        if sum(len(e) for e in batches[-1]) >= args.words:
            batches.append([])
        batches[-1].append(eg)
    optimizer = Adam(0.001, L2=0.01, grad_clip=1.0, use_averages=True, L2_is_weight_decay=True)
    for batch in batches[:10]:
        nlp.update(batch, sgd=optimizer, drop=0.2)
    passes = [0]
    original = Model.begin_update

    def counting(model: Model, X: Any) -> Any:
        if model.name == "parser_step_model":
            passes[0] += 1
        return original(model, X)

    timed = batches[10 : 10 + args.steps]
    Model.begin_update = counting  # type: ignore[method-assign]
    try:
        start = time.process_time()
        for batch in timed:
            nlp.update(batch, sgd=optimizer, drop=0.2)
        seconds = time.process_time() - start
    finally:
        Model.begin_update = original  # type: ignore[method-assign]
    words = sum(len(eg) for batch in timed for eg in batch)
    return {
        "system": system,
        "group": group,
        "steps": len(timed),
        "words_per_step": words / len(timed),
        "ms_per_step": 1000 * seconds / len(timed),
        "words_per_second": words / seconds,
        "state_passes_per_update": passes[0] / len(timed),
    }


def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", default=["ours", "anchor"], choices=list(CONFIGS))
    parser.add_argument("--steps", type=int, default=80, help="timed steps (80)")
    parser.add_argument("--words", type=int, default=150, help="words per batch, at least (150)")
    parser.add_argument("--set", nargs="*", default=[], help="config overrides, key=JSON value")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args(argv or None)
    args.set = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    print("| system | Docs | words/step | ms/step | words/s | state-model passes/update |")
    print("|---|---|---|---|---|---|")
    for system in args.systems:
        for group in (1, 10):
            r = measure(system, group, args)
            layout = "tweets" if group == 1 else "ten tweets per Doc"
            print(
                f"| {system} | {layout} | {r['words_per_step']:.0f} | {r['ms_per_step']:.1f} | "
                f"{r['words_per_second']:.0f} | {r['state_passes_per_update']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
