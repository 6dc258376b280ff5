"""Words/second of this package's BiLSTM against thinc's LSTM, forward and forward+backward.

    python benchmarks/bench_lstm.py [--width 128] [--seconds 3]

Same inputs for both (50 sequences of 5-40 tokens, like a batch of tweets), one process, run
back to back so that machine drift hits both alike. Set OMP_NUM_THREADS=1 for one thread.
A second table times our BiLSTM on the same tokens laid end to end as one sequence, read whole
and in windows (``with_windows``, as WindowBiLSTMEncoder.v2 runs it): the cost of long Docs.
"""

import argparse
import time
from typing import Callable, List

import numpy
from thinc.api import LSTM, Model, with_padded

from spacy_glove_bilstm.layers.lstm import BiLSTM
from spacy_glove_bilstm.layers.windows import with_windows
from spacy_glove_bilstm.ops import use_blas_ops


def words_per_second(model: Model, X: List[numpy.ndarray], train: bool, seconds: float) -> float:
    words = sum(len(x) for x in X)
    step: Callable[[], None]
    if train:

        def step() -> None:
            Y, backprop = model(X, is_train=True)
            backprop(Y)
    else:

        def step() -> None:
            model(X, is_train=False)

    step()  # warm-up
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    return words * n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--window", type=int, default=40, help="window core (40)")
    parser.add_argument("--context", type=int, default=12, help="window context (12)")
    args = parser.parse_args()
    rng = numpy.random.default_rng(0)
    X = [rng.normal(size=(int(n), args.width)).astype("f") for n in rng.integers(5, 41, size=50)]
    models = {
        "thinc LSTM(bi=True)": with_padded(LSTM(args.width, args.width, bi=True)),
        "spacy_glove_bilstm BiLSTM": BiLSTM(args.width, args.width),
    }
    rows = []
    for name, model in models.items():
        model.initialize(X=X)
        rows.append(
            (
                name,
                words_per_second(model, X, False, args.seconds),
                words_per_second(model, X, True, args.seconds),
            )
        )
    print(f"| layer (width {args.width}) | forward words/s | forward+backward words/s |")
    print("|---|---|---|")
    for name, fwd, both in rows:
        print(f"| {name} | {fwd:,.0f} | {both:,.0f} |")
    base = rows[0]
    print(f"| ratio (ours / thinc) | {rows[1][1] / base[1]:.2f} | {rows[1][2] / base[2]:.2f} |")
    lstm = use_blas_ops(BiLSTM(args.width, args.width))
    lstm.initialize(X=X)
    windows = with_windows(lstm, size=args.window, context=args.context)
    one = [numpy.concatenate(X)]
    cases = [("50 sequences", lstm, X), ("one sequence, whole", lstm, one)]
    cases.append((f"one sequence, windows {args.window} + 2 x {args.context}", windows, one))
    print(f"\n| our BiLSTM on {len(one[0])} tokens | forward words/s | forward+backward words/s |")
    print("|---|---|---|")
    for name, model, inputs in cases:
        fwd = words_per_second(model, inputs, False, args.seconds)
        both = words_per_second(model, inputs, True, args.seconds)
        print(f"| {name} | {fwd:,.0f} | {both:,.0f} |")


if __name__ == "__main__":
    main()
