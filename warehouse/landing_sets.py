"""Landing sets: the units the load takes whole, found by listing the landing folder.

A set is the files one **marker** vouches for, the marker being the file written last (so a
marker that exists says its set is whole):

| kind | marker | other files |
|---|---|---|
| portal | `{run_id}/{portal}.run.json` | `{portal}.listings.parquet`, `{portal}.fetches.parquet` |
| batch | `{run_id}/{name}.batch.parquet` (its rows; the runs in its footer) | `{name}.batch-fetches.parquet` |
| part | `compacted/{part}/runs.parquet` (the runs; its footer names the sets it replaced) | `listings.parquet`, `fetches.parquet` |

A night's report files (`reported.reads.parquet`, written last, and `reported.figures.parquet`)
sit in its run folder too; they are no set: warehouse/reported_store.py loads them.

Parts are made by compaction (warehouse/compact.py) from sets already loaded (a night's sets,
or a month's parts); a whole part **supersedes** the sets it names, which are then removed. Paths are kept relative to the
landing folder (`rel`), as the manifest stores them (warehouse/manifest.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.landing_stream import read_runs
from warehouse.reported_store import REPORTED_FILES

COMPACTED = "compacted"  # the folder of compacted parts, beside the run folders
PART_FILES = {"listings": "listings.parquet", "fetches": "fetches.parquet", "marker": "runs.parquet"}
SOURCES_KEY = b"xxgk.sources"  # a part's runs file's footer entry: the markers it replaced


@dataclass(frozen=True)
class LandingSet:
    """One whole landing set: its kind, its marker and its data files (None when absent)."""

    kind: str  # portal | batch | part
    marker: Path
    listings: Path | None
    fetches: Path | None

    @property
    def files(self) -> list[Path]:
        """Its files, the marker last (the order they are written in, and removed in)."""
        return [path for path in (self.listings, self.fetches) if path is not None and path != self.marker] + [
            self.marker
        ]

    def documents(self) -> list[dict]:
        """The run documents it holds (a portal's run file, a batch's footer, a part's runs)."""
        if self.kind == "portal":
            document = json.loads(self.marker.read_text(encoding="utf-8"))
            if not isinstance(document, dict):
                raise ValueError("run file is not a JSON object")
            return [document]
        if self.kind == "batch":
            return read_runs(self.marker)
        return [json.loads(text) for text in pq.read_table(self.marker, columns=["document"]).column(0).to_pylist()]

    def month(self) -> str | None:
        """`YYYY-MM` of the run folder it sits in, else None (a part)."""
        return None if self.kind == "part" else month_of(self.marker.parent.name)


def month_of(run_id: str) -> str | None:
    """`YYYY-MM` of a run id (a UTC timestamp, `20130105T020000Z`), else None."""
    if len(run_id) != 16 or not run_id[:8].isdigit() or run_id[8] != "T":
        return None
    return f"{run_id[:4]}-{run_id[4:6]}"


def rel(landing: Path, path: Path) -> str:
    """A landing path as the manifest keeps it: relative to the landing folder, with `/`."""
    return path.relative_to(landing).as_posix()


def _run_folder(folder: Path) -> tuple[list[LandingSet], list[Path]]:
    """The whole sets of one run folder, and its files no marker vouches for."""
    names = {name for name in os.listdir(folder) if not name.startswith(".")}
    sets, vouched = [], set()
    for name in sorted(names):
        if name.endswith(".run.json"):
            stem = name.removesuffix(".run.json")
            data = [f"{stem}.listings.parquet", f"{stem}.fetches.parquet"]
            listings, fetches = (folder / d if d in names else None for d in data)
            sets.append(LandingSet("portal", folder / name, listings, fetches))
        elif name.endswith(".batch.parquet"):
            stem = name.removesuffix(".batch.parquet")
            data = [f"{stem}.batch-fetches.parquet"]
            fetches = folder / data[0] if data[0] in names else None
            sets.append(LandingSet("batch", folder / name, folder / name, fetches))
        elif name == REPORTED_FILES["reads"]:  # the night's report files: loaded on their own
            data = [REPORTED_FILES["figures"]]
        else:
            continue
        vouched |= {name, *data}
    loose = [folder / name for name in sorted(names - vouched) if name.endswith(".parquet")]
    return sets, loose


def uncompacted(landing: Path) -> tuple[list[LandingSet], list[Path]]:
    """Every whole set of the run folders, in run order, and the landing files no marker
    vouches for (an interrupted harvest's). The compacted parts are not looked at."""
    if not landing.is_dir():
        return [], []
    sets: list[LandingSet] = []
    loose: list[Path] = []
    for entry in sorted(os.scandir(landing), key=lambda e: e.name):
        if entry.is_dir() and entry.name != COMPACTED and not entry.name.startswith("."):
            found, unvouched = _run_folder(Path(entry.path))
            sets += found
            loose += unvouched
    return sets, loose


def parts(landing: Path) -> list[LandingSet]:
    """Every whole compacted part (a part folder is renamed into place only when whole)."""
    folder = landing / COMPACTED
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        part = Path(entry.path)
        if entry.is_dir() and not entry.name.startswith(".") and (part / PART_FILES["marker"]).exists():
            listings, fetches = (part / PART_FILES[k] for k in ("listings", "fetches"))
            found.append(
                LandingSet("part", part / PART_FILES["marker"], listings, fetches if fetches.exists() else None)
            )
    return found


def sources_of(part: LandingSet) -> list[str]:
    """The markers (relative to the landing folder) of the sets a part replaced."""
    metadata = pq.read_metadata(part.marker).metadata or {}
    return json.loads(metadata.get(SOURCES_KEY, b"[]"))


def every_set(landing: Path) -> tuple[list[LandingSet], list[LandingSet], list[Path]]:
    """The sets that hold the landing archive (every whole part, then every run folder's set,
    that no whole part supersedes), the superseded sets still on disk, and the unvouched files."""
    whole = parts(landing)
    replaced = {source for part in whole for source in sources_of(part)}
    sets, loose = uncompacted(landing)
    every = whole + sets
    kept = [s for s in every if rel(landing, s.marker) not in replaced]
    return kept, [s for s in every if rel(landing, s.marker) in replaced], loose


def listing_files(data_dir: str | os.PathLike) -> list[Path]:
    """Every listings file of the landing archive, compacted or not, none twice."""
    sets, _, _ = every_set(Path(data_dir) / "landing")
    return [s.listings for s in sets if s.listings is not None]
