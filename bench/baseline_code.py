"""A baseline commit's code, for benchmarks that measure this checkout side by side with it: the code
exported to a folder, and the settings across versions. The settings were grouped
(``SOUFFLEUR_ENCODER__BACKEND``, ``Settings(encoder=...)``) after some of those baselines were written
(``SOUFFLEUR_ENCODER_BACKEND``, ``Settings(encoder_backend=...)``); the grouped code refuses the old
names, the old code ignores the new ones."""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def export(ref: str) -> Path:
    """The files of git revision ``ref`` in a new temporary folder."""
    target = Path(tempfile.mkdtemp(prefix="souffleur-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(target, filter="data")
    return target


def grouped(code: Path) -> bool:
    """Does the code in this folder have the grouped settings?"""
    return "NESTED_DELIMITER" in (code / "assistant" / "settings.py").read_text(encoding="utf-8")


def backend_env(code: Path, backend: str) -> dict[str, str]:
    """The environment variable that selects the encoder backend for the code in this folder."""
    return {"SOUFFLEUR_ENCODER__BACKEND" if grouped(code) else "SOUFFLEUR_ENCODER_BACKEND": backend}


def backend_settings(data_dir: Path, backend: str) -> Any:
    """Settings with this data folder and encoder backend, for the code on ``PYTHONPATH`` (call it in
    the process under test)."""
    from assistant.settings import Settings

    if "encoder" in Settings.model_fields:  # the other encoder settings from the environment, if any
        return Settings(data_dir=data_dir, encoder=Settings().encoder.model_copy(update={"backend": backend}))
    return Settings(data_dir=data_dir, encoder_backend=backend)  # a baseline from before the groups
