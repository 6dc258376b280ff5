"""Install a `spacy package` wheel into a throwaway venv and load it in a new process.

This proves what a user of the wheel gets: the wheel declares `spacy-glove-bilstm`, the plugin
installs from this checkout, and `spacy.load(name)` finds the registered architectures through
entry points alone (no import, no `--code`). The venv sees the system's site-packages so that
spaCy, thinc and numpy come from the environment that trained the model rather than from a
package index: the check then needs no network, and the plugin and wheel installed into the
venv (with `--no-deps --no-index`) shadow any copy of them in the system.

Usage: python scripts/smoke_package.py WHEEL PACKAGE_NAME OUTPUT_JSON
"""

import json
import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import List

PLUGIN = "spacy-glove-bilstm"
REPO = Path(__file__).resolve().parent.parent
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
    "pipeline": nlp.pipe_names,
    "labels": list(nlp.get_pipe("ner").labels),
    "entities": [[[e.text, e.label_] for e in doc.ents] for doc in docs],
}))
"""


def run(args: List[str]) -> str:
    """Run a command, echoing its output and stopping this script if it fails."""
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"Smoke test failed: {' '.join(args)}\n{result.stdout}{result.stderr}")
    return result.stdout


def main(wheel: Path, package: str, output: Path) -> None:
    """Install plugin and wheel into a fresh venv, load the package there and save the result."""
    with tempfile.TemporaryDirectory(prefix="smoke-venv-") as tmp:
        env_dir = Path(tmp)
        venv.create(env_dir, system_site_packages=True, with_pip=True)
        python = str(env_dir / "bin" / "python")
        pip = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        run([*pip, "--no-build-isolation", str(REPO)])
        run([*pip, str(wheel.resolve())])
        report = json.loads(run([python, "-I", "-c", PROBE, package, json.dumps(TEXTS)]))
    names = [
        re.split(r"[<>=!~;\[ ]", req)[0].lower().replace("_", "-") for req in report["requires"]
    ]
    if PLUGIN not in names:
        sys.exit(f"Smoke test failed: {wheel} does not require {PLUGIN}: {report['requires']}")
    if not report["plugin_file"].startswith(tmp):
        sys.exit(f"Smoke test failed: the plugin loaded from {report['plugin_file']}, not the venv")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf8")
    for text, ents in zip(TEXTS, report["entities"]):
        print(f"{text}\n  -> {ents}")
    print(f"Smoke test passed: {package} loads in a fresh venv and predicts; saved {output}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
