"""thinc's NumpyOps.gemm (blis) against BlasNumpyOps.gemm (numpy.matmul) on this model's shapes.

The shapes are those of the shipped config (width 96) on a batch of 2,000 tokens: the embedding
mixer, the window CNN's Maxout, the BiLSTM's input projection and one recurrent step of 50
sequences, each forward (X @ W.T) and as the weight gradient (dY.T @ X). One thread, as the NER
benchmark runs:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gemm.py
"""

import time
from functools import partial
from typing import Callable, List, Tuple

import numpy
from thinc.api import NumpyOps

from spacy_glove_bilstm.ops import BlasNumpyOps

SHAPES: List[Tuple[str, int, int, int]] = [
    ("embed mixer (Maxout 480 -> 96x3)", 2000, 480, 288),
    ("window CNN (Maxout 288 -> 96x3)", 2000, 288, 288),
    ("BiLSTM input (96 -> 4x48)", 2000, 96, 192),
    ("BiLSTM step (50 sequences, 48 -> 4x48)", 50, 48, 192),
]


def best_seconds(run: Callable[[], object], repeats: int = 7, calls: int = 20) -> float:
    run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> None:
    rng = numpy.random.default_rng(0)
    blis, blas = NumpyOps(), BlasNumpyOps()
    print("| product | m x k x n | blis (thinc) | numpy BLAS | speed-up |")
    print("|---|---|---|---|---|")
    for label, m, k, n in SHAPES:
        X = rng.normal(size=(m, k)).astype("f")
        W = rng.normal(size=(n, k)).astype("f")
        dY = rng.normal(size=(m, n)).astype("f")
        for what, args in [("forward", (X, W, False, True)), ("weight grad", (dY, X, True, False))]:
            a, b, t1, t2 = args
            slow = best_seconds(partial(blis.gemm, a, b, trans1=t1, trans2=t2))
            fast = best_seconds(partial(blas.gemm, a, b, trans1=t1, trans2=t2))
            print(
                f"| {label}, {what} | {m} x {k} x {n} | {slow * 1e6:,.0f} us "
                f"| {fast * 1e6:,.0f} us | {slow / fast:.1f}x |"
            )


if __name__ == "__main__":
    main()
