"""``glove_token_vectors``: make ``token.vector`` return the vector the model saw.

spaCy's ``token.vector`` reads ``vocab.vectors`` by exact form and gives zeros for anything
missing, even where a lowercase form has a row. This component installs Doc/Span/Token vector
hooks that apply the model's own rule (exact form, lowercase form, then the layer's OOV fill:
sampled, zeros or learned) with the settings stored in the trained ``glove_oov_vectors`` layer,
so there is a single source of truth and nothing extra to save.
Add it after the component whose model holds the layer: ``nlp.add_pipe("glove_token_vectors")``.
"""

from typing import Any, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from thinc.api import Model

from .errors import Errors
from .layers.glove_oov_vectors import embed_keys, glove_layers, table_width
from .lookup import check_vectors, oov_attr_id, token_keys


def make_glove_token_vectors(
    nlp: Language, name: str, source: Optional[str]
) -> "GloveTokenVectors":
    """source: component whose model holds the GloVe layer; ``None`` takes the first one found."""
    return GloveTokenVectors(nlp, name, source=source)


class GloveTokenVectors:
    """Sets ``user_hooks`` so ``token/span/doc.vector`` follow the GloVe-BiLSTM lookup rule."""

    def __init__(self, nlp: Language, name: str, *, source: Optional[str] = None) -> None:
        self.nlp = nlp
        self.name = name
        self.source = source

    def __call__(self, doc: Doc) -> Doc:
        doc.user_token_hooks["vector"] = self.token_vector
        doc.user_token_hooks["has_vector"] = _always
        doc.user_span_hooks["vector"] = self.span_vector
        doc.user_span_hooks["has_vector"] = _always
        doc.user_hooks["vector"] = self.span_vector
        doc.user_hooks["has_vector"] = _always
        return doc

    def layer(self) -> Model:
        """The trained ``glove_oov_vectors`` node this component reads from."""
        if self.source and self.source not in self.nlp.pipe_names:
            raise ValueError(Errors.E030.format(name=self.source, pipes=self.nlp.pipe_names))
        names = [self.source] if self.source else self.nlp.pipe_names
        layers = glove_layers(self.nlp, names)
        if not layers:
            raise ValueError(Errors.E031.format(pipes=names))
        return layers[0]

    def matrix(self, doc: Doc, start: int = 0, end: Optional[int] = None) -> Any:
        """Vectors of ``doc[start:end]``, one row per token, as the model embeds them."""
        layer = self.layer()
        if layer.attrs["oov_mean"] is None:
            raise ValueError(Errors.E005)
        vectors = check_vectors(doc.vocab, width=table_width(layer))
        keys = token_keys([doc[start:end]], oov_attr_id(layer.attrs["oov_attr"]))
        if keys.shape[0] == 0:
            return layer.ops.alloc2f(0, vectors.shape[1])
        return embed_keys(layer, doc.vocab, keys)[0]

    def token_vector(self, token: Token) -> Any:
        return self.matrix(token.doc, token.i, token.i + 1)[0]

    def span_vector(self, span: Any) -> Any:
        """Mean vector of a Span or Doc (zeros when empty), like spaCy's default."""
        start, end = (span.start, span.end) if isinstance(span, Span) else (0, len(span))
        rows = self.matrix(span if isinstance(span, Doc) else span.doc, start, end)
        if rows.shape[0] == 0:
            layer = self.layer()
            return layer.ops.xp.zeros((table_width(layer),), dtype="float32")
        return rows.mean(axis=0)


def _always(_: Any) -> bool:
    return True


__all__ = ["GloveTokenVectors", "make_glove_token_vectors"]
