"""The repository root, for the scripts in this folder (each runs with scripts/ on sys.path)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
