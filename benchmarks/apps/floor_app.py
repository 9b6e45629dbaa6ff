"""The floor: the least a CDK app can synthesize (one stack, one S3 bucket).

What `cdk synth` costs before an app does anything: the CLI, Python, jsii starting node and
loading aws-cdk-lib, `app.synth()` of one small template.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3


def main() -> None:
    app = cdk.App()
    s3.Bucket(cdk.Stack(app, "floor"), "Bucket")
    app.synth()


if __name__ == "__main__":
    main()
