"""How much of a corpus the vectors cover, by the model's own lookup rule.

The model looks a token up by its exact form (ORTH), then by its lowercase form (LOWER), and
gives every other token an OOV vector. The report counts tokens and types in exactly these three
categories, so it says, before training, how much of a domain GloVe covers.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import numpy
import spacy
from spacy.attrs import LOWER, ORTH
from spacy.tokens import Doc, DocBin
from spacy.vectors import Vectors

from ..errors import Errors
from ..lookup import KeyIndex

CATEGORIES = ("exact", "lower", "uncovered")


@dataclass
class Coverage:
    """Token and type counts of one corpus per lookup category, and its top uncovered words."""

    corpus: str
    tokens: int
    types: int
    token_counts: Dict[str, int] = field(default_factory=dict)
    type_counts: Dict[str, int] = field(default_factory=dict)
    top_uncovered: List[Tuple[str, int]] = field(default_factory=list)

    def share(self, category: str, *, of_types: bool = False) -> float:
        """Percentage of tokens (or types) in ``category``."""
        counts, total = (
            (self.type_counts, self.types) if of_types else (self.token_counts, self.tokens)
        )
        return 100.0 * counts[category] / total if total else 0.0


def corpus_coverage(vectors: Vectors, docs: Iterable[Doc], name: str, *, top: int = 20) -> Coverage:
    """Count the tokens and types of ``docs`` found by exact form, by lowercase form, or not.

    vectors: the table the model looks words up in.
    docs: the corpus.
    name: the corpus name for the report.
    top: how many of the most frequent uncovered words to list.
    """
    arrays = [doc.to_array([ORTH, LOWER]) for doc in docs]
    table = numpy.concatenate(arrays) if arrays else numpy.zeros((0, 2), dtype=numpy.uint64)
    orths, first, counts = numpy.unique(table[:, 0], return_index=True, return_counts=True)
    lowers = table[first, 1]
    index = KeyIndex()  # the model's lookup: exact form, then lowercase form
    exact = index.find(vectors, orths) >= 0
    lower = ~exact & (index.find(vectors, lowers) >= 0)
    uncovered = ~exact & ~lower
    coverage = Coverage(corpus=name, tokens=int(counts.sum()), types=len(orths))
    for category, mask in zip(CATEGORIES, (exact, lower, uncovered)):
        coverage.token_counts[category] = int(counts[mask].sum())
        coverage.type_counts[category] = int(mask.sum())
    missing = numpy.flatnonzero(uncovered)
    order = missing[numpy.argsort(-counts[missing], kind="stable")][:top]
    strings = vectors.strings
    coverage.top_uncovered = [(strings[int(orths[i])], int(counts[i])) for i in order]
    return coverage


def oov_report(vectors_path: Path, corpora: List[Path], *, top: int = 20) -> List[Coverage]:
    """Coverage of every corpus (.spacy files) by the vectors of the pipeline at vectors_path."""
    for path in corpora:
        if not path.is_file():
            raise ValueError(Errors.E118.format(path=path))
    nlp = spacy.load(vectors_path)
    vectors = nlp.vocab.vectors
    if not isinstance(vectors, Vectors) or len(vectors.key2row) == 0:
        raise ValueError(Errors.E117.format(path=vectors_path))
    return [
        corpus_coverage(vectors, DocBin().from_disk(path).get_docs(nlp.vocab), str(path), top=top)
        for path in corpora
    ]


def to_json(coverage: Coverage) -> Dict[str, Any]:
    """The coverage as a JSON-ready dict, with the percentages alongside the counts."""
    data = asdict(coverage)
    data["token_share"] = {c: round(coverage.share(c), 3) for c in CATEGORIES}
    data["type_share"] = {c: round(coverage.share(c, of_types=True), 3) for c in CATEGORIES}
    data["top_uncovered"] = [
        {"word": word, "count": count} for word, count in coverage.top_uncovered
    ]
    return data
