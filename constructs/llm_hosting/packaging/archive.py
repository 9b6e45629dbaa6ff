"""Reproducible `model.tar.gz`: the same files always give the same bytes, so the same asset hash.

Entries are sorted; owners, groups and modification times are fixed; file modes are normalised to
0644/0755; the gzip header carries no name and mtime 0. Caches and editor files are left out.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path

# 1980-01-01: some extractors warn about (or reject) entries dated at the Unix epoch.
FIXED_MTIME = 315532800
_EXCLUDED_DIRS = {"__pycache__", ".git", ".pytest_cache", ".mypy_cache", ".ipynb_checkpoints"}
_EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
_EXCLUDED_NAMES = {".DS_Store"}


def iter_source_files(root: Path) -> Iterator[Path]:
    """Files under `root` that belong in an archive, in sorted order of their relative path."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _EXCLUDED_DIRS)
        for name in filenames:
            if name in _EXCLUDED_NAMES or name.endswith(_EXCLUDED_SUFFIXES):
                continue
            found.append(Path(dirpath, name))
    yield from sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _info(name: str, size: int, *, directory: bool = False, executable: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if directory:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = size
        info.mode = 0o755 if executable else 0o644
    return info


def build_archive(
    dest: Path,
    *,
    source: Path | None = None,
    prefix: str = "",
    replace: Mapping[str, bytes] | None = None,
) -> Path:
    """Write `dest` (a .tar.gz) from the files under `source`, each under `prefix/`.

    `replace` maps archive-relative paths (without the prefix) to contents that are written instead
    of, or in addition to, the files on disk — e.g. a `serving.properties` rendered from the catalog.
    """
    files: dict[str, tuple[bytes, bool]] = {}
    if source is not None:
        for path in iter_source_files(source):
            rel = path.relative_to(source).as_posix()
            files[rel] = (path.read_bytes(), os.access(path, os.X_OK))
    for rel, content in (replace or {}).items():
        files[rel] = (content, False)

    members: dict[str, tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]] = {}
    base = prefix.strip("/")
    for rel, (content, executable) in files.items():
        name = f"{base}/{rel}" if base else rel
        parts = name.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            members.setdefault(directory, _info(directory, 0, directory=True))
        members[name] = (_info(name, len(content), executable=executable), content)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(members):
            member = members[name]
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                info, content = member
                tar.addfile(info, io.BytesIO(content))

    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue())
    return dest
