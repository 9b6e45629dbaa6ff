"""cdk-nag v3 on every synthesis: the packs a catalog (or any app) asks for.

Only apps that run the packs need cdk-nag (`pip install llm-hosting[cli]`); the constructs
acknowledge their findings through CDK's own `Validations` API and do not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

PACKS: Mapping[str, Callable[[IConstruct], cdk.IPolicyValidationPlugin]] = {
    "aws-solutions": cdk_nag.AwsSolutionsChecks,
    "hipaa-security": cdk_nag.HIPAASecurityChecks,
    "nist-800-53-r5": cdk_nag.NIST80053R5Checks,
}
"""Catalog pack name -> cdk-nag pack."""


def add_nag_packs(scope: IConstruct, packs: Sequence[str]) -> None:
    """Run these packs (catalog names) on everything under `scope` (the app, or a pipeline's stage)
    when it synthesizes; an unacknowledged finding fails synthesis."""
    if packs:
        cdk.Validations.of(scope).add_plugins(*(PACKS[pack](scope) for pack in packs))
