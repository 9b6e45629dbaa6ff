"""Serving options as container environment variables, for DJL models that ship no serving.properties.

From 0.24.0 `ModelInfo` copies every `OPTION_<KEY>` variable into `option.<key>` with `putIfAbsent`,
so a serving.properties file, when there is one, wins over the environment. `HF_MODEL_ID` makes the
server create the model (`ModelServer.createHuggingFaceModel`); the server-wide `SERVING_<KEY>`
defaults (`ConfigManager`) stand in for `batch_size`, `max_batch_delay` and the like.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from llm_hosting.facts.djl.architectures import check_version
from llm_hosting.facts.djl.coverage import unsourced_reason
from llm_hosting.facts.djl.sources import Source, djl, dlc, version_key

OPTION_ENV_FROM = "0.24.0"
ENGINE_ENV_FROM = "0.27.0"
CASE_KEPT_FROM = "0.28.0"

SOURCES: Mapping[str, Source] = {
    "option": dlc(
        "0.24.0",
        "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java",
        "OPTION_<KEY> -> option.<key> lower-cased, entrypoint -> entryPoint (fix #1181; the v0.24.0 tag lacks it), "
        "prop.putIfAbsent; absent at v0.23.0",
    ),
    "engine": djl(
        "0.27.0",
        "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java",
        "OPTION_ENGINE -> engine (before: option.engine, which nothing reads)",
    ),
    "case": djl(
        "0.28.0",
        "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java",
        "SNAKE_CASE [A-Z_]+ keys are lower-cased, others kept as written (OPTION_pythonExecutable)",
    ),
    "model_id": djl(
        "0.24.0",
        "serving/src/main/java/ai/djl/serving/ModelServer.java",
        "HF_MODEL_ID -> a model with option.model_id; s3:// ids downloaded by ModelInfo.downloadS3 "
        "(0.28.0+: an s3:// HF_MODEL_ID is the model URL itself)",
    ),
    "serving": djl(
        "0.21.0",
        "serving/src/main/java/ai/djl/serving/util/ConfigManager.java",
        "SERVING_<KEY> -> server config <key> lower-cased: batch_size, max_batch_delay, max_idle_time, "
        "job_queue_size, reserved_memory_mb, load_on_devices are every model's defaults",
    ),
}

SERVING_DEFAULTS = ("batch_size", "max_batch_delay", "max_idle_time", "job_queue_size", "reserved_memory_mb",
                    "load_on_devices")  # fmt: skip
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SNAKE = re.compile(r"^[a-z0-9_]+$")


def _option_variable(version: str, option: str) -> str | None:
    """OPTION_<NAME> that DJL `version` turns back into `option.<option>`, or None when none does."""
    if option == "entryPoint":
        return "OPTION_ENTRYPOINT"
    if _SNAKE.match(option):
        return f"OPTION_{option.upper()}"
    if version_key(version) >= version_key(CASE_KEPT_FROM) and _ENV_NAME.match(option):
        return f"OPTION_{option}"
    return None


def _problems(engine: str, version: str, properties: Mapping[str, str]) -> list[str]:
    # A version newer than the sources keeps the conventions of the newest one read (the thresholds
    # below are all older); its callers say it was not checked.
    if unsourced_reason(engine, version) is None:
        check_version(engine, version)
    if version_key(version) < version_key(OPTION_ENV_FROM):
        return [
            f"{engine} {version} reads no OPTION_* environment variables (they came with {OPTION_ENV_FROM}); "
            "ship a serving.properties file in a code directory instead"
        ]
    problems: list[str] = []
    if "option.model_id" in properties and "option.s3url" in properties:
        problems.append("option.model_id and option.s3url are both set; DJL refuses both: keep option.model_id")
    elif "option.model_id" not in properties and "option.s3url" not in properties:
        problems.append("no option.model_id: without a serving.properties file DJL creates the model from HF_MODEL_ID")
    for key in sorted(properties):
        if key in ("option.model_id", "option.s3url") or key in SERVING_DEFAULTS:
            continue
        if key == "engine":
            if version_key(version) < version_key(ENGINE_ENV_FROM):
                problems.append(
                    f"engine has no environment form in {version} (OPTION_ENGINE sets engine from "
                    f"{ENGINE_ENV_FROM}); ship a serving.properties file or use {ENGINE_ENV_FROM} or later"
                )
            continue
        if not key.startswith("option."):
            problems.append(f"{key} has no environment form in DJL {version}; ship a serving.properties file")
        elif _option_variable(version, key[len("option.") :]) is None:
            problems.append(
                f"{key} has no environment form in DJL {version} (OPTION_* names are lower-cased before "
                f"{CASE_KEPT_FROM}); ship a serving.properties file"
            )
    return problems


def environment_configuration_problem(engine: str, version: str, properties: Mapping[str, str]) -> str | None:
    """None when every property has an environment form in that version; otherwise one line with the fix."""
    problems = _problems(engine, version, properties)
    return "; ".join(problems) if problems else None


def environment_for_properties(engine: str, version: str, properties: Mapping[str, str]) -> dict[str, str]:
    """The container environment that configures DJL as `properties` would (sorted by name)."""
    problem = environment_configuration_problem(engine, version, properties)
    if problem is not None:
        raise ValueError(f"{engine} {version}: {problem}")
    return _environment(engine, version, properties)


def environment_if_possible(engine: str, version: str, properties: Mapping[str, str]) -> dict[str, str] | None:
    """`environment_for_properties`, or None where `environment_configuration_problem` finds a problem
    (checked once)."""
    if _problems(engine, version, properties):
        return None
    return _environment(engine, version, properties)


def _environment(engine: str, version: str, properties: Mapping[str, str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for key, value in properties.items():
        if key in ("option.model_id", "option.s3url"):
            env["HF_MODEL_ID"] = value
        elif key == "engine":
            env["OPTION_ENGINE"] = value
        elif key in SERVING_DEFAULTS:
            env[f"SERVING_{key.upper()}"] = value
        else:
            variable = _option_variable(version, key[len("option.") :])
            if variable is None:  # _problems refused these already
                raise ValueError(f"{engine} {version}: {key} has no environment form")
            env[variable] = value
    return dict(sorted(env.items()))
