"""Every name this package registers with spaCy and thinc, in one place.

Each function lives in the module that owns its idea (``layers/``, ``architectures.py``,
``batchers.py``, ``callbacks.py``, ``components.py``, ``learning_curves/``); this module only
gives it its name. ``setup.cfg`` declares the same names as entry points pointing here, so
``spacy train`` finds them without ``--code`` and without an import, and importing this module
for one name registers them all. A released name never changes meaning: a new signature or
parameter layout gets a new version (``.v2``) and the old one keeps working.
"""

from spacy.language import Language
from spacy.util import registry

from .architectures import build_glove_bilstm, build_glove_bilstm_v2
from .batchers import configure_batch_by_words
from .callbacks import create_load_glove, create_set_oov_stats
from .components import make_glove_token_vectors
from .layers import (
    BiLSTMEncoder,
    CharEmbed,
    GloveOOVEmbed,
    GloveOOVEmbed_v2,
    GloveOOVVectors,
    GloveOOVVectors_v2,
    WindowBiLSTMEncoder,
    WindowBiLSTMEncoder_v2,
    with_windows,
)
from .learning_curves.logger import (
    STEPS_CALLBACK,
    create_learning_curve_steps,
    learning_curve_logger,
)
from .ops import create_use_blas_ops
from .readers import create_sentence_corpus
from .sentence_beam_ner import FACTORY_DEFAULTS, make_sentence_beam_ner

# Architectures: whole tok2vec models and the embed and encode blocks they compose.
registry.architectures("spacy_glove_bilstm.GloveBiLSTM.v1")(build_glove_bilstm)
registry.architectures("spacy_glove_bilstm.GloveBiLSTM.v2")(build_glove_bilstm_v2)
registry.architectures("spacy_glove_bilstm.GloveOOVEmbed.v1")(GloveOOVEmbed)
registry.architectures("spacy_glove_bilstm.GloveOOVEmbed.v2")(GloveOOVEmbed_v2)
registry.architectures("spacy_glove_bilstm.BiLSTMEncoder.v1")(BiLSTMEncoder)
registry.architectures("spacy_glove_bilstm.WindowBiLSTMEncoder.v1")(WindowBiLSTMEncoder)
registry.architectures("spacy_glove_bilstm.WindowBiLSTMEncoder.v2")(WindowBiLSTMEncoder_v2)
# Layers: building blocks for users who compose their own models.
registry.layers("spacy_glove_bilstm.GloveOOVVectors.v1")(GloveOOVVectors)
registry.layers("spacy_glove_bilstm.GloveOOVVectors.v2")(GloveOOVVectors_v2)
registry.layers("spacy_glove_bilstm.CharEmbed.v1")(CharEmbed)
registry.layers("spacy_glove_bilstm.WithWindows.v1")(with_windows)
# Training: corpus reader, batcher, callbacks, logger.
registry.readers("spacy_glove_bilstm.SentenceCorpus.v1")(create_sentence_corpus)
registry.batchers("spacy_glove_bilstm.BatchByWords.v1")(configure_batch_by_words)
registry.callbacks("spacy_glove_bilstm.LoadGloVe.v1")(create_load_glove)
registry.callbacks("spacy_glove_bilstm.SetOOVStats.v1")(create_set_oov_stats)
registry.callbacks(STEPS_CALLBACK)(create_learning_curve_steps)
registry.callbacks("spacy_glove_bilstm.UseBlasOps.v1")(create_use_blas_ops)
registry.loggers("spacy_glove_bilstm.LearningCurveLogger.v1")(learning_curve_logger)
# Pipeline components.
Language.factory("glove_token_vectors", default_config={"source": None})(make_glove_token_vectors)
Language.factory(
    "sentence_beam_ner",
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_config=FACTORY_DEFAULTS,
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)(make_sentence_beam_ner)
