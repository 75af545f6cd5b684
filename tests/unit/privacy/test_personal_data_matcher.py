"""Finding many values in many texts at once: each occurrence reported with where it is."""

from __future__ import annotations

import pytest

from privacy_scan import matcher
from privacy_scan.matcher import Found, NeedleMatcher, Text
from privacy_scan.needles import Needle

STREET = Needle("deliveryAddress.line1", "12 Privacy Road")
SIGNATURE = Needle("watchToken signature", "q0Zl3bN6c9gB2m1k8YtXx7wP4sD5fG6hJ7kL8zX9cV0", token=True)


def test_a_value_in_a_log_line_is_found_with_where_it_is() -> None:
    # Given log lines, one of which quotes a street
    texts = [
        Text("log group /aws/lambda/a, stream s1", '{"message": "Order accepted", "order_id": "o-1"}'),
        Text("log group /aws/lambda/a, stream s2", '{"message": "bad address", "line1": "12 Privacy Road"}'),
    ]

    # When they are scanned for it
    found = list(NeedleMatcher([STREET]).find(texts))

    # Then the one line is named
    assert found == [Found(STREET, "log group /aws/lambda/a, stream s2")]


def test_a_token_is_found_as_a_whole_word_among_thousands() -> None:
    # Given thousands of tokens looked for, and a URL that carries one of them
    others = [Needle("watchToken signature", f"{n:043d}", token=True) for n in range(5000)]
    url = f"wss://api/stage?customerId=c-1&token=Y3VzdG9tZXI.1767225600.{SIGNATURE.value}"

    # When a log line with the URL is scanned
    found = list(NeedleMatcher([*others, SIGNATURE]).find([Text("line", f"connect {url} from 127.0.0.1")]))

    # Then that token is found, and none of the others
    assert found == [Found(SIGNATURE, "line")]


def test_a_value_json_escaped_or_url_encoded_is_found() -> None:
    notes = Needle("deliveryAddress.notes", 'ring "twice" please')
    texts = [
        Text("json", '{"notes": "ring \\"twice\\" please"}'),
        Text("url", "GET /x?notes=ring+%22twice%22+please"),
        Text("neither", "ring twice please"),
    ]

    assert [found.where for found in NeedleMatcher([notes]).find(texts)] == ["json", "url"]


def test_texts_past_a_chunk_are_scanned_and_none_straddling_two_texts_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given chunks of 100 characters, and many texts: the street split across two of them, then whole
    monkeypatch.setattr(matcher, "CHUNK_CHARACTERS", 100)
    texts = [Text(f"line {n}", "x" * 30) for n in range(20)]
    texts += [Text("line 20", "ends with 12 Privacy"), Text("line 21", " Road starts this one")]
    texts += [Text(f"line {n}", "y" * 30) for n in range(22, 40)] + [Text("line 40", "12 Privacy Road")]

    # When they are scanned
    scanner = NeedleMatcher([STREET])
    found = list(scanner.find(texts))

    # Then every text was read, and only the whole occurrence is found
    assert scanner.texts_read == 41
    assert found == [Found(STREET, "line 40")]


def test_a_value_found_twice_in_one_place_is_reported_once() -> None:
    texts = [Text("stream", "12 Privacy Road"), Text("stream", "again 12 Privacy Road")]

    assert list(NeedleMatcher([STREET]).find(texts)) == [Found(STREET, "stream")]
