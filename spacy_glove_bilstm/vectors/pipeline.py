"""Put a vector file's vectors into a spaCy pipeline: in memory, or as a folder on disk.

``install_vectors`` makes a plan the vectors of a live ``nlp`` (what ``LoadGloVe.v1`` does in
``nlp.initialize()``); ``init_vectors`` writes a blank pipeline holding them, the folder that
``[initialize] vectors`` accepts. Both store the same record in the meta.
"""

import itertools
import json
from pathlib import Path
from typing import Any, Dict, Union

import spacy
import srsly
from spacy.language import Language
from spacy.util import OOV_RANK
from spacy.vectors import Vectors

from .plan import GloveOptions, VectorsPlan, build_plan
from .record import META_KEY
from .spacy_format import write_key2row, write_strings
from .staging import check_replaceable, staging_dir


def install_vectors(nlp: Language, plan: VectorsPlan) -> None:
    """Make ``plan`` the vectors of ``nlp`` and store its record in ``nlp.meta``."""
    strings = nlp.vocab.strings
    for word in itertools.chain(plan.words, plan.aliases):
        strings.add(word)
    vectors = Vectors(strings=strings, data=plan.data, name=plan.name)
    vectors.key2row = dict(zip(plan.keys.tolist(), plan.rows.tolist()))
    nlp.vocab.vectors = vectors
    # As spaCy's load_vectors_into_model: lexemes made before the vectors get their rank.
    for lex in nlp.vocab:
        lex.rank = vectors.key2row.get(lex.orth, OOV_RANK)
    nlp.meta[META_KEY] = plan.record


def init_vectors(
    glove_path: Union[str, Path],
    output_dir: Union[str, Path],
    *,
    lang: str = "en",
    progress: bool = True,
    **options: Any,
) -> Dict[str, Any]:
    """Write the vectors pipeline for ``glove_path`` to ``output_dir``; return its record.

    The folder is written under a temporary name next to ``output_dir`` and moved into place
    at the end, so a failure leaves nothing behind and a reader never sees half a pipeline. An
    existing ``output_dir`` is replaced only if it is empty or a spaCy pipeline.

    glove_path: GloVe or word2vec text file (plain, .gz or .zip).
    output_dir: the pipeline folder to write.
    lang: the blank pipeline's language.
    progress: show a progress bar for files over a few MB.
    options: the fields of ``GloveOptions`` (member, limit, prune, prune_mode, lowercase,
        skip_bad_rows, name), checked before anything is read.
    """
    glove_options = GloveOptions(**options)
    output_dir = Path(output_dir)
    check_replaceable(output_dir)
    nlp = spacy.blank(lang)
    with staging_dir(output_dir) as staging:
        # The table is built in place as the pipeline's vocab/vectors file (spaCy's format, a
        # .npy), so it is never copied; spaCy writes everything else around an empty table.
        table_path = staging / "vectors.partial"
        plan = build_plan(glove_path, glove_options, progress=progress, table_path=table_path)
        rows, dims = plan.data.shape
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, shape=(0, dims), name=plan.name)
        nlp.meta[META_KEY] = plan.record
        nlp.to_disk(staging)
        table_path.replace(staging / "vocab" / "vectors")
        # Keys and strings are written from arrays: spaCy would hold key2row as a dict (about
        # 100 bytes a key, more than a 50d row) just to write it.
        write_key2row(staging / "vocab" / "key2row", plan.keys, plan.rows)
        strings_path = staging / "vocab" / "strings.json"
        write_strings(strings_path, [srsly.read_json(strings_path), plan.words, plan.aliases])
        meta = srsly.read_json(staging / "meta.json")
        meta["vectors"].update(width=dims, vectors=rows, keys=len(plan.keys))
        meta[META_KEY] = plan.record  # srsly keeps 10 digits of a float; json keeps them all
        text = json.dumps(meta, indent=2, ensure_ascii=False)
        (staging / "meta.json").write_text(text, encoding="utf8")
    return plan.record
