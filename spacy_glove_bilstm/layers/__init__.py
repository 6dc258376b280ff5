from .bilstm import BiLSTMEncoder, WindowBiLSTMEncoder
from .glove_embed import GloveOOVEmbed
from .glove_oov_vectors import GloveOOVVectors, set_oov_stats

__all__ = [
    "BiLSTMEncoder",
    "WindowBiLSTMEncoder",
    "GloveOOVEmbed",
    "GloveOOVVectors",
    "set_oov_stats",
]
