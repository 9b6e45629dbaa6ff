"""The Hugging Face Hub side of `stage`: resolve a model at a revision, read its small files, download the rest.

Everything goes through `huggingface_hub` and its cache: a file downloaded completely is never
fetched again (a rerun after an interruption downloads only what is missing), and a connection
dropped mid-file is resumed with a Range request. `HF_ENDPOINT` and `HF_TOKEN` are read when a
`Hub` is made, not when `huggingface_hub` was imported.
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx2
from huggingface_hub import HfApi, get_token, hf_hub_download, snapshot_download, try_to_load_from_cache
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import RepoFile

from llm_hosting.onboarding import OnboardingError, size_text

DEFAULT_ENDPOINT = "https://huggingface.co"


class HubError(OnboardingError):
    """What the Hub answered, as one line (it names the model itself)."""


@dataclass(frozen=True)
class HubModel:
    """A model repository resolved to one commit, with its files and their sizes."""

    model_id: str
    revision: str
    commit: str
    sizes: dict[str, int]
    gated: bool

    @property
    def label(self) -> str:
        return (
            f"{self.model_id}@{self.revision}"
            if self.revision == self.commit
            else (f"{self.model_id}@{self.revision} ({self.commit[:12]})")
        )


def free_bytes(path: Path) -> int:
    """Free space on the file system that holds `path` (or its nearest existing parent)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return shutil.disk_usage(Path.cwd()).free


class Hub:
    """One Hub endpoint and token, downloading into `cache_dir`."""

    def __init__(self, cache_dir: Path, *, endpoint: str | None = None, token: str | None = None) -> None:
        self.cache_dir = cache_dir
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.token = token if token is not None else get_token()
        self.api = HfApi(endpoint=self.endpoint, token=self.token or False)

    # --- errors ------------------------------------------------------------------------------

    def gated_line(self, model_id: str) -> str:
        page = f"{self.endpoint}/{model_id}"
        if not self.token:
            return f"{model_id} is gated: accept its terms at {page} and set HF_TOKEN to a token of that account"
        return f"{model_id} is gated and your HF_TOKEN has no access yet; accept its terms at {page}, then retry"

    def error_line(self, err: Exception, model_id: str, revision: str) -> str:
        """One line for what the Hub said, with the fix."""
        page = f"{self.endpoint}/{model_id}"
        if isinstance(err, HFValidationError):
            return (
                f"MODEL_ID {model_id!r} is not a Hugging Face model id; write it as owner/name, e.g. google/flan-t5-xxl"
            )
        if isinstance(err, GatedRepoError):
            return self.gated_line(model_id)
        if isinstance(err, RevisionNotFoundError):
            return (
                f"--revision {revision!r}: {model_id} has no such branch, tag or commit; "
                f"see {page}/tree/main for its branches and tags"
            )
        if isinstance(err, RepositoryNotFoundError):
            if not self.token:
                return (
                    f"{model_id}: no such model on {self.endpoint}, or it is private and HF_TOKEN is not set; "
                    "check the id, or set HF_TOKEN to a token that can read it"
                )
            return (
                f"{model_id}: no such model on {self.endpoint}, or your HF_TOKEN cannot read it; "
                "check the id and the token"
            )
        if isinstance(err, HfHubHTTPError):
            status = err.response.status_code if err.response is not None else "?"
            if status == 401:
                return "HF_TOKEN is not a valid Hugging Face token (the Hub answered 401); set a current one"
            return f"{model_id}: the Hub answered HTTP {status} ({str(err).splitlines()[0]}); retry later"
        if isinstance(err, httpx2.TransportError | LocalEntryNotFoundError):
            return (
                f"cannot reach the Hugging Face Hub at {self.endpoint} ({type(err).__name__}); "
                "check the network, proxy or HF_ENDPOINT"
            )
        return f"{model_id}: {err}"

    # --- resolve and read --------------------------------------------------------------------

    def resolve(self, model_id: str, revision: str) -> HubModel:
        """The commit `revision` points at and the repository's files there."""
        try:
            info = self.api.model_info(model_id, revision=revision)
            if info.sha is None:
                raise HubError(f"{model_id}: the Hub did not say which commit {revision!r} is; retry later")
            files = {
                entry.path: int(entry.size)
                for entry in self.api.list_repo_tree(model_id, revision=info.sha, recursive=True)
                if isinstance(entry, RepoFile)
            }
        except (HfHubHTTPError, HFValidationError, httpx2.TransportError) as err:
            raise HubError(self.error_line(err, model_id, revision)) from None
        return HubModel(
            model_id=model_id,
            revision=revision,
            commit=info.sha,
            sizes=files,
            gated=bool(info.gated),
        )

    def require_access(self, model: HubModel) -> None:
        """A gated model's files need a token; say so before downloading anything."""
        if model.gated and not self.token:
            raise HubError(self.gated_line(model.model_id))

    def fetch(self, model: HubModel, path: str) -> bytes:
        """One file's bytes, through the cache."""
        try:
            local = hf_hub_download(
                model.model_id,
                path,
                revision=model.commit,
                cache_dir=self.cache_dir,
                endpoint=self.endpoint,
                token=self.token or False,
            )
        except (HfHubHTTPError, EntryNotFoundError, LocalEntryNotFoundError, httpx2.TransportError) as err:
            raise HubError(self.error_line(err, model.model_id, model.revision)) from None
        return Path(local).read_bytes()

    def cached(self, model: HubModel, path: str) -> Path | None:
        found = try_to_load_from_cache(model.model_id, path, cache_dir=self.cache_dir, revision=model.commit)
        return Path(found) if isinstance(found, str) else None

    def missing_bytes(self, model: HubModel, files: Sequence[str]) -> int:
        """Bytes of `files` the cache does not hold yet (what a download will write)."""
        return sum(model.sizes[f] for f in files if self.cached(model, f) is None)

    def check_disk(self, model: HubModel, files: Sequence[str]) -> None:
        """Refuse to start a download the disk cannot hold, by the sizes the Hub reports."""
        needed = self.missing_bytes(model, files)
        available = free_bytes(self.cache_dir)
        if needed > available:
            raise OnboardingError(
                f"not enough disk space in {self.cache_dir}: {model.model_id} needs {size_text(needed)} more "
                f"({needed} bytes) and {size_text(available)} ({available} bytes) are free; free some, or pass "
                "--cache-dir on a larger disk"
            )

    def download(self, model: HubModel, files: Sequence[str]) -> Path:
        """Download `files` (those not cached yet), with huggingface_hub's progress bars; the snapshot folder."""
        # allow_patterns are fnmatch patterns: escape names so `[` or `*` in a file name match only itself.
        patterns = [glob.escape(f) for f in files]
        try:
            folder = snapshot_download(
                model.model_id,
                revision=model.commit,
                cache_dir=self.cache_dir,
                endpoint=self.endpoint,
                token=self.token or False,
                allow_patterns=patterns,
            )
        except (HfHubHTTPError, LocalEntryNotFoundError, httpx2.TransportError) as err:
            raise HubError(self.error_line(err, model.model_id, model.revision)) from None
        return Path(folder)
