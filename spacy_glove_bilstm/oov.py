"""Deterministic sampled vectors for words that GloVe does not have.

A word missing from GloVe gets ``mean + std * z`` per dimension, where ``z`` follows a standard
normal truncated to ``[-bound, bound]``. ``z`` is a pure function of ``(key, dimension, seed)``:
a counter-based hash (SplitMix64's finaliser) turns the triple into a uniform number, and the
inverse normal CDF restricted to the truncation interval turns that into ``z``. So there is no
lookup table to build, store or lose: training, inference and every process agree, whatever
``PYTHONHASHSEED`` is, because the keys are spaCy's 64-bit string hashes (MurmurHash of the text).

``sample_ngram_vectors`` adds structure: a word's vector is its own draw plus one draw per
character n-gram (3 to 5 characters of ``<word>``, fastText's units), scaled back to one draw's
variance. Unknown words that share n-grams (``hepatocytes``, ``cardiomyocytes``) get correlated
vectors, so what the network learns for training words carries over to unseen test words.
"""

import math
from typing import List, Sequence, Tuple, Union

import numpy
from numpy.typing import ArrayLike

from .errors import Errors

_GOLDEN = numpy.uint64(0x9E3779B97F4A7C15)
_MIX1 = numpy.uint64(0xBF58476D1CE4E5B9)
_MIX2 = numpy.uint64(0x94D049BB133111EB)
_SEED_SALT = numpy.uint64(0xD1B54A32D192ED03)
# n-gram keys are xor-ed with this, so the n-gram "cyt" and the word "cyt" draw independently.
_NGRAM_SALT = numpy.uint64(0x8CB92BA72F3D8DD7)
NGRAM_SIZES = (3, 4, 5)

# Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
      -30.66479806614716, 2.506628274631000)  # fmt: skip
_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
      -13.28068155288572)  # fmt: skip
_C = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
      4.374664141464968, 2.938163982698783)  # fmt: skip
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_P_LOW = 0.02425


def sample_oov_vectors(
    keys: ArrayLike,
    mean: ArrayLike,
    std: ArrayLike,
    *,
    seed: int = 0,
    bound: float = 2.0,
) -> numpy.ndarray:
    """Return one deterministic vector per key, shape ``(len(keys), len(mean))``, float32.

    keys: spaCy 64-bit string hashes (``nlp.vocab.strings[word]``), any integer array-like.
    mean, std: per-dimension statistics of the GloVe table.
    seed: selects another, independent family of vectors.
    bound: truncation of the standard normal, in standard deviations (> 0).
    """
    mean_arr, std_arr = _statistics(mean, std)
    z = truncated_normal_z(keys, mean_arr.shape[0], seed=seed, bound=bound)
    return (mean_arr + std_arr * z).astype("float32")


def sample_ngram_vectors(
    words: Sequence[str],
    keys: ArrayLike,
    mean: ArrayLike,
    std: ArrayLike,
    *,
    seed: int = 0,
    bound: float = 2.0,
) -> numpy.ndarray:
    """One deterministic vector per word from its own draw and its character n-grams' draws.

    words: the texts whose n-grams are used; keys: their string hashes (the word's own draw is
    ``sample_oov_vectors``'s). ``z = (z_word + sum of z_ngram) / sqrt(1 + n_ngrams)``, clipped to
    ``[-bound, bound]``: the variance of one draw, and the more n-grams two words share, the
    closer their vectors. Returns float32 ``(len(words), len(mean))``.
    """
    mean_arr, std_arr = _statistics(mean, std)
    width = mean_arr.shape[0]
    z = truncated_normal_z(keys, width, seed=seed, bound=bound)
    if z.shape[0] != len(words):
        raise ValueError(Errors.E016.format(words=len(words), keys=z.shape[0]))
    grams = [ngram_keys(word) for word in words]
    counts = numpy.asarray([len(g) for g in grams], dtype="int64")
    flat = numpy.fromiter((k for g in grams for k in g), dtype="uint64", count=int(counts.sum()))
    # Words of one batch share many n-grams: draw each distinct n-gram once.
    uniq, inverse = numpy.unique(flat ^ _NGRAM_SALT, return_inverse=True)
    z_grams = truncated_normal_z(uniq, width, seed=seed, bound=bound)[inverse.reshape(-1)]
    # Sum each word's run of n-gram draws: differences of a cumulative sum (runs may be empty).
    ends = numpy.cumsum(counts)
    cumulative = numpy.vstack([numpy.zeros((1, width)), numpy.cumsum(z_grams, axis=0)])
    z += cumulative[ends] - cumulative[ends - counts]
    z /= numpy.sqrt(1.0 + counts)[:, None]
    numpy.clip(z, -bound, bound, out=z)
    return (mean_arr + std_arr * z).astype("float32")


