"""Simulation streams the history: 100,000 recorded checks in bounded memory.

Its time goes to bench/RESULTS.md through `python -m bench.simulate` (the same code);
speed is measured in bench/, never asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.simulate import measure
from gateway.db.engine import build_engine
from gateway.db.migrate import migrate


@pytest.mark.slow
def test_a_hundred_thousand_decisions_in_bounded_memory(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path}/history.db")
    migrate(engine)
    try:
        result = measure(engine, 100_000)
    finally:
        engine.dispose()
    assert result.report["replayed"] == 100_000
    assert result.report["hold_to_release"] > 0
    # A page of records and the report's counters, never the history.
    assert result.data_bytes > 30 * 2**20
    assert result.peak_bytes < result.data_bytes / 4, result.line()
