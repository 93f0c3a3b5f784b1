"""The unit tier stays honest: in a unit test, a subprocess or the real model fails the test."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

pytestmark = pytest.mark.unit


def test_a_subprocess_fails_a_unit_test() -> None:
    with pytest.raises(pytest.fail.Exception, match="started a subprocess"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    with pytest.raises(pytest.fail.Exception, match="started a subprocess"):
        os.system("true")


def test_an_asyncio_subprocess_fails_a_unit_test() -> None:
    async def start() -> None:
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")

    with pytest.raises(pytest.fail.Exception, match="started a subprocess"):
        asyncio.run(start())


def test_the_real_model_fails_a_unit_test() -> None:
    with pytest.raises(pytest.fail.Exception, match="real model"):
        SentenceTransformerEncoder("any-model")
