"""The JSON line a wrk run ends with (bench/summary.lua), read into the table's figures."""

from __future__ import annotations

import json


def read(stdout: str) -> tuple[dict[str, float], dict]:
    """(figures for a row of the table, the whole line as wrk's script wrote it)."""
    raw = json.loads(stdout.strip().splitlines()[-1])
    figures = {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "requests": raw["requests"],
        "errors": raw["socket_errors"] + raw["bad_status"],
    }
    return figures, raw
