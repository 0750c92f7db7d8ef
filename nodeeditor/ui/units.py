"""How durations and byte counts read everywhere in the window (badges, queue, stats, status bar)."""

from __future__ import annotations


def format_duration(seconds: float | None, *, micro: bool = False) -> str:
    """`micro` shows sub-millisecond times in µs (node badges) instead of "0 ms" (tables)."""
    if seconds is None:
        return ""
    if micro and 0 < seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def format_bytes(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
