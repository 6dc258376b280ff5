from .bilstm import BiLSTMEncoder, WindowBiLSTMEncoder, WindowBiLSTMEncoder_v2
from .char_embed import CharEmbed
from .glove_embed import GloveOOVEmbed, GloveOOVEmbed_v2
from .glove_oov_vectors import GloveOOVVectors, GloveOOVVectors_v2, set_oov_stats
from .windows import with_windows

__all__ = [
    "BiLSTMEncoder",
    "CharEmbed",
    "WindowBiLSTMEncoder",
    "WindowBiLSTMEncoder_v2",
    "GloveOOVEmbed",
    "GloveOOVEmbed_v2",
    "GloveOOVVectors",
    "GloveOOVVectors_v2",
    "set_oov_stats",
    "with_windows",
]
