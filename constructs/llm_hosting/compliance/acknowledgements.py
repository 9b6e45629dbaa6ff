"""Acknowledge a finding on one resource, with its reason recorded in the resource's metadata.

cfn-lint reads `Metadata.cfn-lint.config.ignore_checks`; the reason sits beside it in
`ignore_reasons` (cfn-lint tolerates the key). checkov reads `Metadata.checkov.skip`, a list of
`{id, comment}`. Either way a reviewer, and the tests, see why.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk


def ignore_lint(resource: cdk.CfnResource, rule: str, reason: str) -> None:
    """Tell cfn-lint to skip `rule` on `resource`, because `reason`."""
    if not reason.strip():
        raise ValueError(f"an ignored cfn-lint rule ({rule}) needs its reason")
    current: dict[str, Any] = resource.get_metadata("cfn-lint") or {}
    config = dict(current.get("config", {}))
    config["ignore_checks"] = sorted({*config.get("ignore_checks", []), rule})
    config["ignore_reasons"] = {**config.get("ignore_reasons", {}), rule: reason}
    resource.add_metadata("cfn-lint", {**current, "config": config})


def skip_checkov(resource: cdk.CfnResource, check: str, reason: str) -> None:
    """Tell checkov to skip `check` on `resource`, because `reason`."""
    if not reason.strip():
        raise ValueError(f"a skipped checkov check ({check}) needs its reason")
    current: dict[str, Any] = resource.get_metadata("checkov") or {}
    skips = [s for s in current.get("skip", []) if s.get("id") != check]
    resource.add_metadata("checkov", {**current, "skip": [*skips, {"id": check, "comment": reason}]})
