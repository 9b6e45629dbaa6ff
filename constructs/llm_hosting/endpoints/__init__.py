"""SageMaker endpoint constructs and the pieces they share (images, roles, scaling, safe updates)."""

from llm_hosting.endpoints.single_model import SingleModelEndpoint

__all__ = ["SingleModelEndpoint"]
