"""Benchmarks of spacy-glove-bilstm: one-file scripts (`python benchmarks/bench_*.py`) and the
packages that outgrew one file (`python -m benchmarks.ner`, `python -m benchmarks.gpu`)."""
