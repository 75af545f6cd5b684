"""What a scan found, said without repeating the personal data it found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from privacy_scan.matcher import Found
from privacy_scan.needles import MIN_LENGTH, Needle

# Enough to act on; a leak usually shows in many places at once.
_PLACES_SHOWN = 5
_NEEDLES_SHOWN = 20
_TESTS_SHOWN = 3


@dataclass(frozen=True)
class ScanReport:
    needles: Mapping[Needle, frozenset[str]]  # each value looked for, with the tests that sent it
    found: list[Found]
    texts_read: int
    spans: int
    files: int
    too_generic: Mapping[str, int]
    unreadable_bodies: int
    span_store_full: bool = False  # it may have pruned spans, which then went unscanned
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.found) or self.span_store_full

    def summary(self) -> str:
        kinds = sorted({needle.kind for needle in self.needles})
        skipped = ", ".join(f"{count} {kind}" for kind, count in sorted(self.too_generic.items())) or "none"
        return (
            f"{len(self.needles)} values sent by the tests ({', '.join(kinds) or 'none'}) looked for in "
            f"{self.texts_read:,} log lines, span fields and file lines ({self.spans:,} spans, {self.files} "
            f"files and every CloudWatch log stream) in {self.seconds:.1f} s: {self._places()} hits. Not looked "
            f"for, shorter than {MIN_LENGTH} characters: {skipped}; order bodies that were not JSON: "
            f"{self.unreadable_bodies}."
        )

    def describe(self) -> str:
        """The failure message: each value found (masked), where, and which tests sent it."""
        lines = [
            "The personal data scan (tests/privacy_scan) found values the tests sent in what the system logged "
            "or traced; fix the code that wrote them.",
            self.summary(),
        ]
        if self.span_store_full:
            lines.append(
                f"The span store holds {self.spans:,} spans, near its bound: it may have forgotten old traces, "
                "which could not be scanned. Raise the session stack's max_spans (tests/conftest.py)."
            )
        places: dict[Needle, list[str]] = defaultdict(list)
        for found in self.found:
            if found.where not in places[found.needle]:
                places[found.needle].append(found.where)
        for needle, wheres in list(places.items())[:_NEEDLES_SHOWN]:
            tests = sorted(self.needles.get(needle, frozenset()))
            more_tests = f" and {len(tests) - _TESTS_SHOWN} more" if len(tests) > _TESTS_SHOWN else ""
            lines.append(
                f"- {needle.kind} {needle.masked()}, sent by {', '.join(tests[:_TESTS_SHOWN])}{more_tests}; "
                f"found in {len(wheres)} places:"
            )
            lines += [f"    {where}" for where in wheres[:_PLACES_SHOWN]]
        if len(places) > _NEEDLES_SHOWN:
            lines.append(f"... and {len(places) - _NEEDLES_SHOWN} more values found")
        return "\n".join(lines)

    def _places(self) -> int:
        return len({(found.needle, found.where) for found in self.found})
