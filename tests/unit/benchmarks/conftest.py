"""The benchmarks are scripts run from their own folder (`cd benchmarks && python soak.py`), whose
modules import each other by their plain names: their tests import them the same way."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
