"""Many values looked for in many texts at once, fast enough for a whole session's logs and spans.

Texts are joined into chunks of about a million characters: each value is looked for once per chunk
(str's substring search skips ahead, so a chunk costs little per value), and tokens, of which there
are thousands, by one pass of a regular expression and a set look-up. Only a chunk with a candidate
is looked at text by text, to say where.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from privacy_scan.needles import TOKEN, Needle

CHUNK_CHARACTERS = 1_000_000
# Between texts in a chunk: no value holds it, so a candidate found across two texts is only a
# candidate, and the text-by-text pass drops it.
_SEPARATOR = "\n\x00\n"


@dataclass(frozen=True)
class Text:
    """Something the system wrote, and where: a log line, one field of a span."""

    where: str
    text: str


@dataclass(frozen=True)
class Found:
    needle: Needle
    where: str


class NeedleMatcher:
    def __init__(self, needles: Iterable[Needle]) -> None:
        self._phrases: dict[str, list[Needle]] = defaultdict(list)
        self._tokens: dict[str, list[Needle]] = defaultdict(list)
        for needle in needles:
            for form in needle.variants():
                (self._tokens if needle.token else self._phrases)[form].append(needle)
        self.texts_read = 0

    def find(self, texts: Iterable[Text]) -> Iterator[Found]:
        """Each needle in each place it occurs (once per place, however often it occurs there)."""
        for chunk in self._chunks(texts):
            joined = _SEPARATOR.join(text.text for text in chunk)
            phrases = [phrase for phrase in self._phrases if phrase in joined]
            tokens = self._tokens.keys() & set(TOKEN.findall(joined))
            if phrases or tokens:
                yield from self._where(chunk, phrases, tokens)

    def _where(self, chunk: list[Text], phrases: list[str], tokens: set[str]) -> Iterator[Found]:
        seen: set[tuple[Needle, str]] = set()
        for text in chunk:
            found = [self._phrases[p] for p in phrases if p in text.text]
            if tokens:
                found += [self._tokens[t] for t in tokens & set(TOKEN.findall(text.text))]
            for needle in (needle for needles in found for needle in needles):
                if (needle, text.where) not in seen:
                    seen.add((needle, text.where))
                    yield Found(needle, text.where)

    def _chunks(self, texts: Iterable[Text]) -> Iterator[list[Text]]:
        chunk: list[Text] = []
        size = 0
        for text in texts:
            self.texts_read += 1
            chunk.append(text)
            size += len(text.text)
            if size >= CHUNK_CHARACTERS:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk
