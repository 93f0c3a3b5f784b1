"""Settings across code versions. A benchmark measures this checkout side by side with a baseline
commit, and the settings were grouped (``SOUFFLEUR_ENCODER__BACKEND``, ``Settings(encoder=...)``) after
some of those baselines were written (``SOUFFLEUR_ENCODER_BACKEND``, ``Settings(encoder_backend=...)``);
the grouped code refuses the old names, the old code ignores the new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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

    if "encoder" in Settings.model_fields:
        return Settings(data_dir=data_dir, encoder={"backend": backend})
    return Settings(data_dir=data_dir, encoder_backend=backend)  # a baseline from before the groups
