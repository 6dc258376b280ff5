"""The override mini-language of the ablations and of --try: dotted config keys, with "{embed}"
and "{encode}" standing for our tok2vec's subsections.

Every override is checked before the first training: its key must name a setting of its section
or a parameter of the section's architecture or factory, and the overridden config must build.
A misspelt key would otherwise be added to the config silently and train the default for hours.
The fixed training budget every system gets (budget_overrides) is an override set too.
"""

import argparse
import json
from pathlib import Path
from typing import Any, Callable, Dict, List

from benchmarks.ner.run import BenchmarkError
from benchmarks.ner.systems import (
    ABLATIONS,
    EVAL_FREQUENCY,
    LOGGER,
    STEPS_CALLBACK,
    TOK2VEC_ARCHITECTURE,
)


def find_section(config: Dict[str, Any], prefix: str) -> str:
    """The dotted path of the one section whose @architectures starts with ``prefix``.

    Raises BenchmarkError when no section or more than one matches.
    """
    found: List[str] = []

    def walk(section: Dict[str, Any], path: str) -> None:
        arch = section.get("@architectures")
        if isinstance(arch, str) and arch.startswith(prefix):
            found.append(path)
        for key, value in section.items():
            if isinstance(value, dict):
                walk(value, f"{path}.{key}" if path else key)

    walk(config, "")
    if len(found) != 1:
        raise BenchmarkError(
            f"Expected one config section with @architectures {prefix}*, found {len(found)}: "
            f"{found}. Adjust TOK2VEC_ARCHITECTURE."
        )
    return found[0]


def _substitute(value: Any, sections: Dict[str, str]) -> Any:
    """``value`` with "{embed}"-style placeholders replaced in every string it holds."""
    if isinstance(value, str):
        for name, path in sections.items():
            value = value.replace(f"{{{name}}}", path)
        return value
    if isinstance(value, dict):
        return {key: _substitute(item, sections) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, sections) for item in value]
    return value


def resolve_overrides(
    config: Dict[str, Any],
    overrides: Dict[str, Any],
    accepts: Callable[[str, str], bool],
) -> Dict[str, Any]:
    """Replace the "{embed}" and "{encode}" placeholders in overrides by the config's sections.

    Every key must name a setting its section has, or a parameter of the section's registered
    architecture (``accepts(architecture, parameter)``) or component factory, so a misspelt or
    removed setting fails here instead of being added to the config silently. An override of
    the section's "@architectures" or "factory" counts: its parameters are then the valid keys.
    """
    tok2vec = find_section(config, TOK2VEC_ARCHITECTURE)
    sections = {"embed": f"{tok2vec}.embed", "encode": f"{tok2vec}.encode"}
    full_keys = {key: _substitute(key, sections) for key in overrides}
    resolved = {full_keys[key]: value for key, value in overrides.items()}
    for key, full_key in full_keys.items():
        *parents, leaf = full_key.split(".")
        section: Any = config
        for part in parents:
            section = section.get(part) if isinstance(section, dict) else None
        if not isinstance(section, dict):
            raise BenchmarkError(f"Override {key!r}: no config section {'.'.join(parents)!r}")
        prefix = ".".join(parents)
        arch = resolved.get(f"{prefix}.@architectures", section.get("@architectures"))
        factory = resolved.get(f"{prefix}.factory", section.get("factory"))
        if not (
            leaf in section
            or (isinstance(arch, str) and accepts(arch, leaf))
            or (isinstance(factory, str) and factory_accepts(factory, leaf))
        ):
            raise BenchmarkError(
                f"Override {key!r}: {full_key!r} is neither in the config nor a parameter of "
                f"{arch or factory}. Adjust ABLATIONS."
            )
    return {key: _substitute(value, sections) for key, value in resolved.items()}


def check_builds(config: Path, overrides: Dict[str, Any]) -> None:
    """Build the pipeline of ``config`` with ``overrides`` (no data, no vectors), so a broken
    ablation fails before hours of training rather than during them."""
    from spacy.util import load_config, load_model_from_config

    try:
        load_model_from_config(load_config(config, overrides=overrides), auto_fill=True)
    except Exception as err:
        raise BenchmarkError(
            f"{config.name} with overrides {overrides} does not build: {err}"
        ) from err


def architecture_accepts(name: str, parameter: str) -> bool:
    """Whether the registered architecture ``name`` takes ``parameter``."""
    import inspect

    from spacy.util import registry

    function: Callable[..., Any] = registry.architectures.get(name)
    return parameter in inspect.signature(function).parameters


def factory_accepts(name: str, parameter: str) -> bool:
    """Whether the component factory ``name`` (e.g. "beam_ner") takes ``parameter``."""
    import inspect

    from spacy.language import Language
    from spacy.pipeline.factories import register_factories
    from spacy.util import registry

    register_factories()  # spaCy registers its built-in factories lazily
    if not Language.has_factory(name):
        return False
    function = registry.factories.get(Language.get_factory_name(name))
    return parameter in inspect.signature(function).parameters


def budget_overrides(seed: int, epochs: int, limit: int) -> Dict[str, Any]:
    """The [training] budget every system gets: fixed epochs, no early stop, same seed."""
    return {
        "system.seed": seed,
        "training.seed": seed,
        "training.max_epochs": epochs,
        "training.max_steps": 0,
        "training.patience": 0,
        "training.eval_frequency": EVAL_FREQUENCY,
        "corpora.train.limit": limit,
    }


def curve_overrides(curves: Path) -> Dict[str, Any]:
    """The [training] logger and callback that write the learning-curve log at ``curves``, the
    source of the training speed (`measure.training_speed`); epoch scoring off."""
    return {
        "training.logger": {
            "@loggers": LOGGER,
            "path": str(curves),
            "progress_bar": None,
            "console_output": True,
            "score_epochs": False,
        },
        "training.before_update": {"@callbacks": STEPS_CALLBACK},
    }


def parse_try(parser: argparse.ArgumentParser, name: str, text: str) -> Dict[str, Any]:
    """The overrides of one --try NAME JSON: a JSON object of dotted keys, as in ABLATIONS."""
    if name in {n for n, _ in ABLATIONS} or name in ("all", "none"):
        parser.error(f"--try {name}: the name is taken by a built-in ablation; choose another")
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as err:
        parser.error(
            f"--try {name}: overrides are not JSON ({err}); e.g. '{{\"training.dropout\": 0.3}}'"
        )
    if not isinstance(overrides, dict) or not overrides:
        parser.error(f"--try {name}: overrides must be a non-empty JSON object of dotted keys")
    return overrides
