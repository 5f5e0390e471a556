"""The validator cache behind conditional requests: ETag / Last-Modified per URL.

A GET whose last body is still archived is sent with If-None-Match / If-Modified-Since; a
304 answer is then served from the archive, decoded with the charset it first came with.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import suppress
from pathlib import Path

from connectors.archive import PageArchive
from connectors.errors import FetchError


class ValidatorCache:
    """ETag / Last-Modified per URL, with the archived body (and its Content-Type) they
    belong to.

    Persisted as append-only JSON lines (the last line for a URL wins) so recording one
    costs one small write, whatever the number of URLs; compacted when loaded if mostly
    stale. Thread-safe.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._by_url: dict[str, dict[str, str]] = {}
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        """Read the stored lines, the last for a URL winning; compact a mostly stale file."""
        lines, line = 0, "\n"
        with path.open(encoding="utf-8", errors="replace") as stored:
            for line in stored:
                lines += 1
                # A line cut short by a crash is skipped: it only costs one unconditional GET.
                with suppress(ValueError, KeyError, TypeError):
                    entry = json.loads(line)
                    self._by_url[entry["url"]] = entry
        # Rewritten when mostly stale, or when a killed write left its last line unfinished
        # (the next append would be glued to it and lost too).
        if lines > 2 * len(self._by_url) + 100 or not line.endswith("\n"):
            self._rewrite(path)

    def _rewrite(self, path: Path) -> None:
        """Replace the file by one line per URL (temporary file, flushed, then renamed)."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for entry in self._by_url.values():
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def get(self, url: str) -> dict[str, str] | None:
        """The validators recorded for `url`, if any."""
        with self._lock:
            return self._by_url.get(url)

    def put(self, url: str, headers: dict[str, str], sha256: str) -> None:
        """Remember the validators of `url`'s latest body, if the response gave any."""
        entry = {"url": url, "sha256": sha256}
        for field, header in (("etag", "etag"), ("last_modified", "last-modified"), ("content_type", "content-type")):
            if headers.get(header):
                entry[field] = headers[header]
        if "etag" not in entry and "last_modified" not in entry:
            return
        with self._lock:
            if self._by_url.get(url) == entry:
                return
            self._by_url[url] = entry
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def archive_keys(self) -> set[str]:
        """The archived bodies the validators belong to (a 304 is answered from them)."""
        with self._lock:
            return {entry["sha256"] for entry in self._by_url.values()}

    def forget(self, url: str) -> None:
        """Drop `url`'s validators (their archived body is gone); not persisted, harmless."""
        with self._lock:
            self._by_url.pop(url, None)

    def conditional_headers(self, url: str, archive: PageArchive) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for `url`, when its last body is archived."""
        known = self.get(url)
        if not known or known["sha256"] not in archive:
            return {}
        headers = {}
        if "etag" in known:
            headers["If-None-Match"] = known["etag"]
        if "last_modified" in known:
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def archived_body(self, url: str, archive: PageArchive) -> tuple[bytes, str | None]:
        """The archived body a 304 for `url` refers to, with the Content-Type it came with."""
        known = self.get(url)
        archived = archive.get(known["sha256"]) if known else None
        if archived is None:
            # The archive lost the body after the request was made; the next fetch of this
            # URL is unconditional again.
            self.forget(url)
            raise FetchError(f"GET {url}: HTTP 304 but the archived body is gone", url=url, status=304)
        return archived, known.get("content_type")
