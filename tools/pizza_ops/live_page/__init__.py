"""The live order page and the trace waterfall: static files that the trace receiver serves at /live/.

The page is plain HTML, CSS and ES modules with no build step, so the files here are what the
browser runs. What differs per deployment (the orders API's URL) is served as /live/config.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import PurePosixPath

PAGE_PATH = "/live/"
CONFIG_FILE = "config.json"
# Only these kinds of file are served; ES modules need a JavaScript media type to load at all.
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@dataclass(frozen=True)
class PageConfig:
    """What the page learns at run time: the orders API, and the trace query API ("" = the page's origin)."""

    api_url: str
    trace_api_url: str = ""

    def to_json(self) -> dict[str, str]:
        return {"apiUrl": self.api_url, "traceApiUrl": self.trace_api_url}


@dataclass(frozen=True)
class PageFile:
    content_type: str
    body: bytes


def page_file(name: str) -> PageFile | None:
    """The page's file of this name ("" = index.html), or None if there is no such file to serve.

    Only a plain name of this directory's own files is looked up: a name with a separator or a
    leading dot (so "..") never reaches the file system, whatever a request's path says.
    """
    name = name or "index.html"
    content_type = _CONTENT_TYPES.get(PurePosixPath(name).suffix)
    if content_type is None or "/" in name or "\\" in name or name.startswith("."):
        return None
    resource = files(__name__) / name
    if not resource.is_file():
        return None
    return PageFile(content_type, resource.read_bytes())
