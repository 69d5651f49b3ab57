"""Files from contracts/ that the job carries inside its package, read the same way by every module.

On EMR and Glue the package travels as a zip (``--py-files``, ``--extra-py-files``) and
``bankpipe.package`` adds the files to it, so they are read with ``pkgutil.get_data``, which works
inside zips; next to a source checkout (tests, the twin, ``make job``) the checkout's copy is read.
Standard library only: ``bankpipe.package`` imports the modules that use this one.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path


def packaged_or_checkout_text(resource: str, checkout: Path) -> tuple[str, str] | None:
    """(text, where it came from) of ``bankpipe/<resource>`` packaged in the job zip, else of
    ``checkout``; None when neither exists (the caller says how to fix that)."""
    try:
        packaged = pkgutil.get_data("bankpipe", resource)
    except OSError:
        packaged = None
    if packaged is not None:
        return packaged.decode("utf-8"), f"bankpipe/{resource} (packaged)"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8"), str(checkout)
    return None


def named_file_text(path: str, what: str, error: type[Exception]) -> tuple[str, str]:
    """(text, where it came from) of a file named by the caller (a path or ``file://`` URI), or
    ``error`` naming ``what`` (e.g. ``schema file``); a remote URI is read with storage.read_text."""
    local = path.removeprefix("file://")
    if "://" in local:
        raise error(f"cannot open {path!r} directly; read remote {what}s with storage.read_text")
    try:
        return Path(local).read_text(encoding="utf-8"), local
    except OSError as failure:
        raise error(f"cannot read the {what} {path!r}: {failure}") from failure
