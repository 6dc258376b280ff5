"""`python -m benchmarks.ner`: the NER benchmark (options: `python -m benchmarks.ner --help`)."""

from benchmarks.ner.cli import main

if __name__ == "__main__":
    main()
