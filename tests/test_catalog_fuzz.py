"""Fuzz the catalog loader: whatever a file holds, `load_catalog` returns a `LoadedCatalog` or raises a
`CatalogError` of one `FILE: field.path: message` line per problem, never another exception.

Inputs: random text and bytes, random YAML documents (mappings, lists and scalars whose keys are often
real catalog field names), and mutations of valid catalogs (the default catalog, the minimal one and a
catalog that uses every section). Runs are derandomized, so CI sees the same examples every time. Each
test asserts that it ran exactly `EXAMPLES[name]` examples, records the count and the outcomes as
`fuzz_examples_<name>` / `fuzz_outcomes_<name>` test-suite properties (`--junitxml`), and prints them
(`-s` or `-rP`).

Nothing is left out: line breaks and blank keys (F6), repeated component names in one endpoint (F13)
and huge copy counts (F14) are generated like anything else, since the loader handles them
(tests/bad_catalogs/FINDINGS.md).
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from llm_hosting.catalog import CatalogError, LoadedCatalog, load_catalog, schema
from tests.synth import ROOT

EXAMPLES = {"text": 300, "bytes": 100, "documents": 300, "mutations": 300, "reordered": 30}
"""Examples per property; each test asserts it ran exactly this many (valid) examples."""
TOTAL_EXAMPLES = sum(EXAMPLES.values())
"""1,030 in all: about 15 s of CPU time (the mutations dominate: PyYAML parses each catalog twice)."""


def fuzz_settings(property_name: str) -> settings:
    return settings(
        max_examples=EXAMPLES[property_name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# --- the property ------------------------------------------------------------------------------------


def load_outcome(path: Path) -> str:
    """Load `path`; return "loaded" or "error" when the outcome keeps the contract, else fail."""
    source = str(path)
    try:
        loaded = load_catalog(path)
    except CatalogError as err:
        problems, text = err.problems, str(err)
    else:
        assert isinstance(loaded, LoadedCatalog)
        return "loaded"
    assert problems, "a CatalogError without problems"
    lines = text.splitlines()
    assert len(lines) == len(problems), f"a message spans several lines: {text!r}"
    for line, problem in zip(lines, problems, strict=True):
        assert line.startswith(f"{source}: {problem.path}: "), line
        assert problem.path.strip() and problem.message.strip(), f"an empty field path or message: {line!r}"
    return "error"


def run_property(
    name: str,
    strategy: st.SearchStrategy[Any],
    write: Callable[[Path, Any], None],
    tmp_path: Path,
    record_testsuite_property: Callable[[str, object], None],
) -> Counter[str]:
    """Run `load_outcome` on every example `strategy` draws; record and return the outcomes."""
    outcomes: Counter[str] = Counter()
    path = tmp_path / "catalog.yaml"

    @fuzz_settings(name)
    @given(strategy)
    def prop(example: Any) -> None:
        write(path, example)
        outcomes[load_outcome(path)] += 1

    prop()
    total = sum(outcomes.values())
    record_testsuite_property(f"fuzz_examples_{name}", total)
    record_testsuite_property(f"fuzz_outcomes_{name}", dict(outcomes))
    print(f"{name}: {total} examples, {dict(outcomes)}")  # visible with -s / -rP
    assert total == EXAMPLES[name], f"{total} examples ran, not {EXAMPLES[name]}"
    return outcomes


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


# --- (a) random text and bytes -----------------------------------------------------------------------


def test_random_text_gives_a_catalog_or_one_line_per_problem(
    tmp_path: Path, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes = run_property("text", st.text(), write_text, tmp_path, record_testsuite_property)
    assert outcomes["error"] > 0


def test_random_bytes_give_a_catalog_or_one_line_per_problem(
    tmp_path: Path, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes = run_property("bytes", st.binary(max_size=200), write_bytes, tmp_path, record_testsuite_property)
    assert outcomes["error"] > 0


# --- (b) random YAML documents -----------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
FIELD_NAMES = sorted(
    {
        name
        for model in vars(schema).values()
        if isinstance(model, type) and issubclass(model, schema.Spec)
        for name in model.model_fields
    }
)
REAL_VALUES = [
    *schema.ENDPOINT_TYPES,
    "fastertransformer",
    "lmi",
    "tensorrt-llm",
    "triton",
    "custom",
    "ml.g5.12xlarge",
    "ml.g4dn.xlarge",
    "ml.p4d.24xlarge",
    "ml.t2.medium",
    "s3://example-weights/model/",
    "rate(1 hour)",
    "0.32.0",
    "24.09",
    "kms",
    "canary",
    "rolling",
    "linear",
    "us-east-1",
    "123456789012",
]
NUMBERS = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from([0, -1, 1, 2, 64, 65, 2**31, 2**63, 10**18, -(10**18), 0.5, 1e308, math.inf, -math.inf]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.sampled_from(REAL_VALUES))
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), TEXT, st.integers(-5, 5), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=25,
)
DOCUMENTS = st.one_of(st.dictionaries(KEYS, VALUES, max_size=8), VALUES)


def write_document(path: Path, document: Any) -> None:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_random_yaml_documents_give_a_catalog_or_one_line_per_problem(
    tmp_path: Path, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes = run_property("documents", DOCUMENTS, write_document, tmp_path, record_testsuite_property)
    assert outcomes["error"] > 0


# --- (c) mutations of valid catalogs -----------------------------------------------------------------

EVERY_SECTION = """
project: fuzz-seed
environment: {account: "123456789012", region: eu-west-1}
artifacts: {encryption: s3, noncurrent_version_expiration_days: 30}
tags: {team: ml-platform, cost-center: "4711"}
instance_types:
  ml.c9.4xlarge: {accelerator: GPU, gpus: 1, gpu_memory_mib: 24576, vcpus: 16, memory_mib: 65536, nvme: false}
  ml.g6e.12xlarge: {memory_mib: 393216}
