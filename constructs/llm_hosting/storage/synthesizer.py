"""A stack synthesizer that stages a stack's files in the artifact bucket, under one prefix."""

from __future__ import annotations

import aws_cdk as cdk

from llm_hosting import naming


class ArtifactBucketSynthesizer(cdk.DefaultStackSynthesizer):
    """`DefaultStackSynthesizer` with file assets in `<project>-artifacts-<account>-<region>/<prefix>`.

    Model archives then sit in the project's encrypted, versioned, logged bucket, under a prefix
    the endpoint's role can be granted as a whole (one statement, however many archives).

    One instance serves one stack. `DefaultStackSynthesizer.reusableBind` binds a prototype clone,
    which jsii maps back to this (unbound) Python object, so Python calls such as
    `stack.synthesizer.add_file_asset` would fail; binding this object itself avoids the clone.
    """

    def __init__(self, *, project: str, prefix: str) -> None:
        super().__init__(file_assets_bucket_name=naming.bucket_name_template(project), bucket_prefix=prefix)

    def reusable_bind(self, stack: cdk.Stack) -> cdk.IBoundStackSynthesizer:
        self.bind(stack)
        return self
