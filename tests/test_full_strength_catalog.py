"""tests/catalogs/full-strength.yaml synthesized: each inference-component feature it asks for is in
the templates, exactly where it asks (the other component, the default catalog's snapshots), and
botocore's API models accept every request (cfn-lint, checkov and cdk-nag run on it elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest

from llm_hosting.cli import main
from tests.synth import Synthesized

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def by_name(synthesized: Synthesized, stack: str) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["InferenceComponentName"]: r["Properties"]
        for r in synthesized.resources(stack, "AWS::SageMaker::InferenceComponent").values()
    }


def test_the_variant_runs_on_its_pools_within_the_reservation(full_strength_synth: Synthesized) -> None:
    (config,) = full_strength_synth.resources("full-shared", "AWS::SageMaker::EndpointConfig").values()
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["InstancePools"] == [
        {"InstanceType": "ml.p5.48xlarge", "Priority": 1},
        {"InstanceType": "ml.p4d.24xlarge", "Priority": 2},
    ]
    assert "InstanceType" not in variant
    assert variant["VariantInstanceProvisionTimeoutInSeconds"] == 1800
    assert variant["CapacityReservationConfig"]["CapacityReservationPreference"] == "capacity-reservations-only"
    assert variant["ManagedInstanceScaling"]["ScaleInPolicy"] == {"Strategy": "IDLE_RELEASE"}


def test_each_component_gets_what_it_asks_for_and_nothing_more(full_strength_synth: Synthesized) -> None:
    components = by_name(full_strength_synth, "full-shared")
    big, small = components["big"], components["small"]
    # big: one specification per pool type, cached (the endpoint's default), binpacked
    assert [s["InstanceType"] for s in big["Specifications"]] == ["ml.p5.48xlarge", "ml.p4d.24xlarge"]
    assert [s["ComputeResourceRequirements"]["NumberOfAcceleratorDevicesRequired"] for s in big["Specifications"]] == [
        4,
        8,
    ]
    for spec in big["Specifications"]:
        assert spec["DataCacheConfig"] == {"EnableCaching": True}
        assert spec["SchedulingConfig"]["PlacementStrategy"] == "BINPACK"
        assert spec["SchedulingConfig"]["AvailabilityZoneBalance"]["MaxImbalance"] == 2
    # small: the same reservation everywhere, caching switched off, SageMaker's scheduling
    assert small["Specification"]["DataCacheConfig"] == {"EnableCaching": False}
    assert "SchedulingConfig" not in small["Specification"]
    assert "Specifications" not in small


def test_component_and_adapter_tags_reach_their_own_resources(full_strength_synth: Synthesized) -> None:
    big = by_name(full_strength_synth, "full-shared")["big"]
    assert {"Key": "team", "Value": "platform"} in big["Tags"]
    assert {"Key": "team", "Value": "platform"} not in by_name(full_strength_synth, "full-shared")["small"].get(
        "Tags", []
    )
    adapters = by_name(full_strength_synth, "full-big-adapters")
    assert {"Key": "customer", "Value": "acme"} in adapters["big-acme"]["Tags"]
    assert {"Key": "customer", "Value": "acme"} not in adapters["big-globex"].get("Tags", [])


def test_an_encrypted_adapter_archive_is_read_and_decrypted_alone(full_strength_synth: Synthesized) -> None:
    (policy,) = full_strength_synth.resources("full-shared", "AWS::IAM::ManagedPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    decrypt = [s for s in statements if s["Action"] == "kms:Decrypt" and KEY_ARN in str(s["Resource"])]
    assert decrypt, statements
    rendered = str(statements)
    assert ":s3:::tenant-weights/adapters/*" in rendered  # the folder of that base's archives in that bucket
    assert ":s3:::example-weights/adapters/big/*" in rendered


def test_botocore_accepts_every_request(full_strength_synth: Synthesized, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preflight", str(full_strength_synth.outdir)]) == 0
    assert "no problems; 19 resources in 3 stacks checked" in capsys.readouterr().out
