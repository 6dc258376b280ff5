"""Install a `spacy package` wheel into a throwaway venv and load it by name in a new process.

This proves what a user of the wheel gets: the wheel declares `spacy-glove-bilstm`, and
`spacy.load(name)` finds the registered architectures through the plugin's entry points alone
(no import, no `--code`), with the plugin loaded from the throwaway venv, not from this checkout.

It needs no package index and nothing from the base interpreter. What must be built is built
here, in the environment that runs the workflow (which has setuptools and wheel: the `workflow`
extra): the plugin's own wheel. The throwaway venv is created without system site-packages and
gets only finished wheels (plugin and model, `--no-deps --no-index`). spaCy, thinc and numpy
come from the environment that trained the model: a `.pth` file in the throwaway venv lists this
interpreter's package folders (those of a venv, a conda env or the base interpreter alike) after
the venv's own, so the wheels installed there take precedence and the checkout is never on the
path.

Usage: python scripts/smoke_package.py WHEEL PACKAGE_NAME OUTPUT_JSON
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path
from typing import List

PLUGIN = "spacy-glove-bilstm"
REPO = Path(__file__).resolve().parent.parent
# What building the plugin needs from the checkout (setup.cfg reads README.md).
SOURCE_FILES = ["setup.cfg", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"]
TEXTS = [
    "Heading to the Empire State Building with Justin Bieber tonight !",
    "Watching the Yankees on ESPN in New York",
]
# Runs inside the venv, isolated (-I) so that the current folder does not shadow the install:
# load the package by name, predict, report where the code came from.
PROBE = """
import json, sys
from importlib import metadata
import spacy, spacy_glove_bilstm
name, texts = sys.argv[1], json.loads(sys.argv[2])
nlp = spacy.load(name)
docs = list(nlp.pipe(texts))
print(json.dumps({
    "package": name,
    "requires": metadata.requires(name) or [],
    "plugin_file": spacy_glove_bilstm.__file__,
    "spacy_file": spacy.__file__,
    "pipeline": nlp.pipe_names,
    "labels": list(nlp.get_pipe("ner").labels),
    "entities": [[[e.text, e.label_] for e in doc.ents] for doc in docs],
}))
"""


def fail(message: str) -> None:
    sys.exit(f"Smoke test failed: {message}")


def run(args: List[str]) -> str:
    """Run a command and return its output; stop this script with the output if it fails."""
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(args)}\n{result.stdout}{result.stderr}")
    return result.stdout


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def package_folders() -> List[str]:
    """This interpreter's package folders (site-packages and the like), in import order.

    The standard library (the venv brings its own), this checkout and the current folder are
    left out, so that the throwaway venv can only import the plugin from its own wheel.
    """
    stdlib = {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib")}
    stdlib |= {folder / "lib-dynload" for folder in stdlib}
    folders = []
    for entry in sys.path:
        path = Path(entry or os.getcwd()).resolve()
        if not path.is_dir() or path in stdlib or _inside(path, REPO):
            continue
        if str(path) not in folders:
            folders.append(str(path))
    return folders


def build_plugin_wheel(dest: Path) -> Path:
    """Build the plugin's wheel here, where setuptools and wheel are installed."""
    missing = [name for name in ("setuptools", "wheel") if not _importable(name)]
    if missing:
        fail(
            f"building the plugin's wheel needs {' and '.join(missing)} in {sys.prefix}. "
            f'Install them with: pip install -e ".[workflow]" (or pip install setuptools wheel)'
        )
    # Built from a copy: an in-tree build would reuse a stale build/ folder of the checkout.
    source = dest.parent / "plugin-source"
    source.mkdir()
    for name in SOURCE_FILES:
        if (REPO / name).exists():
            shutil.copy(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "spacy_glove_bilstm", source / "spacy_glove_bilstm", ignore=ignore)
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index"]
        + ["--no-build-isolation", "--wheel-dir", str(dest), str(source)]
    )
    wheels = sorted(dest.glob("spacy_glove_bilstm-*.whl"))
    if len(wheels) != 1:
        fail(f"expected one plugin wheel in {dest}, found {[w.name for w in wheels]}")
    return wheels[0]


def _importable(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def venv_python(env_dir: Path) -> str:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return str(env_dir / scripts / ("python.exe" if sys.platform == "win32" else "python"))


def venv_site_packages(python: str) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(run([python, "-I", "-c", code]).strip())


def main(wheel: Path, package: str, output: Path) -> None:
    """Install plugin and model wheels into a fresh venv, load the model there, save a report."""
    if not wheel.is_file():
        fail(f"no wheel at {wheel}: run the `package` step first")
    with tempfile.TemporaryDirectory(prefix="smoke-venv-") as tmp:
        env_dir = Path(tmp) / "venv"
        plugin_wheel = build_plugin_wheel(Path(tmp) / "wheels")
        venv.create(env_dir, system_site_packages=False, with_pip=True)
        python = venv_python(env_dir)
        pip = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        run([*pip, str(plugin_wheel), str(wheel.resolve())])
        # Only now the training environment's packages: lines of a .pth file go on sys.path
        # after the venv's own site-packages. Before the install, pip would have found the
        # plugin there and skipped its wheel as "already satisfied".
        pth = venv_site_packages(python) / "_smoke_training_env.pth"
        pth.write_text("\n".join(package_folders()) + "\n", encoding="utf8")
        report = json.loads(run([python, "-I", "-c", PROBE, package, json.dumps(TEXTS)]))
        plugin_file = Path(report["plugin_file"]).resolve()
        if not _inside(plugin_file, env_dir.resolve()):
            fail(f"the plugin loaded from {plugin_file}, not from the throwaway venv {env_dir}")
    names = [
        re.split(r"[<>=!~;\[ ]", req)[0].lower().replace("_", "-") for req in report["requires"]
    ]
    if PLUGIN not in names:
        fail(f"{wheel} does not require {PLUGIN}: {report['requires']}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf8")
    for text, ents in zip(TEXTS, report["entities"]):
        print(f"{text}\n  -> {ents}")
    print(f"Smoke test passed: {package} loads in a fresh venv and predicts; saved {output}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
