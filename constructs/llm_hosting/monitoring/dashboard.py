"""`EndpointDashboard`: one CloudWatch dashboard per endpoint stack (and per component shard)."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from llm_hosting.monitoring.dashboards import Graph, render


class EndpointDashboard(Construct):
    """A dashboard named `<name>-<region>` (dashboard names are global to the account)."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, title: str, graphs: Sequence[Graph]) -> None:
        super().__init__(scope, construct_id)
        self.resource = cloudwatch.CfnDashboard(
            self,
            "Resource",
            dashboard_name=cdk.Fn.sub(f"{name}-${{AWS::Region}}"),
            dashboard_body=cdk.Fn.sub(render(graphs, title=title)),
        )
