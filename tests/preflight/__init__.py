"""Preflight (botocore API shapes) and CloudFormation limits on synthesized cloud assemblies."""