planning: {baseline: any, prices: {ml.g5.12xlarge: 7.09, ml.p4d.24xlarge: 37.69}}
compliance: {packs: [aws-solutions, hipaa-security]}
notifications: {sns_topic_arn: "arn:aws:sns:eu-west-1:123456789012:ml-alarms", emails: [ops@example.com]}
pipeline:
  enabled: false
  account: "123456789012"
  region: eu-west-1
  connection_arn: arn:aws:codeconnections:eu-west-1:123456789012:connection/1a2b3c4d-5678-90ab-cdef-1234567890ab
  repository: my-org/llm-hosting
  branch: main
  stages:
    - {name: staging, account: "123456789012", region: eu-west-1}
    - {name: prod, account: "210987654321", region: eu-west-1, approval: true}
endpoints:
  - name: custom-single
    type: single-model
    instance_type: ml.c9.4xlarge
    instance_count: {initial: 4, min: 4, max: 8}
    variant_name: primary
    startup: {download_timeout_s: 300, health_check_timeout_s: 300}
    volume: {size_gb: 100, kms: false}
    routing: random
    vpc: {subnet_ids: [subnet-0abc1234, subnet-0def5678], security_group_ids: [sg-0abc1234]}
    tags: {tier: gold}
    model:
      engine: lmi
      version: "0.32.0"
      weights: s3://example-weights/small-llm/
      weights_kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
      tensor_parallel_degree: 1
      batching: {max_batch_size: 16, max_batch_delay_ms: 50}
      properties: {option.dtype: fp16, option.max_rolling_batch_size: 32, option.trust_remote_code: false}
      environment: {HF_HOME: /tmp/hf, OMP_NUM_THREADS: "4"}
    scaling: {invocations_per_instance: 50, concurrent_requests_per_model: 4, scale_in_cooldown_s: 600}
    deployment:
      strategy: rolling
      rolling_batch_instances: 2
      rollback_batch_instances: 1
      wait_s: 120
      termination_wait_s: 60
      max_execution_timeout_s: 3600
      rollback: {max_5xx_errors: 1, max_model_latency_ms: 5000, latency_statistic: p99, evaluation_periods: 3}
    network_isolation: false
  - name: custom-mme
    type: multi-model
    instance_type: ml.g5.xlarge
    instance_count: {initial: 2, min: 2, max: 4}
    inference_ami_version: al2-ami-sagemaker-inference-gpu-3-1
    model:
      engine: custom
      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mme:1
      cache: false
      environment: {LOG_LEVEL: info}
    scaling: {invocations_per_instance: 100}
    deployment: {strategy: linear, linear_step_percent: 50}
    warmup:
      schedule: cron(0 * * * ? *)
      payload: {inputs: [1, 2.5, true, null, "text"]}
      content_type: application/json
      concurrency: 8
      time_budget_s: 300
      request_timeout_s: 30
  - name: shared
    type: inference-components
    instance_type: ml.g6e.12xlarge
    instance_count: {min: 1, max: 3}
    components:
      - name: shared-small
        model: {engine: tensorrt-llm, version: "0.33.0", weights: "s3://example-weights/trt/", tensor_parallel_degree: 2}
        accelerators: 2
        memory_mb: 32768
        max_memory_mb: 65536
        cpu_cores: 2.5
        copies: {initial: 1, min: 0, max: 4}
        scaling: {concurrent_requests_per_copy: 4}
        startup: {download_timeout_s: 900}
        deployment:
          batch_percent: 25
          rollback_batch_copies: 2
          wait_s: 60
          max_execution_timeout_s: 1800
          rollback: {max_5xx_errors: 0}
        tags: {model: small}
      - name: shared-triton
        model: {engine: triton, code: model_artifacts/triton/embeddings}
        memory_mb: 8192
        copies: {initial: 2, min: 2, max: 4}
        scaling: {invocations_per_copy: 20}
        deployment: {batch_copies: 1}
