"""Catalog sections as the settings objects the constructs take (`endpoints/settings.py`).

A catalog section and its settings class have the same field names, by design (a test pins each
pair), so one function translates them all, nested sections included. Plain Python, no CDK: the
rules check a section through the construct's own checks (`EndpointDeployment.problems`), and
`endpoints/from_catalog.py` hands the same objects to the constructs.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

from llm_hosting.catalog import schema
from llm_hosting.endpoints import settings

SettingsT = TypeVar("SettingsT")

SECTIONS: dict[type[BaseModel], type[Any]] = {
    schema.RollbackAlarms: settings.RollbackThresholds,
    schema.EndpointDeployment: settings.EndpointDeployment,
    schema.ComponentDeployment: settings.ComponentDeployment,
    schema.StartupTimeouts: settings.StartupTimeouts,
    schema.Batching: settings.DynamicBatching,
    schema.Warmup: settings.WarmupSettings,
    schema.ScaleIn: settings.ScaleInPolicy,
    schema.Scheduling: settings.Scheduling,
}
"""Each catalog section that the constructs take as a settings object, and that object's class."""


def construct_settings(section: BaseModel, kind: type[SettingsT]) -> SettingsT:
    """`section` as a `kind` (one of `SECTIONS`' values), field by field."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(kind):  # type: ignore[arg-type]
        value = getattr(section, field.name)
        if isinstance(value, BaseModel):
            value = construct_settings(value, SECTIONS[type(value)])
        values[field.name] = value
    return kind(**values)


def endpoint_deployment(section: schema.EndpointDeployment) -> settings.EndpointDeployment:
    return construct_settings(section, settings.EndpointDeployment)


def component_deployment(section: schema.ComponentDeployment) -> settings.ComponentDeployment:
    return construct_settings(section, settings.ComponentDeployment)


def startup(section: schema.StartupTimeouts | None) -> settings.StartupTimeouts | None:
    return construct_settings(section, settings.StartupTimeouts) if section is not None else None


def batching(section: schema.Batching | None) -> settings.DynamicBatching | None:
    return construct_settings(section, settings.DynamicBatching) if section is not None else None


def warmup(section: schema.Warmup) -> settings.WarmupSettings:
    return construct_settings(section, settings.WarmupSettings)


def scale_in(section: schema.InstanceScalingPolicy | None) -> settings.ScaleInPolicy | None:
    if section is None or section.scale_in is None:
        return None
    return construct_settings(section.scale_in, settings.ScaleInPolicy)


def scheduling(section: schema.Scheduling | None) -> settings.Scheduling | None:
    return construct_settings(section, settings.Scheduling) if section is not None else None
