"""A local stand-in for the Hugging Face Hub on 127.0.0.1, for the real `huggingface_hub` client (`HF_ENDPOINT`).

It answers the requests huggingface_hub 2.4.0 (the pinned version) makes, as its sources read them:

- `GET /api/models/<repo>/revision/<rev>`: `HfApi.model_info` (hf_api.py) -> `id`, `sha`, `private`,
  `gated`, `siblings`. A gated repository's metadata is public, as on the Hub.
- `GET /api/models/<repo>/tree/<rev>?recursive=..&expand=..`: `HfApi.list_repo_tree` -> file entries
  `{type, oid, size, path, lfs: {oid, size, pointerSize}}`, paginated with a `Link: <..>; rel="next"`
  header (utils/_pagination.py).
- `HEAD`/`GET /<repo>/resolve/<rev>/<path>`: `get_hf_file_metadata` (file_download.py) reads
  `X-Repo-Commit`, `ETag` (a regular file's git blob SHA-1) and `Content-Length`; an LFS file is a
  302 to another origin (the CDN) carrying `X-Linked-Etag` (its SHA-256), `X-Linked-Size` and
  `Location`, which the client does not follow with its token (utils/_http.py
  `_httpx2_follow_hub_redirects_with_backoff`).
- `GET <cdn>/blobs/<sha256>`: `http_get` with `Range: bytes=N-` to resume a dropped transfer -> 206
  with `Content-Range`.
- Errors as `hf_raise_for_status` (utils/_http.py) tells them apart: `X-Error-Code: RepoNotFound`
  (401 without a token, 404 with one: the Hub does not tell a missing repository from a private
  one), `GatedRepo` (401 without a token, 403 with one that has no access), `RevisionNotFound`
  (404), `EntryNotFound` (404); a token the Hub does not know gets 401 with `X-Error-Message:
  Invalid credentials in Authorization header`.

No Xet headers are sent, so the client takes its plain HTTP path. Every request is recorded; a
transfer can be cut after some bytes once (`drop_after`) or refused (`fail`).

    with HubStandIn() as hub:
        hub.add(HubRepo("acme/tiny", files={...}, lfs={"model.safetensors"}))
        os.environ["HF_ENDPOINT"] = hub.url
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


def git_blob_sha1(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # noqa: S324 - git's object id


def lfs_pointer(content: bytes) -> bytes:
    """The git-lfs pointer file the repository's git tree holds instead of the content."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(content).hexdigest()}\n"
        f"size {len(content)}\n"
    ).encode()


