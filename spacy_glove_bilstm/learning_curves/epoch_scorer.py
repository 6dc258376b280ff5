"""Dev-set scores at epoch boundaries, computed exactly as spaCy's training loop scores them.

spaCy evaluates every `[training] eval_frequency` steps, so the evaluations rarely fall on the
end of an epoch. `LearningCurveLogger.v1` (with `score_epochs = true`) calls `EpochScorer` once
per epoch, when the first step of the next epoch starts or when training ends, which gives the
learning curve one dev point per epoch. Deriving `eval_frequency` from the corpus size instead
only works when every epoch has the same number of batches (`batch_by_sequence`); it does not
with `batch_by_words`, whose batch count changes with every shuffle.
"""

from timeit import default_timer as timer
from typing import Any, Dict, Tuple

from spacy.language import Language
from spacy.training.loop import create_evaluation_callback
from spacy.util import resolve_dot_names


class EpochScorer:
    """Score the pipeline on `[training] dev_corpus`, weighted by `[training] score_weights`.

    The dev corpus and weights come from `nlp.config`, as in `spacy train`, and the scoring is
    spaCy's own evaluation callback, so epoch scores and the loop's scores are comparable. The
    loop scores with `optimizer.averages` when `use_averages = true`; a logger cannot reach the
    optimizer, so epoch scores always use the current weights.

    nlp (Language): The pipeline being trained; its config names the dev corpus.
    """

    def __init__(self, nlp: Language) -> None:
        config = nlp.config.interpolate()
        training = config["training"]
        (dev_corpus,) = resolve_dot_names(config, [training["dev_corpus"]])
        self._evaluate = create_evaluation_callback(nlp, dev_corpus, training["score_weights"])

    def __call__(self) -> Tuple[float, Dict[str, Any], float]:
        """Return the weighted main score, all scores, and the seconds the evaluation took."""
        start = timer()
        score, scores = self._evaluate()
        return float(score), scores, timer() - start