def _statistics(mean: ArrayLike, std: ArrayLike) -> Tuple[numpy.ndarray, numpy.ndarray]:
    mean_arr = numpy.asarray(mean, dtype="float64").reshape(-1)
    std_arr = numpy.asarray(std, dtype="float64").reshape(-1)
    if mean_arr.shape != std_arr.shape:
        raise ValueError(Errors.E010.format(mean=mean_arr.shape, std=std_arr.shape))
    return mean_arr, std_arr


def ngram_keys(word: str) -> List[int]:
    """String hashes of the character n-grams of ``<word>`` (sizes ``NGRAM_SIZES``)."""
    # Imported here: importing the package must not import spaCy (see __init__).
    from spacy.strings import get_string_id

    marked = f"<{word}>"
    return [
        get_string_id(marked[i : i + n]) for n in NGRAM_SIZES for i in range(len(marked) - n + 1)
    ]


def check_bound(bound: float) -> None:
    """Raise E011 unless ``bound`` is a positive finite number of standard deviations."""
    if not (bound > 0 and math.isfinite(bound)):
        raise ValueError(Errors.E011.format(bound=bound))


def truncated_normal_z(
    keys: ArrayLike, width: int, *, seed: int = 0, bound: float = 2.0
) -> numpy.ndarray:
    """The standard truncated-normal draws behind ``sample_oov_vectors``: float64 ``(n, width)``."""
    check_bound(bound)
    key_arr = _as_uint64(keys)
    u = _uniform(key_arr, width, seed)
    lo = _normal_cdf(-bound)
    p = lo + u * (_normal_cdf(bound) - lo)
    return numpy.clip(_normal_ppf(p), -bound, bound)


def truncated_normal_moments(bound: float) -> Tuple[float, float]:
    """Mean and variance of the standard normal truncated to ``[-bound, bound]``."""
    mass = _normal_cdf(bound) - _normal_cdf(-bound)
    density = math.exp(-0.5 * bound * bound) / math.sqrt(2 * math.pi)
    return 0.0, 1.0 - 2.0 * bound * density / mass


def _as_uint64(keys: Union[ArrayLike, Sequence[int]]) -> numpy.ndarray:
    if not isinstance(keys, numpy.ndarray):
        # Python ints may exceed int64 (spaCy hashes are uint64): map each to its 64-bit pattern.
        items = list(keys)  # type: ignore[arg-type]
        if not all(isinstance(k, (int, numpy.integer)) for k in items):
            raise TypeError(Errors.E012.format(dtype=numpy.asarray(items).dtype))
        return numpy.array([int(k) % 2**64 for k in items], dtype="uint64")  # type: ignore[arg-type]
    if keys.dtype == numpy.uint64:
        return keys.reshape(-1)
    if keys.size == 0:
        return numpy.zeros((0,), dtype="uint64")
    if keys.dtype.kind not in "iu":
        raise TypeError(Errors.E012.format(dtype=keys.dtype))
    # Signed keys (e.g. an int64 view) keep their bit pattern, as spaCy's hashes do.
    return keys.reshape(-1).astype("int64").view("uint64")


def _mix(x: numpy.ndarray) -> numpy.ndarray:
    """SplitMix64's finaliser: a bijective avalanche on uint64 (wraps modulo 2**64)."""
    x = (x ^ (x >> numpy.uint64(30))) * _MIX1
    x = (x ^ (x >> numpy.uint64(27))) * _MIX2
    return x ^ (x >> numpy.uint64(31))


def _uniform(keys: numpy.ndarray, width: int, seed: int) -> numpy.ndarray:
    """Uniform numbers in (0, 1), float64 ``(n, width)``, a pure function of key/column/seed."""
    seed_word = _mix(numpy.asarray([seed], dtype="int64").view("uint64") * _SEED_SALT + _GOLDEN)
    columns = numpy.arange(1, width + 1, dtype="uint64") * _GOLDEN
    with numpy.errstate(over="ignore"):
        h = _mix(_mix(keys ^ seed_word)[:, None] + columns[None, :])
    # Top 53 bits, centred in their bucket: never exactly 0 or 1.
    return ((h >> numpy.uint64(11)).astype("float64") + 0.5) * (1.0 / 2.0**53)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _normal_ppf(p: numpy.ndarray) -> numpy.ndarray:
    """Inverse standard normal CDF for p in (0, 1), vectorised (Acklam's algorithm)."""
    out = numpy.empty_like(p)
    low = p < _P_LOW
    high = p > 1.0 - _P_LOW
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    num = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
    den = ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0
    out[mid] = num / den
    for mask, sign, tail in ((low, 1.0, p[low]), (high, -1.0, 1.0 - p[high])):
        t = numpy.sqrt(-2.0 * numpy.log(tail))
        num = ((((_C[0] * t + _C[1]) * t + _C[2]) * t + _C[3]) * t + _C[4]) * t + _C[5]
        den = (((_D[0] * t + _D[1]) * t + _D[2]) * t + _D[3]) * t + 1.0
        out[mask] = sign * num / den
    return out
