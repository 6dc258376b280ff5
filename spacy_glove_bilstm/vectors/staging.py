"""Write an output folder all at once: staged beside its target and moved into place.

A failure leaves nothing behind (not even the parent folders made for it) and a reader never
sees half a pipeline. Only an empty folder or a spaCy pipeline is ever replaced, so a mistyped
output path cannot delete someone's data.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import Errors


def check_replaceable(output_dir: Path) -> None:
    """Refuse to replace anything but an empty folder or a spaCy pipeline."""
    if not output_dir.exists():
        return
    if output_dir.is_dir() and (
        not any(output_dir.iterdir()) or (output_dir / "meta.json").exists()
    ):
        return
    raise ValueError(Errors.E112.format(path=output_dir))


@contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` that becomes ``target`` if the block succeeds and
    is removed if it fails, with any parent folders it had to create."""
    created = [parent for parent in target.parents if not parent.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the pipeline is not
    try:
        yield staging
        if target.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            target.replace(previous / target.name)
            staging.replace(target)
            shutil.rmtree(previous)
        else:
            staging.replace(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
            for parent in created:  # innermost first; each held only the staging folder
                try:
                    parent.rmdir()
                except OSError:  # something else was put there meanwhile: keep it
                    break
