"""Preflight: check a synthesized cloud assembly against the SageMaker, Application Auto Scaling and
CloudWatch API models in botocore, before CloudFormation sends the requests.

cfn-lint checks templates against CloudFormation's resource schemas, which are loose (few ranges or
enums). The APIs those resources call are stricter; botocore's models say how, so a deploy that
would fail twenty minutes in fails here instead. `preflight(cdk_out)` returns the problems.
"""

from llm_hosting.preflight.check import Problem, check_stacks, preflight
from llm_hosting.preflight.requests import CHECKED_TYPES

__all__ = ["CHECKED_TYPES", "Problem", "check_stacks", "preflight"]
