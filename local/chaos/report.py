"""The chaos and load results as Markdown tables, and their sections in docs/reliability.md.

The file may hold sections written by other tools (mutation testing): only the section with the given
heading is replaced, or appended when missing.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PRETTIER = REPO_ROOT / "node_modules" / ".bin" / "prettier"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(document: Path, heading: str, body: str) -> None:
    """Writes `## heading` + body into `document`, replacing that section (up to the next `## `)."""
    text = document.read_text(encoding="utf-8") if document.exists() else ""
    section = f"## {heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + section
    document.write_text(text, encoding="utf-8")
    # The repository's Markdown is Prettier-formatted (`make check`): align the new table the same way.
    if PRETTIER.exists():
        subprocess.run(
            [str(PRETTIER), "--write", "--log-level", "warn", str(document)], cwd=REPO_ROOT, check=False
        )