"""


def _absolute_code_paths(node: Any, base: Path) -> Any:
    """Seeds are written to a temporary directory, so their `code:` directories must be absolute."""
    if isinstance(node, dict):
        return {
            k: str(base / v) if k == "code" and isinstance(v, str) else _absolute_code_paths(v, base)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute_code_paths(v, base) for v in node]
    return node


SEEDS = {
    "catalog.yaml": _absolute_code_paths(yaml.safe_load((ROOT / "catalog.yaml").read_text()), ROOT),
    "minimal.yaml": yaml.safe_load((ROOT / "tests" / "catalogs" / "minimal.yaml").read_text()),
    "every-section": _absolute_code_paths(yaml.safe_load(EVERY_SECTION), ROOT),
}


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_is_a_valid_catalog(tmp_path: Path, name: str) -> None:
    write_document(tmp_path / "catalog.yaml", SEEDS[name])
    assert load_outcome(tmp_path / "catalog.yaml") == "loaded"


Location = tuple[Any, Any]
"""(container, key or index) of one value in a document."""


def locations(node: Any) -> list[Location]:
    found: list[Location] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            found += locations(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            found += locations(value)
    return found


def containers(document: Any, kind: type) -> list[Any]:
    found = [document] if isinstance(document, kind) else []
    return found + [c[k] for c, k in locations(document) if isinstance(c[k], kind)]


def drop_a_key(document: Any, draw: st.DrawFn) -> None:
    assume(locations(document))
    container, key = draw(st.sampled_from(locations(document)))
    del container[key]


def change_a_type(document: Any, draw: st.DrawFn) -> None:
    assume(locations(document))
    container, key = draw(st.sampled_from(locations(document)))
    old = type(container[key])
    container[key] = draw(VALUES.filter(lambda v: type(v) is not old))


def change_a_number(document: Any, draw: st.DrawFn) -> None:
    numbers = [(c, k) for c, k in locations(document) if isinstance(c[k], int | float) and not isinstance(c[k], bool)]
    assume(numbers)
    container, key = draw(st.sampled_from(numbers))
    container[key] = draw(NUMBERS)


def change_a_string(document: Any, draw: st.DrawFn) -> None:
    strings = [(c, k) for c, k in locations(document) if isinstance(c[k], str)]
    assume(strings)
    container, key = draw(st.sampled_from(strings))
    container[key] = draw(st.one_of(TEXT, st.sampled_from(REAL_VALUES)))


def duplicate_a_list_item(document: Any, draw: st.DrawFn) -> None:
    lists = [v for v in containers(document, list) if v]
    assume(lists)
    items = draw(st.sampled_from(lists))
    item = copy.deepcopy(draw(st.sampled_from(items)))
    items.insert(draw(st.integers(0, len(items))), item)


def add_an_unknown_key(document: Any, draw: st.DrawFn) -> None:
    mapping = draw(st.sampled_from(containers(document, dict)))
    mapping[draw(st.one_of(TEXT, st.sampled_from(FIELD_NAMES)))] = draw(VALUES)


def reorder(document: Any, draw: st.DrawFn) -> None:
    container = draw(st.sampled_from(containers(document, dict) + containers(document, list)))
    if isinstance(container, dict):
        items = draw(st.permutations(list(container.items())))
        container.clear()
        container.update(items)
    else:
        container[:] = draw(st.permutations(container))


MUTATIONS = [
    drop_a_key,
    change_a_type,
    change_a_number,
    change_a_string,
    duplicate_a_list_item,
    add_an_unknown_key,
    reorder,
]


@st.composite
def mutated_catalogs(draw: st.DrawFn) -> str:
    document = copy.deepcopy(draw(st.sampled_from(list(SEEDS.values()))))
    for _ in range(draw(st.integers(1, 3))):
        draw(st.sampled_from(MUTATIONS))(document, draw)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    edit = draw(st.sampled_from(["none", "none", "truncate", "repeat a line"]))
    if edit == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif edit == "repeat a line":
        lines = text.splitlines(keepends=True)
        index = draw(st.integers(0, len(lines) - 1))
        lines.insert(index, lines[index])
        text = "".join(lines)
    return text


def test_mutated_catalogs_give_a_catalog_or_one_line_per_problem(
    tmp_path: Path, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes = run_property("mutations", mutated_catalogs(), write_text, tmp_path, record_testsuite_property)
    assert outcomes["error"] > 0 and outcomes["loaded"] > 0


@st.composite
def reordered_catalogs(draw: st.DrawFn) -> Any:
    """A valid seed with the keys of every mapping in a random order."""

    def shuffle(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: shuffle(v) for k, v in draw(st.permutations(list(node.items())))}
        if isinstance(node, list):
            return [shuffle(v) for v in node]
        return node

    return shuffle(draw(st.sampled_from(list(SEEDS.values()))))


def test_the_order_of_keys_never_changes_whether_a_catalog_is_valid(
    tmp_path: Path, record_testsuite_property: Callable[[str, object], None]
) -> None:
    outcomes = run_property("reordered", reordered_catalogs(), write_document, tmp_path, record_testsuite_property)
    assert outcomes == Counter(loaded=sum(outcomes.values()))
