"""``oov-report``: print how much of each corpus the vectors cover (``data/coverage.py``)."""

import json
from pathlib import Path
from typing import List, Optional

import typer
from wasabi import msg

from ..data.coverage import CATEGORIES, oov_report, to_json
from ._util import app


@app.command("oov-report")
def oov_report_cli(
    vectors_path: Path = typer.Argument(..., help="Vectors pipeline (from init-vectors)"),
    corpora: List[Path] = typer.Argument(..., help="One or more .spacy corpora"),
    top: int = typer.Option(20, "--top", min=0, help="Most frequent uncovered words to list"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables"),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Also save the report as JSON here (for workflows)"
    ),
) -> None:
    """Print how many tokens and types of each corpus the vectors cover.

    Per corpus: coverage by exact form, by lowercase form, and not covered (those tokens get
    sampled OOV vectors), then the most frequent uncovered words.
    """
    try:
        report = oov_report(vectors_path, corpora, top=top)
    except (ValueError, OSError) as err:
        msg.fail(str(err), exits=1)
    report_json = json.dumps([to_json(c) for c in report], indent=2, ensure_ascii=False)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report_json + "\n", encoding="utf8")
    if as_json:
        print(report_json)
        return
    header = ["corpus", "tokens"] + [f"{c} %" for c in CATEGORIES]
    header += ["types"] + [f"{c} %" for c in CATEGORIES]
    rows = [
        [coverage.corpus, coverage.tokens]
        + [f"{coverage.share(c):.1f}" for c in CATEGORIES]
        + [coverage.types]
        + [f"{coverage.share(c, of_types=True):.1f}" for c in CATEGORIES]
        for coverage in report
    ]
    msg.table(rows, header=header, divider=True, aligns=["l"] + ["r"] * 8)
    for coverage in report:
        if coverage.top_uncovered:
            msg.table(
                coverage.top_uncovered,
                header=["uncovered", "count"],
                divider=True,
                title=f"Most frequent uncovered words: {coverage.corpus}",
            )
