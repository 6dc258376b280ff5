"""Training callbacks: load GloVe into the pipeline, and give the OOV sampler its statistics.

``LoadGloVe.v1`` (``[initialize.before_init]``) loads a GloVe or word2vec text file into
``nlp.vocab.vectors``, as ``init-vectors`` plus ``[initialize] vectors`` in one step. The GloVe
layer computes mean and std over the rows of the loaded table at ``initialize``. A pruned table
keeps only frequent words, whose statistics differ from the whole file's; ``init-vectors`` (and
``LoadGloVe.v1``) record the full file's statistics in the pipeline's meta, and
``SetOOVStats.v1`` (``[initialize.after_init]``) hands them to every GloVe layer of the pipeline
before training starts.
"""

import logging
from typing import Callable, Optional

from spacy.language import Language

from .layers.glove_oov_vectors import glove_layers, set_oov_stats
from .vectors import (
    GloveOptions,
    build_plan,
    install_vectors,
    oov_stats_from_meta,
    read_oov_stats,
)

logger = logging.getLogger("spacy")


def create_load_glove(
    path: str,
    member: Optional[str] = None,
    limit: int = 0,
    prune: int = 0,
    prune_mode: str = "map",
    lowercase: str = "keep",
    skip_bad_rows: bool = False,
    name: Optional[str] = None,
) -> Callable[[Language], Language]:
    """A ``[initialize.before_init]`` callback that loads a GloVe or word2vec text file into
    ``nlp.vocab.vectors``: ``init-vectors`` plus ``[initialize] vectors`` in one step, with the
    same options and the same record in ``nlp.meta``. Leave ``[initialize] vectors`` null,
    or it replaces these vectors.

    path (str): GloVe or word2vec text file (plain, .gz or .zip).
    The other arguments are those of ``GloveOptions``.
    """
    options = GloveOptions(member, limit, prune, prune_mode, lowercase, skip_bad_rows, name)

    def load_glove(nlp: Language) -> Language:
        install_vectors(nlp, build_plan(path, options, progress=False))
        return nlp

    return load_glove


def create_set_oov_stats(vectors: Optional[str] = None) -> Callable[[Language], Language]:
    """Use the statistics recorded by ``init-vectors`` (or ``LoadGloVe.v1``), when there are any.

    vectors: the vectors pipeline of ``[initialize] vectors`` (usually ``${paths.vectors}``);
        with null, the record that ``LoadGloVe.v1`` left in ``nlp.meta`` is used.
    """

    def set_stats(nlp: Language) -> Language:
        stats = read_oov_stats(vectors) if vectors else oov_stats_from_meta(nlp.meta)
        if stats is None:
            logger.info("No GloVe statistics recorded: the OOV sampler uses the loaded table's.")
            return nlp
        layers = glove_layers(nlp)
        for node in layers:
            set_oov_stats(node, *stats)
        logger.info(f"OOV sampler: full-file GloVe statistics set on {len(layers)} layer(s).")
        return nlp

    return set_stats
