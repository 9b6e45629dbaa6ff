"""app.py after synthesis: the preflight stops a synthesis whose requests the APIs would refuse, and it
takes the place of CDK's generic template validation, which `CDK_VALIDATION=true` brings back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sagemaker as sagemaker

import app as cdk_app
from tests.synth import ROOT, cdk_json_context


def stray_component(app: cdk.App, entries: int) -> None:
    """A stack the catalog knows nothing of, holding an inference component with `entries` variables
    (on the catalog's endpoint, which preflight checks it names)."""
    stack = cdk.Stack(app, "stray")
    sagemaker.CfnInferenceComponent(
        stack,
        "Component",
        endpoint_name="small-llm",
        inference_component_name="stray",
        specification=sagemaker.CfnInferenceComponent.InferenceComponentSpecificationProperty(
            container=sagemaker.CfnInferenceComponent.InferenceComponentContainerSpecificationProperty(
                image="123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1",
                environment={f"V{i}": "x" for i in range(entries)},
            ),
            compute_resource_requirements=sagemaker.CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty(
                min_memory_required_in_mb=1024
            ),
        ),
    )


def app_for(tmp_path: Path) -> cdk.App:
    context = {**cdk_json_context(), "catalog": str(ROOT / "tests" / "catalogs" / "minimal.yaml")}
    return cdk.App(context=context, outdir=str(tmp_path / "cdk.out"))


def test_a_request_the_api_would_refuse_stops_synthesis_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_for(tmp_path)
    stray_component(app, entries=17)
    with pytest.raises(SystemExit) as stopped:
        cdk_app.main(app)
    assert stopped.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert any(
        "stray/Component Specification.Container.Environment: 17 entries, over the 16 an inference component takes"
        in line
        for line in err
    ), err
    assert err[-1].endswith(
        "preflight: 1 request(s) the APIs would refuse (above); fix the catalog, or report the "
        "construct that wrote them"
    )


def test_a_clean_assembly_passes_the_preflight_quietly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = app_for(tmp_path)
    stray_component(app, entries=16)
    cdk_app.main(app)
    assert "preflight" not in capsys.readouterr().err


@pytest.mark.parametrize(("environment", "validates"), [(None, False), ("true", True), ("false", False)])
def test_cdks_generic_validation_is_off_unless_cdk_validation_is_true(
    monkeypatch: pytest.MonkeyPatch, environment: str | None, validates: bool
) -> None:
    made: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, **props: Any) -> None:
            made.append(props)
            raise RuntimeError("stop here")

    monkeypatch.setattr(cdk_app.cdk, "App", Recorder)
    if environment is None:
        monkeypatch.delenv("CDK_VALIDATION", raising=False)
    else:
        monkeypatch.setenv("CDK_VALIDATION", environment)
    with pytest.raises(RuntimeError, match="stop here"):
        cdk_app.main()
    assert made == [{"builtin_cloud_formation_validation": validates}]
