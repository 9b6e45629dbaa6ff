"""The peer's app: one `CustomSageMakerEndpoint` (cdklabs generative-ai-cdk-constructs) per endpoint.

Runs in the peer's own venv (`benchmarks/.peer-venv`), so it imports nothing from this project.
Context `spec` names the JSON `peer_apps.peer_spec` wrote: the endpoints (name, instance type, DLC
repository and tag, S3 weights prefix, instance counts, startup timeouts) and how many endpoints
go in one stack (each makes 11 resources; a template holds at most 500).

    cdk synth --app "python peer_app.py" -c spec=spec.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdklabs.generative_ai_cdk_constructs import sagemaker_deployment as peer


def build(app: cdk.App, spec: dict[str, Any]) -> list[cdk.Stack]:
    endpoints, per_stack = spec["endpoints"], spec["endpoints_per_stack"]
    images: dict[tuple[str, str], Any] = {}  # one ContainerImage per image, bound by each endpoint
    stacks = []
    for start in range(0, len(endpoints), per_stack):
        stack = cdk.Stack(app, f"{spec['project']}-peer-{start // per_stack + 1}")
        stacks.append(stack)
        for endpoint in endpoints[start : start + per_stack]:
            key = (endpoint["image_repository"], endpoint["image_tag"])
            if key not in images:
                images[key] = peer.DeepLearningContainerImage.from_deep_learning_container_image(*key)
            peer.CustomSageMakerEndpoint(
                stack,
                endpoint["name"],
                model_id=endpoint["name"],
                endpoint_name=endpoint["name"],
                instance_type=peer.SageMakerInstanceType.of(endpoint["instance_type"]),
                container=images[key],
                # A prefix ending in "/": the peer points ModelDataSource at the uncompressed weights.
                model_data_url=endpoint["weights"],
                instance_count=endpoint["initial"],
                min_capacity=endpoint["min"],
                max_capacity=endpoint["max"],
                model_data_download_timeout_in_seconds=endpoint["download_timeout_s"],
                startup_health_check_timeout_in_seconds=endpoint["health_check_timeout_s"],
            )
    return stacks


def main() -> None:
    app = cdk.App()
    build(app, json.loads(Path(app.node.get_context("spec")).read_text(encoding="utf-8")))
    app.synth()


if __name__ == "__main__":
    main()
