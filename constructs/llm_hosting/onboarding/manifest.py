"""The completion marker of a staged prefix: `llm-hosting-manifest.json`, written last.

`stage` deletes an older manifest before it changes anything under the prefix, uploads every file,
verifies each object's S3 SHA-256 checksum, and only then writes the manifest listing every file
with its size and checksums. So a prefix with a manifest whose files are all present at their sizes
is complete; a prefix without one is an interrupted (or hand-made) upload. `check` reads it.

The manifest sits beside the weights: DJL Serving copies the whole prefix and the engines read
config.json, the weights and the tokenizer by name, so one more JSON file is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MANIFEST = "llm-hosting-manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class StagedFile:
    path: str
    """Path relative to the prefix (the repository path)."""
    size: int
    sha256: str
    """Hex SHA-256 of the whole file."""
    checksum_sha256: str
    """The object's S3 SHA-256 checksum as S3 stores it: base64, `-<parts>` for a multipart object."""


@dataclass(frozen=True)
class Manifest:
    model_id: str
    revision: str
    """What was asked for (`main`, a tag, a commit)."""
    commit: str
    """The commit it resolved to: what was staged."""
    model_type: str
    files: tuple[StagedFile, ...]

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "model_id": self.model_id,
            "revision": self.revision,
            "commit": self.commit,
            "model_type": self.model_type,
            "files": [
                {"path": f.path, "size": f.size, "sha256": f.sha256, "checksum_sha256": f.checksum_sha256}
                for f in sorted(self.files, key=lambda f: f.path)
            ],
        }
        return (json.dumps(document, indent=2) + "\n").encode()

    @property
    def sizes(self) -> dict[str, int]:
        return {f.path: f.size for f in self.files}


class ManifestError(ValueError):
    """A manifest that cannot be read."""


def parse_manifest(body: bytes) -> Manifest:
    try:
        data: Any = json.loads(body)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ManifestError(f"is not a format-{FORMAT} manifest")
        files = tuple(
            StagedFile(str(f["path"]), int(f["size"]), str(f["sha256"]), str(f["checksum_sha256"]))
            for f in data["files"]
        )
        return Manifest(
            model_id=str(data["model_id"]),
            revision=str(data["revision"]),
            commit=str(data["commit"]),
            model_type=str(data["model_type"]),
            files=files,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        if isinstance(err, ManifestError):
            raise
        raise ManifestError(f"cannot be read ({type(err).__name__}: {err})") from None


def incomplete_files(manifest: Manifest, listing: Mapping[str, int]) -> list[str]:
    """Files the manifest lists that the prefix lacks, or holds at another size."""
    return [f.path for f in manifest.files if listing.get(f.path) != f.size]
