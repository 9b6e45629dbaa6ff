"""The stateful stack: artifact bucket and key, and the alarm topic, referenced by every endpoint stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sns as sns, aws_sns_subscriptions as subscriptions
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog.schema import Artifacts, Notifications
from llm_hosting.compliance import acknowledge_shared
from llm_hosting.storage import ArtifactStore


class ArtifactsStack(cdk.Stack):
    """Holds data: termination protection is on, and the bucket and key outlive the stack.

    The bucket's name is deterministic (`<project>-artifacts-<account>-<region>`) because the
    endpoint stacks stage their model archives into it at `cdk deploy` time. Alarms notify the
    catalog's SNS topic, or this stack's own (encrypted with the artifact key).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project: str,
        artifacts: Artifacts,
        notifications: Notifications,
        qualifier: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, termination_protection=True, **kwargs)
        self.store = ArtifactStore(
            self,
            "Artifacts",
            bucket_name=naming.bucket_name(project, self.account, self.region),
            encryption=artifacts.encryption,
            noncurrent_version_expiration=cdk.Duration.days(artifacts.noncurrent_version_expiration_days),
        )
        self.store.allow_cdk_asset_publishing(qualifier=qualifier, prefix=naming.ASSETS_PREFIX)
        self.store.allow_service_encryption()
        cdk.CfnOutput(self, naming.ARTIFACT_BUCKET_OUTPUT, value=self.store.bucket.bucket_name)
        if self.store.key is not None:
            cdk.CfnOutput(self, "ArtifactKeyArn", value=self.store.key.key_arn)

        self.alarm_topic: sns.ITopic
        if notifications.sns_topic_arn is not None:
            self.alarm_topic = sns.Topic.from_topic_arn(self, "AlarmTopic", notifications.sns_topic_arn)
            return
        topic = self.alarm_topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"{project} alarms",
            master_key=self.store.key,
            enforce_ssl=True,
        )
        for email in notifications.emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        if self.store.key is None:
            acknowledge_shared(
                topic,
                "SNSEncryptedKMS",
                "The catalog chose artifacts.encryption: s3, so there is no customer-managed key; CloudWatch "
                "alarms cannot publish to a topic encrypted with the AWS-managed SNS key.",
                aws_solutions="AwsSolutions-SNS2",
            )
        cdk.CfnOutput(self, "AlarmTopicArn", value=topic.topic_arn)
