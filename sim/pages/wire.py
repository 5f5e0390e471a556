"""What a site is asked and what it answers, independent of HTTP plumbing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Response:
    """What one request gets back."""

    status: int
    body: bytes
    content_type: str = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Req:
    """One parsed request: method, path, query and form fields (last value wins)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
