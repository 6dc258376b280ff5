"""``[initialize.after_init]`` callback: give the OOV sampler the full GloVe file's statistics.

The GloVe layer computes mean and std over the rows of the loaded table at ``initialize``. A
pruned table keeps only frequent words, whose statistics differ from the whole file's; the
``init-vectors`` command records the full file's statistics in the vectors pipeline's meta, and
this callback hands them to every GloVe layer of the pipeline before training starts.
"""

import logging
from typing import Callable, Optional

from spacy.language import Language
from spacy.util import registry

from .layers.glove_oov_vectors import glove_layers, set_oov_stats
from .vectors_pipeline import oov_stats_from_meta, read_oov_stats

logger = logging.getLogger("spacy")


@registry.callbacks("spacy_glove_bilstm.SetOOVStats.v1")
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
