"""Where each DJL fact comes from: the djl-serving ref read for every image version, and a citation type.

The DLC images are built from djl-serving's `<version>-dlc` release branches (from 0.22.1 on the
branch builds its own .deb: `COPY distribution[s]/` in serving/docker/*.Dockerfile); where a version
has a tag and the branch did not change the file read, the tag is cited. 0.21.0-dlc branched before
the v0.21.0 tag and installs the released 0.21.0 .deb, so its Python and Java code is the tag's.
"""

from __future__ import annotations

from dataclasses import dataclass

DJL_SERVING = "deepjavalibrary/djl-serving"
FT_WHEEL_FORK = "rohithkrn/FasterTransformer"


@dataclass(frozen=True)
class Source:
    """One cited place: repository, ref (tag or branch), commit, path and what it shows there."""

    ref: str
    commit: str
    path: str
    shows: str
    repo: str = DJL_SERVING

    def __str__(self) -> str:
        return f"{self.repo}@{self.ref} ({self.commit[:8]}) {self.path}: {self.shows}"


REFS: dict[str, tuple[str, str]] = {
    "0.21.0": ("v0.21.0", "583dbc0c2350efb1a620bf6da7ee29a90acbe607"),
    "0.22.1": ("v0.22.1", "e5c21130ac52f5715edbb58c6b8d49fadd46f6fd"),
    "0.23.0": ("v0.23.0", "e69b646d0f265dfa2beef4a53afc59875b3fb2d0"),
    "0.24.0": ("v0.24.0", "9481927831f1edf03e7b1fcb4dddd5d82d059c9e"),
    "0.25.0": ("v0.25.0", "043e7afc9e69d22efb2a4fbc828f1daa40f32fa5"),
    "0.26.0": ("v0.26.0", "b909f121d06c19f844f03245daed29a1abbe64a8"),
    "0.27.0": ("v0.27.0", "ad6cc1fa8b85bb2caccd8521c8dfd943b3d81359"),
    "0.28.0": ("v0.28.0", "73a782da2778df24e31d9e7692076896f7cf189b"),
    "0.29.0": ("v0.29.0", "c343d60b35f0d42f96f678570a553953f055ab32"),
    "0.30.0": ("0.30.0-dlc", "fefd40ec6375"),
    "0.31.0": ("0.31.0-dlc", "2389a1bb7177"),
    "0.32.0": ("0.32.0-dlc", "3d6ad832ae37"),
    "0.33.0": ("0.33.0-dlc", "8b3b685b65f0"),
    "0.34.0": ("0.34.0-dlc", "63a6dcf39c79"),
    "0.35.0": ("v0.35.0", "e2bae958d87a695f1811ba6cf559e79c907a4581"),
    "0.36.0": ("0.36.0-lmi27-dlc", "7e13b081383b"),
}
"""The ref read for each image version (0.30-0.34 have no tag; 0.36.0-lmi27.0.0 is the lmi27 branch)."""

DLC_BRANCHES: dict[str, tuple[str, str]] = {
    "0.21.0": ("0.21.0-dlc", "693ee3c6f3d9"),
    "0.22.1": ("0.22.1-dlc", "72eed0f1691b"),
    "0.23.0": ("0.23.0-dlc", "07673c54097d"),
    "0.24.0": ("0.24.0-dlc", "7fa3694ccdf2"),
}
"""Release branches the FasterTransformer images were built from, where they differ from the tag."""


def djl(version: str, path: str, shows: str) -> Source:
    """A citation of djl-serving at the ref read for `version`."""
    ref, commit = REFS[version]
    return Source(ref=ref, commit=commit, path=path, shows=shows)


def dlc(version: str, path: str, shows: str) -> Source:
    """A citation of the `<version>-dlc` release branch (FasterTransformer images 0.21.0-0.24.0)."""
    ref, commit = DLC_BRANCHES[version]
    return Source(ref=ref, commit=commit, path=path, shows=shows)


def version_key(version: str) -> tuple[int, ...]:
    """`0.24.0` -> (0, 24, 0), for ordering image versions."""
    return tuple(int(part) for part in version.split("."))
