"""Use the packaged GloVe-BiLSTM NER in an application: stream texts, read entities.

The pipeline loads by package name once the wheel from `spacy project run package` is installed
(the wheel pulls in `spacy-glove-bilstm`, whose entry points register the architectures, so no
import of the plugin is needed):

    pip install packages/en_glove_bilstm_ner-0.1.0/dist/en_glove_bilstm_ner-0.1.0-py3-none-any.whl
    python examples/ner_app.py tweets.txt --batch-size 256 --n-process 2 > entities.jsonl

`--model` also takes a pipeline folder such as `training/model-best`. Texts are read one per line
from the file (or stdin with `-`) and never held in memory all at once: `nlp.pipe` consumes the
stream in batches of `--batch-size` texts, spread over `--n-process` worker processes. Each output
line is JSON with the line number, the text and its entities as character offsets.
"""

import argparse
import json
import sys
from typing import Any, Dict, Iterator, List, TextIO, Tuple

import spacy
from spacy.tokens import Doc


def read_texts(stream: TextIO) -> Iterator[Tuple[str, int]]:
    """Non-empty lines of a text stream, paired with their line number as context."""
    for number, line in enumerate(stream, start=1):
        text = line.strip()
        if text:
            yield text, number


def entities(doc: Doc) -> List[Dict[str, Any]]:
    """A Doc's entities as plain data: text, label and character offsets into the input."""
    return [
        {"text": ent.text, "label": ent.label_, "start": ent.start_char, "end": ent.end_char}
        for ent in doc.ents
    ]


def main(model: str, stream: TextIO, out: TextIO, batch_size: int, n_process: int) -> None:
    """Tag every text of `stream` and write one JSON line per text to `out`."""
    nlp = spacy.load(model)
    docs = nlp.pipe(read_texts(stream), as_tuples=True, batch_size=batch_size, n_process=n_process)
    for doc, line in docs:
        record = {"line": line, "text": doc.text, "entities": entities(doc)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # the guard lets n_process > 1 spawn workers safely
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=argparse.FileType("r", encoding="utf8"), help="one per line")
    parser.add_argument("--model", default="en_glove_bilstm_ner", help="package name or folder")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per batch")
    parser.add_argument("--n-process", type=int, default=1, help="worker processes")
    args = parser.parse_args()
    main(args.model, args.texts, sys.stdout, args.batch_size, args.n_process)
