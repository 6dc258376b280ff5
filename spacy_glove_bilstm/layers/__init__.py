from .bilstm import BiLSTMEncoder, WindowBiLSTMEncoder, WindowBiLSTMEncoder_v2
from .glove_embed import GloveOOVEmbed
from .glove_oov_vectors import GloveOOVVectors, set_oov_stats
from .windows import with_windows

__all__ = [
    "BiLSTMEncoder",
    "WindowBiLSTMEncoder",
    "WindowBiLSTMEncoder_v2",
    "GloveOOVEmbed",
    "GloveOOVVectors",
    "set_oov_stats",
    "with_windows",
]
