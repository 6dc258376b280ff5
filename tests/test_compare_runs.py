import json

import pytest

from benchmarks.compare_runs import CompareError, compare, entry_runs, main


def _run(run_id, seed, fold, tp):
    # Ten docs, each [tp, fp, fn] with one false positive and one miss: F = 100 tp / (tp + 1).
    counts = [[tp, 1, 1]] * 10
    return {"id": run_id, "seed": seed, "fold": fold, "dev_counts": counts, "test_counts": counts}


def _report(name, tp_by_seed):
    runs = {}
    for seed, tp in tp_by_seed.items():
        for fold in (0, 1):
            runs[f"{name}-cv-f{fold}-s{seed}"] = _run(f"{name}-cv-f{fold}-s{seed}", seed, fold, tp)
        runs[f"{name}-bio-s{seed}"] = _run(f"{name}-bio-s{seed}", seed, None, tp)
    entry = lambda ds: {"name": name, "runs": [k for k in runs if f"-{ds}-" in k]}  # noqa: E731
    datasets = {"cv": {"systems": [entry("cv")]}, "bio": {"ablations": [entry("bio")]}}
    for run in runs.values():
        if run["fold"] is None:
            del run["fold"]
    return {"datasets": datasets, "runs": runs}


def test_folds_are_pooled_per_seed_and_differences_paired():
    mine = _report("new", {0: 3, 1: 3})  # F 75 on every doc
    reference = _report("old", {0: 1, 1: 1})  # F 50
    runs = entry_runs(mine, "new", "mine.json")
    assert [len(r["test_counts"]) for r in runs["cv"]] == [20, 20]  # two folds pooled
    assert [r["test_f"] for r in runs["cv"]] == [75.0, 75.0]
    table = compare(("new", runs), [("old", entry_runs(reference, "old", "ref.json"))])
    assert "| new | 75.0 ± 0.0 | 75.0 ± 0.0 | 75.0 |" in table
    assert "| old | 50.0 ± 0.0 | 50.0 ± 0.0 | 50.0 |" in table
    # Every doc scores the same, so every bootstrap draw gives +25.
    assert "| new − old, test (seeds 0 1) | +25.0 [+25.0, +25.0] |" in table
    assert "+25.0 [+25.0, +25.0], P(Δ ≥ 2) 1.00 |" in table


def test_missing_entries_and_other_docs_are_refused(tmp_path, capsys):
    mine = _report("new", {0: 3})
    with pytest.raises(CompareError, match="no entry 'nope'; the report has new"):
        entry_runs(mine, "nope", "mine.json")
    other = _report("old", {0: 1})
    other["runs"]["old-bio-s0"]["test_counts"] = [[1, 1, 1]] * 9
    with pytest.raises(CompareError, match="bio: new and old were scored on other docs"):
        compare(("new", entry_runs(mine, "new", "a")), [("old", entry_runs(other, "old", "b"))])
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(mine), encoding="utf8")
    with pytest.raises(SystemExit):
        main([str(path), "--against", "no-colon"])
    assert "is not FILE.json:ENTRY" in capsys.readouterr().err
    main([f"{path}:new", "--against", f"{path}:new", "--markdown", str(tmp_path / "t.md")])
    assert "| mine:new − mine:new, test (seeds 0) | +0.0 [+0.0, +0.0]" in capsys.readouterr().out
    assert (tmp_path / "t.md").read_text(encoding="utf8").startswith("| | cv | bio | suite mean |")


def test_a_rule_that_picks_a_config_per_dataset_is_scored_as_one_entry(tmp_path, capsys):
    small, large, anchor = tmp_path / "small.json", tmp_path / "large.json", tmp_path / "a.json"
    small.write_text(json.dumps(_report("small", {0: 3})), encoding="utf8")  # F 75
    large.write_text(json.dumps(_report("large", {0: 9})), encoding="utf8")  # F 90
    anchor.write_text(json.dumps(_report("anchor", {0: 1})), encoding="utf8")  # F 50
    main([f"{small}:small@cv,{large}:large@bio", "--against", f"{anchor}:anchor"])
    out = capsys.readouterr().out
    assert "| small:small@cv + large:large@bio | 75.0 | 90.0 | 82.5 |" in out
    assert "+25.0 [+25.0, +25.0] | +40.0 [+40.0, +40.0] | +32.5 [+32.5, +32.5]" in out
    # A reference is combined the same way.
    main(
        [f"{small}:small", "--against", f"{anchor}:anchor", f"{large}:large@cv,{anchor}:anchor@bio"]
    )
    out = capsys.readouterr().out
    assert "| large:large@cv + a:anchor@bio | 90.0 | 50.0 | 70.0 |" in out
    assert "| small:small − large:large@cv + a:anchor@bio, test (seeds 0) | -15.0" in out
    with pytest.raises(SystemExit):
        main([f"{small}:small,{large}:large@bio", "--against", f"{anchor}:anchor"])
    assert "bio is given twice; use @DATASET" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([f"{small}:small@nope", "--against", f"{anchor}:anchor"])
    assert "'small' has no runs on nope; it has cv, bio" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([f"{tmp_path / 'missing.json'}:small", "--against", f"{anchor}:anchor"])
    assert "missing.json: not a benchmark report's JSON" in capsys.readouterr().err
