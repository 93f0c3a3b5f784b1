"""The test suite. Tiers: ``unit`` (fast, pure) and ``integration`` (real model, servers, browsers); see
docs/architecture.md, section Testing.

Numba (under ranx) compiles its kernels on first use; its cache lives in ``.cache/numba`` (ignored by git)
so later runs load them instead of compiling again. Set here, before anything imports numba.
"""

import os
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".cache" / "numba"))