@dataclass
class HubRepo:
    """A model repository at one commit."""

    repo_id: str
    files: dict[str, bytes]
    lfs: set[str] = field(default_factory=set)
    """Paths stored with git-lfs (served through the CDN origin)."""
    commit: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra refs (tag or branch -> commit); `main` is the commit."""
    private: bool = False
    gated: str | bool = False
    readers: set[str] = field(default_factory=set)
    """Tokens that may read a private or gated repository."""

    def __post_init__(self) -> None:
        if not self.commit:
            listing = "".join(f"{p}:{hashlib.sha256(c).hexdigest()}" for p, c in sorted(self.files.items()))
            self.commit = hashlib.sha1(f"{self.repo_id}|{listing}".encode()).hexdigest()  # noqa: S324 - an id

    def resolve(self, revision: str) -> str | None:
        refs = {"main": self.commit, **self.tags}
        if revision in refs:
            return refs[revision]
        return revision if revision == self.commit else None

    def entry(self, path: str) -> dict[str, Any]:
        content = self.files[path]
        if path in self.lfs:
            pointer = lfs_pointer(content)
            return {
                "type": "file",
                "oid": git_blob_sha1(pointer),
                "size": len(content),
                "path": path,
                "lfs": {"oid": hashlib.sha256(content).hexdigest(), "size": len(content), "pointerSize": len(pointer)},
            }
        return {"type": "file", "oid": git_blob_sha1(content), "size": len(content), "path": path}


@dataclass(frozen=True)
class Request:
    origin: str
    """'hub' or 'cdn'."""
    method: str
    path: str
    range: str | None
    authorization: str | None


@dataclass
class Stall:
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stand_in: HubStandIn, origin: str) -> None:
        self.stand_in = stand_in
        self.origin = origin
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK, 40 ms per response (the Hub itself answers at once).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")

    def _answer(self, method: str) -> None:
        hub = self.server.stand_in
        path = urlsplit(self.path).path
        hub.record(
            Request(self.server.origin, method, path, self.headers.get("Range"), self.headers.get("Authorization"))
        )
        if self.server.origin == "cdn":
            self._blob(method, path)
        else:
            self._hub(method, path)

    # --- replies ---------------------------------------------------------------------------

    def _send(self, status: int, headers: Mapping[str, str], body: bytes = b"", method: str = "GET") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD" and body:
            self.wfile.write(body)

    def _json(self, status: int, data: Any, headers: Mapping[str, str] | None = None, method: str = "GET") -> None:
        body = json.dumps(data).encode()
        self._send(status, {"Content-Type": "application/json", **(headers or {})}, body, method)

    def _error(self, status: int, code: str | None, message: str, method: str, **extra: str) -> None:
        headers = {"X-Error-Message": message, **extra}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers, method)

    # --- the Hub -----------------------------------------------------------------------------

    def _token(self) -> tuple[bool, str | None]:
        """(valid, token): no Authorization header is (True, None)."""
        header = self.headers.get("Authorization")
        if not header:
            return True, None
        token = header.removeprefix("Bearer ").strip()
        return token in self.server.stand_in.tokens, token

    def _hub(self, method: str, path: str) -> None:
        hub = self.server.stand_in
        valid, token = self._token()
        if not valid:
            self._error(401, None, INVALID_CREDENTIALS, method)
            return
        api = re.fullmatch(r"/api/models/(?P<repo>[^/]+/[^/]+)/(?P<kind>revision|tree)/(?P<rev>[^/]+)", path)
        resolve = re.fullmatch(r"/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)", path)
        match = api or resolve
        if match is None:
            self._error(404, None, "Not Found", method)
            return
        repo = hub.repos.get(unquote(match.group("repo")))
        if repo is None or (repo.private and token not in repo.readers):
            status = 404 if token else 401
            self._error(status, "RepoNotFound", "Repository not found", method)
            return
        revision = unquote(match.group("rev"))
        commit = repo.resolve(revision)
        if commit is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", method)
            return
        if api is not None and api.group("kind") == "revision":
            self._model_info(repo, commit, method)
        elif api is not None:
            self._tree(repo, commit, method)
        else:
            self._resolve(repo, commit, unquote(match.group("file")), token, method)

    def _model_info(self, repo: HubRepo, commit: str, method: str) -> None:
        self._json(
            200,
            {
                "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],  # noqa: S324 - an id
                "id": repo.repo_id,
                "private": repo.private,
                "gated": repo.gated,
                "disabled": False,
                "sha": commit,
                "lastModified": "2026-01-01T00:00:00.000Z",
                "library_name": "transformers",
                "tags": ["transformers", "safetensors"],
                "siblings": [{"rfilename": p} for p in sorted(repo.files)],
            },
            method=method,
        )

    def _tree(self, repo: HubRepo, commit: str, method: str) -> None:
        hub = self.server.stand_in
        query = parse_qs(urlsplit(self.path).query)
        start = int(query.get("cursor", ["0"])[0])
        paths = sorted(repo.files)
        page = paths[start : start + hub.page_size]
        headers: dict[str, str] = {}
        if start + hub.page_size < len(paths):
            base = f"{hub.url}/api/models/{repo.repo_id}/tree/{quote(commit, safe='')}"
            headers["Link"] = f'<{base}?recursive=True&expand=False&cursor={start + hub.page_size}>; rel="next"'
        self._json(200, [repo.entry(p) for p in page], headers, method)

    def _resolve(self, repo: HubRepo, commit: str, file: str, token: str | None, method: str) -> None:
        hub = self.server.stand_in
        if repo.gated and token not in repo.readers:
            status = 403 if token else 401
            message = (
                f"Access to model {repo.repo_id} is restricted and you are not in the authorized list. "
                f"Visit {hub.url}/{repo.repo_id} to ask for access."
                if token
                else f"Access to model {repo.repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            self._error(status, "GatedRepo", message, method)
            return
        if file not in repo.files:
            self._error(
                404, "EntryNotFound", f'{file} does not exist on "{commit}"', method, **{"X-Repo-Commit": commit}
            )
            return
        failure = hub.failure(file)
        if failure is not None:
            self._error(failure, None, "Internal Error", method, **{"X-Repo-Commit": commit})
            return
        content = repo.files[file]
        if file in repo.lfs:
            sha256 = hashlib.sha256(content).hexdigest()
            self._send(
                302,
                {
                    "Location": f"{hub.cdn_url}/blobs/{sha256}",
                    "X-Repo-Commit": commit,
                    "X-Linked-Etag": f'"{sha256}"',
                    "X-Linked-Size": str(len(content)),
                    "ETag": f'"{git_blob_sha1(lfs_pointer(content))}"',
                },
                method=method,
            )
            return
        headers = {
            "X-Repo-Commit": commit,
            "ETag": f'"{git_blob_sha1(content)}"',
            "Content-Type": "application/octet-stream",
        }
        self._send(200, headers, content, method)

    # --- the CDN -----------------------------------------------------------------------------

    def _blob(self, method: str, path: str) -> None:
        hub = self.server.stand_in
        match = re.fullmatch(r"/blobs/(?P<sha>[0-9a-f]{64})", path)
        content = hub.blobs().get(match.group("sha")) if match else None
        if content is None:
            self._send(404, {}, b"NoSuchKey", method)
            return
        start = 0
        requested = self.headers.get("Range")
        if requested:
            range_match = re.fullmatch(r"bytes=(\d+)-", requested.strip())
            if range_match is None or int(range_match.group(1)) >= len(content):
                self._send(416, {"Content-Range": f"bytes */{len(content)}"}, b"", method)
                return
            start = int(range_match.group(1))
        body = content[start:]
        headers = {
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
            "Content-Length": str(len(body)),
        }
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(content) - 1}/{len(content)}"
        cut = hub.take_drop(match.group("sha")) if match and method == "GET" else None
        stall = hub.take_stall(match.group("sha")) if match and method == "GET" else None
        if stall is not None:
            # Half the body, then nothing until the test releases it (a transfer a user interrupts).
            self.send_response(206 if start else 200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            stall.reached.set()
            stall.released.wait(timeout=60)
            self.close_connection = True
            return
        if cut is not None and cut < len(body):
            # Promise the whole body, send part of it, close: the client sees the connection drop.
            self.send_response(206 if start else 200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(206 if start else 200, headers, body, method)


class HubStandIn:
    """The Hub and its CDN, each on its own 127.0.0.1 port (two origins, as on the real Hub)."""

    def __init__(self, *, tokens: set[str] | None = None, page_size: int = 1000) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.tokens = set(tokens or ())
        self.page_size = page_size
        self.requests: list[Request] = []
        self._drops: dict[str, int] = {}
        self._failures: dict[str, int] = {}
        self._stalls: dict[str, Stall] = {}
        self._every_stall: list[Stall] = []
        self._lock = threading.Lock()
        self._hub = _Server(self, "hub")
        self._cdn = _Server(self, "cdn")
        # A short poll interval: shutdown() waits for the serving loop to notice it (0.5 s by default).
        self._threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            for s in (self._hub, self._cdn)
        ]

    @property
    def url(self) -> str:
        host, port = self._hub.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def cdn_url(self) -> str:
        host, port = self._cdn.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, repo: HubRepo) -> HubRepo:
        self.repos[repo.repo_id] = repo
        return repo

    def blobs(self) -> dict[str, bytes]:
        return {
            hashlib.sha256(content).hexdigest(): content
            for repo in self.repos.values()
            for path, content in repo.files.items()
            if path in repo.lfs
        }

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def drop_after(self, content: bytes, n_bytes: int) -> None:
        """Cut the next transfer of this LFS file after `n_bytes` (the client resumes with Range)."""
        with self._lock:
            self._drops[hashlib.sha256(content).hexdigest()] = n_bytes

    def take_drop(self, sha256: str) -> int | None:
        with self._lock:
            return self._drops.pop(sha256, None)

    def stall(self, content: bytes) -> Stall:
        """Hold the next transfer of this LFS file half way until `Stall.released` is set."""
        stall = Stall()
        with self._lock:
            self._stalls[hashlib.sha256(content).hexdigest()] = stall
            self._every_stall.append(stall)
        return stall

    def take_stall(self, sha256: str) -> Stall | None:
        with self._lock:
            return self._stalls.pop(sha256, None)

    def fail(self, path: str, status: int = 500) -> None:
        """Answer every resolve of `path` with `status` until `heal()`."""
        with self._lock:
            self._failures[path] = status

    def heal(self) -> None:
        with self._lock:
            self._failures.clear()

    def failure(self, path: str) -> int | None:
        with self._lock:
            return self._failures.get(path)

    def downloads(self) -> list[str]:
        """Paths whose content was sent: regular files by their resolve GET, LFS files by their CDN GET."""
        names = {
            hashlib.sha256(c).hexdigest(): p for r in self.repos.values() for p, c in r.files.items() if p in r.lfs
        }
        found: list[str] = []
        for request in self.requests:
            if request.method != "GET":
                continue
            if request.origin == "cdn":
                found.append(names.get(request.path.rsplit("/", 1)[-1], request.path))
            elif "/resolve/" in request.path:
                found.append(unquote(request.path.split("/resolve/", 1)[1].split("/", 1)[1]))
        return found

    def __enter__(self) -> HubStandIn:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._lock:
            for stall in self._every_stall:
                stall.released.set()
        for server in (self._hub, self._cdn):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
