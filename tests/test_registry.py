"""Every name declared in setup.cfg resolves through spaCy's registry in a fresh process,
without importing this package first (entry points alone must be enough for `spacy train`)."""

import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest

SETUP_CFG = Path(__file__).parent.parent / "setup.cfg"
GROUPS = {
    "spacy_architectures": "architectures",
    "thinc_layers": "layers",
    "spacy_loggers": "loggers",
    "spacy_callbacks": "callbacks",
    "spacy_misc": "misc",
    "spacy_factories": "factories",
    "spacy_batchers": "batchers",
}


def declared():
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    entries = []
    for group, registry_name in GROUPS.items():
        text = parser.get("options.entry_points", group, fallback="")
        for line in filter(None, (ln.strip() for ln in text.splitlines())):
            name, target = (part.strip() for part in line.split("=", 1))
            entries.append((registry_name, name, target))
    return entries


def test_names_follow_the_convention():
    entries = declared()
    assert len(entries) >= 5
    for registry_name, name, _ in entries:
        if registry_name != "factories":
            prefix, _, version = name.rpartition(".v")
            assert prefix.startswith("spacy_glove_bilstm.") and version.isdigit(), name


@pytest.mark.parametrize("registry_name,name,target", declared())
def test_declared_name_resolves_in_fresh_process(registry_name, name, target):
    code = f"""
import importlib, json, sys
import spacy
from spacy.util import registry
assert "spacy_glove_bilstm" not in sys.modules
if {registry_name!r} == "factories":
    spacy.blank("en")  # Language loads factory entry points when it is created
func = registry.get({registry_name!r}, {name!r})
module, _, attr = {target!r}.partition(":")
print(json.dumps(func is getattr(importlib.import_module(module), attr)))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is True
