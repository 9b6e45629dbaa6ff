"""Customers' archives on one real Triton server, loaded the way SageMaker loads them, prepared in the background.

Each customer is a copy of a shipped repository (model_artifacts/triton/<task>) with what a customer
adds: tokenizer files (a tiny WordLevel tokenizer of their own, built with `tokenizers` and saved with
transformers' `PreTrainedTokenizerFast.save_pretrained`, so `AutoTokenizer` loads it as it loads any
Hugging Face tokenizer), the packed Python environment, and stand-ins for the networks
(tests/triton/network_standins.py). Every customer's vocabulary orders the same words differently, so
the same text gets different ids, hence a different embedding or completion per customer.

The archives are made by `llm_hosting.publish.pack_model` (as `publish` makes them), except the
`rewrite=False` customers, packed as `publish` did before it renamed models per archive. Each is then
unpacked as SageMaker does, into /opt/ml/models/<hash>/model (here under a temporary directory), and
loaded through the SageMaker front end's `POST /models`, all at once.

`Deployment.start()` does all of this on a thread while the rest of the test suite runs;
`Deployment.ready()` waits for it and raises with the server's log when anything failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llm_hosting.packaging.archive import build_archive
from llm_hosting.publish import ModelArchive, pack_model
from tests.synth import ROOT
from tests.triton.network_standins import EOS_ID, FIRST_WORD_ID, hidden_state, install_standins
from tests.triton.python_env import PackedEnvironment, packed_environment
from tests.triton.server import Reply, SageMakerClient, TritonServer, TritonUnavailable, scratch_directory

TRITON = ROOT / "model_artifacts" / "triton"
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "hello",
    "world",
    "green",
    "tea",
    "cold",
    "river",
    "stone",
    "light",
    "rain",
    "falls",
    "on",
    "old",
    "roofs",
]
LAST_WORD = "zzz"  # every vocabulary ends with it, so every other word has a successor
DEFAULT_MAX_NEW_TOKENS = 32  # generate/config.pbtxt: default_max_new_tokens


@dataclass(frozen=True)
class Customer:
    name: str
    """The archive name (`publish --name`): TargetModel `<name>.tar.gz`."""
    task: str
    seed: int
    rewrite: bool = True

    @property
    def target_model(self) -> str:
        return f"{self.name}.tar.gz"

    @property
    def model_name_hash(self) -> str:
        """What SageMaker sends as `model_name` (a digest of the TargetModel; opaque to the container)."""
        return hashlib.md5(self.target_model.encode()).hexdigest()  # noqa: S324 - a name, not security

    @property
    def words(self) -> list[str]:
        order = list(WORDS)
        random.Random(self.seed).shuffle(order)  # noqa: S311 - a fixed test permutation
        return [*order, LAST_WORD]

    @property
    def vocabulary(self) -> dict[str, int]:
        return {"<pad>": 0, "</s>": EOS_ID, "<unk>": 2} | {w: FIRST_WORD_ID + i for i, w in enumerate(self.words)}

    def ids(self, text: str) -> list[int]:
        """What the customer's tokenizer makes of `text`: one id per word, then </s>."""
        return [self.vocabulary[w] for w in text.split()] + [EOS_ID]

    def completion(self, text: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> str:
        """The stand-in decoder's completion: each word replaced by the next word of this vocabulary."""
        words = self.words
        return " ".join(words[words.index(w) + 1] for w in text.split()[:max_new_tokens])

    def embedding(self, text: str) -> np.ndarray:
        """Mean of the stand-in encoder's states over the real tokens, L2-normalised (postprocess, normalize)."""
        ids = self.ids(text)
        states = np.array([[hidden_state(i, h) for h in range(8)] for i in ids], dtype=np.float32)
        pooled = states.mean(axis=0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)


CUSTOMERS = (
    Customer("acme-autocomplete", "autocomplete", seed=1),
    Customer("globex-autocomplete", "autocomplete", seed=2),
    Customer("initech-autocomplete", "autocomplete", seed=3),
    Customer("acme-embeddings", "embeddings", seed=4),
    Customer("globex-embeddings", "embeddings", seed=5),
    # Published as before archives were renamed: both keep the shipped model names.
    Customer("umbrella-autocomplete", "autocomplete", seed=6, rewrite=False),
    Customer("hooli-autocomplete", "autocomplete", seed=7, rewrite=False),
)

_BUILD_TOKENIZERS = """
import json, sys
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

for directory, vocabulary in json.loads(sys.argv[1]).items():
    tokenizer = Tokenizer(models.WordLevel(vocabulary, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # T5's tokenizers end every sequence with </s>, as the shipped repositories expect.
    tokenizer.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(directory)
"""


def build_tokenizers(environment: PackedEnvironment, customers: dict[Path, Customer], env: dict[str, str]) -> None:
    """Every customer's tokenizer, built and saved by the packed environment's transformers."""
    spec = json.dumps({str(directory): c.vocabulary for directory, c in customers.items()})
    done = subprocess.run(
        [str(environment.python), "-c", _BUILD_TOKENIZERS, spec], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise TritonUnavailable(f"building the test tokenizers failed:\n{done.stderr[-3000:]}")


def customer_repository(customer: Customer, workdir: Path, environment: PackedEnvironment) -> Path:
    """A copy of the shipped repository with the customer's files, as it is before publishing."""
    source = workdir / "src" / customer.name
    shutil.copytree(TRITON / customer.task, source, ignore=shutil.ignore_patterns("__pycache__"))
    install_standins(source, customer.task)
    shutil.copy2(environment.archive, source / "python-env.tar.gz")
    return source


def package(customer: Customer, source: Path, workdir: Path) -> Path:
    """The archive, as `publish` makes it (or made it, before renaming, for `rewrite=False`)."""
    out = workdir / "archives" / customer.name
    out.mkdir(parents=True)
    if customer.rewrite:
        archive: ModelArchive = pack_model(source, out, name=customer.name)
        return archive.path
    return build_archive(out / customer.target_model, source=source)


def unpack(customer: Customer, archive: Path, workdir: Path) -> Path:
    """Where SageMaker unpacks an archive: /opt/ml/models/<hash>/model (the url of the load request)."""
    url = workdir / "opt" / "ml" / "models" / customer.model_name_hash / "model"
    url.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(url, filter="data")
    return url


@dataclass
class Deployment:
    workdir: Path
    environ: dict[str, str]
    """The process environment when it started: tests running meanwhile may patch os.environ."""
    server: TritonServer | None = None
    sagemaker: SageMakerClient | None = None
    urls: dict[str, Path] = field(default_factory=dict)
    loads: dict[str, Reply] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    _thread: threading.Thread | None = None
    _error: BaseException | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls) -> Deployment:
        deployment = cls(scratch_directory(), dict(os.environ))
        deployment._thread = threading.Thread(target=deployment._run, name="triton-deployment", daemon=True)
        deployment._thread.start()
        return deployment

    def _run(self) -> None:
        try:
            began = time.monotonic()
            self.server = TritonServer.start(self.workdir, self.environ)
            self.sagemaker = SageMakerClient(self.server.sagemaker_url)
            environment = packed_environment(self.environ)
            self.timings["packed environment"] = time.monotonic() - began
            sources = {c.name: customer_repository(c, self.workdir, environment) for c in CUSTOMERS}
            tokenizers = {sources[c.name] / "preprocess" / "1": c for c in CUSTOMERS}
            build_tokenizers(environment, tokenizers, self.environ)
            self.timings["tokenizers"] = time.monotonic() - began
            for customer in CUSTOMERS:
                if self._stopping.is_set():  # the session ended first (e.g. -x): leave at once
                    return
                archive = package(customer, sources[customer.name], self.workdir)
                self.urls[customer.name] = unpack(customer, archive, self.workdir)
            self.timings["archives"] = time.monotonic() - began
            self.server.wait_live()
            self.timings["server live"] = time.monotonic() - began
            with ThreadPoolExecutor(max_workers=len(CUSTOMERS)) as pool:
                for customer, reply in zip(CUSTOMERS, pool.map(self._load, CUSTOMERS), strict=True):
                    self.loads[customer.name] = reply
            self.timings["loaded"] = time.monotonic() - began
        except BaseException as err:  # reported by ready(), in the test that waits
            self._error = err

    def _load(self, customer: Customer) -> Reply:
        assert self.sagemaker is not None
        return self.sagemaker.load(customer.model_name_hash, self.urls[customer.name], customer.target_model)

    def ready(self, timeout_s: float = 300.0) -> Deployment:
        """Wait for the preparation; raise with the server's log if it failed or took too long."""
        assert self._thread is not None
        self._thread.join(timeout_s)
        log = f"\n--- tritonserver log (last lines) ---\n{self.server.log_tail()}" if self.server else ""
        if self._thread.is_alive():
            done = ", ".join(f"{step} at {seconds:.0f} s" for step, seconds in self.timings.items()) or "nothing"
            raise TritonUnavailable(f"the Triton deployment was not ready after {timeout_s:.0f} s (done: {done}){log}")
        if self._error is not None:
            if isinstance(self._error, TritonUnavailable):
                raise self._error
            raise TritonUnavailable(f"preparing the Triton deployment failed: {self._error!r}{log}") from self._error
        return self

    def stop(self) -> None:
        """Stop the server (and its stubs) by its process group, even mid-preparation, and remove the files."""
        self._stopping.set()
        if self.server is not None:
            self.server.stop()  # pending loads fail at once, so the thread ends
        if self._thread is not None:
            self._thread.join(60)
        if self.server is not None:
            self.server.stop()  # in case the thread started it meanwhile
        shutil.rmtree(self.workdir, ignore_errors=True)
