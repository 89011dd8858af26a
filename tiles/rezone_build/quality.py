"""The data-quality report: per source rows read / matched / rejected (with reasons and examples).

Every ingest module records into one :class:`QualityReport`; ``to_dict()`` becomes
``Dataset.quality`` (written next to the release as ``quality-report.json``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["MAX_EXAMPLES", "QualityReport", "format_report"]

MAX_EXAMPLES = 20


class _SourceStats:
    def __init__(self) -> None:
        self.read = 0
        self.matched = 0
        self.counts: Counter[str] = Counter()  # other named counters (ambiguous, re-keyed, ...)
        self.rejected: Counter[str] = Counter()
        self.examples: dict[str, list[Any]] = {}

    def reject(self, reason: str, example: Any = None) -> None:
        self.rejected[reason] += 1
        if example is not None:
            ex = self.examples.setdefault(reason, [])
            if len(ex) < MAX_EXAMPLES:
                ex.append(example)

    def note(self, what: str, example: Any = None, n: int = 1) -> None:
        self.counts[what] += n
        if example is not None:
            ex = self.examples.setdefault(what, [])
            if len(ex) < MAX_EXAMPLES:
                ex.append(example)

    def to_dict(self) -> dict:
        return {
            "rows_read": self.read,
            "matched": self.matched,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected),
            "counts": dict(self.counts),
            "examples": self.examples,
        }


class QualityReport:
    """Collects per-source statistics, rules applied and free-form sections."""

    def __init__(self) -> None:
        self.sources: dict[str, _SourceStats] = {}
        self.rules: dict[str, dict] = {}
        self.sections: dict[str, Any] = {}
        self.summary: dict[str, Any] = {}

    def source(self, name: str) -> _SourceStats:
        return self.sources.setdefault(name, _SourceStats())

    def rule(self, name: str, description: str, count: int = 1, example: Any = None) -> None:
        """Record one application of a written-down disagreement rule."""
        r = self.rules.setdefault(name, {"rule": description, "applied": 0, "examples": []})
        r["applied"] += count
        if example is not None and len(r["examples"]) < MAX_EXAMPLES:
            r["examples"].append(example)

    def to_dict(self) -> dict:
        return {
            "summary": self.summary,
            "sources": {k: v.to_dict() for k, v in self.sources.items()},
            "rules": self.rules,
            **self.sections,
        }


def format_report(q: dict) -> str:
    """A short human-readable rendering of ``Dataset.quality`` (printed at the end of an ingest)."""
    lines = ["== Data quality =="]
    for k, v in q.get("summary", {}).items():
        lines.append(f"  {k:<34} {v}")
    lines.append("  -- sources (read / matched / rejected)")
    for name, s in q.get("sources", {}).items():
        rej = ", ".join(f"{r}: {n}" for r, n in s["rejected_by_reason"].items())
        lines.append(
            f"  {name:<34} {s['rows_read']:>7} / {s['matched']:>7} / {s['rejected']:>5}"
            + (f"  ({rej})" if rej else "")
        )
    if q.get("rules"):
        lines.append("  -- disagreement rules applied")
        for name, r in q["rules"].items():
            lines.append(f"  {name:<34} {r['applied']:>7}")
    return "\n".join(lines)
