"""The catalog contract: pydantic models for the shape and ranges of `catalog.yaml`.

Only what one field can check by itself lives here; rules that relate fields to each other or to
AWS facts (GPU counts, NVMe storage, placement) live in `rules.py`, so each problem can be reported
against the exact field that causes it.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainValidator,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from llm_hosting.catalog.errors import got, shown
from llm_hosting.endpoints import settings as construct
from llm_hosting.naming import MAX_PROJECT_LENGTH, PROJECT_PATTERN, sagemaker_name_problem

# --- names and identifiers -------------------------------------------------------------------


def _sagemaker_name(value: str) -> str:
    problem = sagemaker_name_problem(value, shown)
    if problem is not None:
        raise PydanticCustomError("sagemaker_name", "{problem}", {"problem": problem})
    return value


SageMakerName: TypeAlias = Annotated[
    str,
    AfterValidator(_sagemaker_name),
    Field(json_schema_extra={"pattern": r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", "maxLength": 63}),
]
"""Endpoint, variant and inference-component names: <=63, `[a-zA-Z0-9](-*[a-zA-Z0-9])*`."""

ProjectName: TypeAlias = Annotated[str, StringConstraints(pattern=PROJECT_PATTERN)]
"""Lower case and at most 24 characters: it starts the artifact bucket's name (S3 allows 63)."""
InstanceTypeName: TypeAlias = Annotated[str, StringConstraints(pattern=r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")]
S3Prefix: TypeAlias = Annotated[str, StringConstraints(pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?$")]
ADAPTER_ARTIFACT_PATTERN = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.tar\.gz$"
AdapterArtifact: TypeAlias = Annotated[str, StringConstraints(max_length=1024, pattern=ADAPTER_ARTIFACT_PATTERN)]
"""An adapter's ArtifactUrl: botocore's InferenceComponentContainerSpecification.ArtifactUrl takes "a single
gzip compressed tar archive (.tar.gz suffix)", and SageMaker's adapter guide stores adapters so."""
RESERVATION_ARN_PATTERN = r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:\d{12}:[a-z0-9-]{1,14}/.+$"
ReservationArn: TypeAlias = Annotated[
    str, StringConstraints(min_length=20, max_length=258, pattern=RESERVATION_ARN_PATTERN)
]
"""MlReservationArn: botocore's length (20-258) and pattern, except that a name after the '/' is required."""
KmsKeyArn: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[a-zA-Z0-9/_-]+$")
]
EnvKey: TypeAlias = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$", max_length=1024)]
EnvValue: TypeAlias = Annotated[str, StringConstraints(max_length=1024)]
Seconds: TypeAlias = Annotated[int, Field(ge=0, le=3600)]
StartupSeconds: TypeAlias = Annotated[int, Field(ge=60, le=3600)]


def _not_aws_prefixed(value: str) -> str:
    if value.lower().startswith("aws:"):
        raise PydanticCustomError(
            "tag_key", "{value} starts with 'aws:', which AWS reserves; rename the tag", {"value": shown(value)}
        )
    return value


TagKey: TypeAlias = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:/=+@ -]+$"), AfterValidator(_not_aws_prefixed)
]
TagValue: TypeAlias = Annotated[str, StringConstraints(max_length=256, pattern=r"^[\w.:/=+@ -]*$")]
Tags: TypeAlias = Annotated[dict[TagKey, TagValue], Field(max_length=50)]


def _property_value(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    raise PydanticCustomError(
        "property_value",
        "expected text, a number or true/false, {got}; give one such value or remove the entry",
        {"got": got(value)},
    )


PropertyKey: TypeAlias = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][\w.-]*$")]
PropertyValue: TypeAlias = Annotated[
    str | int | float | bool, PlainValidator(_property_value, json_schema_input_type=str | int | float | bool)
]
"""One serving.properties value: one error for a bad value, not one per member of the union."""


def _finite_json(value: JsonValue) -> JsonValue:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        raise PydanticCustomError(
            "json_payload", "holds .inf or .nan, which JSON cannot send; write a finite number"
        ) from None
    return value


Engine: TypeAlias = Literal["fastertransformer", "lmi", "tensorrt-llm", "triton", "custom"]
ENDPOINT_TYPES = ("single-model", "multi-model", "inference-components")


class Spec(BaseModel):
    """Base of every catalog section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- shared sections ---------------------------------------------------------------------------


class Environment(Spec):
    """Pin the stacks to one account and region (otherwise they are environment-agnostic)."""

    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] | None = None


class Artifacts(Spec):
    """The artifact bucket that holds multi-model archives and is shared by every endpoint stack."""

    encryption: Literal["kms", "s3"] = Field(
        default="kms",
        description="kms: a customer-managed key with rotation on; s3: S3-managed keys (SSE-S3).",
    )
    noncurrent_version_expiration_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=90, description="Days a replaced or deleted archive version is kept before it expires."
    )


class InstanceTypeSpec(Spec):
    """Describe an instance type the library does not know, or correct a fact it holds."""

    accelerator: str | None = None
    gpus: Annotated[int, Field(ge=0, le=64)] | None = None
    gpu_memory_mib: Annotated[int, Field(ge=0)] | None = Field(default=None, description="Total across all GPUs.")
    vcpus: Annotated[int, Field(ge=1)] | None = None
    memory_mib: Annotated[int, Field(ge=1)] | None = Field(default=None, description="Host memory.")
    nvme: bool | None = Field(default=None, description="Local NVMe instance store (no EBS volume).")


MAX_INSTANCES = 1_000
"""Sanity bound on any instance count: AWS publishes no per-endpoint maximum, and accounts hold far fewer."""
MAX_COPIES = 10_000
"""Sanity bound on copies, per component and per endpoint: planning time grows with the copies."""


class InstanceCount(Spec):
    """Instances behind the variant. `min` and `max` bound autoscaling."""

    initial: Annotated[int, Field(ge=0, le=MAX_INSTANCES)] | None = Field(
        default=None, description="Instances at creation. Default: `min`, or 1."
    )
    min: Annotated[int, Field(ge=0, le=MAX_INSTANCES)] | None = Field(default=None, description="Default: `initial`.")
    max: Annotated[int, Field(ge=1, le=MAX_INSTANCES)] | None = Field(
        default=None, description="Default: the larger of initial and min."
    )


class CopyCount(Spec):
    """Copies of an inference component. `min: 0` lets the component scale to zero."""

    initial: Annotated[int, Field(ge=0, le=MAX_COPIES)] | None = None
    min: Annotated[int, Field(ge=0, le=MAX_COPIES)] | None = None
    max: Annotated[int, Field(ge=1, le=MAX_COPIES)] | None = None


class StartupTimeouts(Spec):
    download_timeout_s: StartupSeconds | None = Field(
        default=None, description="ModelDataDownloadTimeoutInSeconds (60-3600)."
    )
    health_check_timeout_s: StartupSeconds | None = Field(
        default=None, description="ContainerStartupHealthCheckTimeoutInSeconds (60-3600)."
    )


class Volume(Spec):
    """An EBS volume for the endpoint's instances. Refused on instance types with NVMe storage."""

    size_gb: Annotated[int, Field(ge=1, le=512)] | None = None
    kms: bool | None = Field(
        default=None,
        description="Encrypt the volume with the artifact key (endpoint config KmsKeyId). Default: on wherever "
        "an EBS volume exists and artifacts.encryption is kms.",
    )


class Vpc(Spec):
    subnet_ids: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]+$")]], Field(min_length=1, max_length=16)
    ]
    security_group_ids: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^sg-[0-9a-f]+$")]], Field(min_length=1, max_length=5)
    ]


class Batching(Spec):
    """Server-side dynamic batching in DJL Serving (`batch_size`, `max_batch_delay`)."""

    max_batch_size: Annotated[int, Field(ge=1, le=64)]
    max_batch_delay_ms: Annotated[int, Field(ge=1, le=60000)] = construct.DynamicBatching.max_batch_delay_ms


class ModelSpec(Spec):
    """What runs in the container: engine image, serving code and weights."""

    engine: Engine
    version: str | None = Field(default=None, description="Image version. Default: the newest known for the engine.")
    image: Annotated[str, StringConstraints(max_length=255, pattern=r"^\S+$")] | None = Field(
        default=None, description="Container image URI; only with `engine: custom`."
    )
    code: str | None = Field(
        default=None, description="Directory packaged into the model archive, relative to the catalog file."
    )
    weights: S3Prefix | None = Field(default=None, description="S3 prefix the container reads the weights from.")
    architecture: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] | None = Field(
        default=None,
        description="The model's Hugging Face `model_type` (config.json), e.g. llama, t5, gpt_neox: checked against "
        "what the engine version can load.",
    )
    weights_kms_key_arn: KmsKeyArn | None = Field(
        default=None, description="KMS key that encrypts the weights bucket, if any."
    )
    tensor_parallel_degree: Annotated[int, Field(ge=1, le=64)] | None = None
    batching: Batching | None = None
    properties: dict[PropertyKey, PropertyValue] = Field(
        default_factory=dict,
        description="Extra serving.properties entries, e.g. `option.dtype: fp16`: each key and value is checked "
        "against what the engine version reads.",
    )
    unchecked_properties: dict[PropertyKey, PropertyValue] = Field(
        default_factory=dict,
        description="serving.properties entries passed on without checking (a key your handler reads, or one "
        "newer than the engine facts); `validate` lists them.",
    )
    environment: dict[EnvKey, EnvValue] = Field(default_factory=dict)


class RollbackAlarms(Spec):
    """Alarms that roll a deployment back: 5xx errors and model latency, per minute."""

    max_5xx_errors: Annotated[int, Field(ge=0)] = Field(
        default=construct.RollbackThresholds.max_5xx_errors,
        description="Invocation5XXErrors per minute above which the update rolls back.",
    )
    max_model_latency_ms: Annotated[int, Field(ge=1)] = Field(
        default=construct.RollbackThresholds.max_model_latency_ms,
        description="ModelLatency (at `latency_statistic`) above which the update rolls back.",
    )
    latency_statistic: construct.LatencyStatistic = construct.RollbackThresholds.latency_statistic
    evaluation_periods: Annotated[int, Field(ge=1, le=60)] = construct.RollbackThresholds.evaluation_periods


class EndpointDeployment(Spec):
    """How an endpoint update shifts traffic (blue/green canary, linear, all at once, or rolling)."""

    strategy: construct.DeploymentStrategy | None = Field(
        default=None, description="Default: canary when the variant keeps at least 2 instances, else all-at-once."
    )
    canary_instances: Annotated[int, Field(ge=1)] = construct.EndpointDeployment.canary_instances
    linear_step_percent: Annotated[int, Field(ge=10, le=50)] = construct.EndpointDeployment.linear_step_percent
    rolling_batch_instances: Annotated[int, Field(ge=1)] = construct.EndpointDeployment.rolling_batch_instances
    rollback_batch_instances: Annotated[int, Field(ge=1)] | None = None
    wait_s: Seconds = Field(
        default=construct.EndpointDeployment.wait_s, description="Baking period between traffic steps."
    )
    termination_wait_s: Seconds = Field(
        default=construct.EndpointDeployment.termination_wait_s,
        description="Blue/green: keep the old fleet this long after the shift.",
    )
    max_execution_timeout_s: Annotated[int, Field(ge=600, le=28800)] | None = None
    rollback: RollbackAlarms = Field(default_factory=RollbackAlarms)


class ComponentDeployment(Spec):
    """Rolling update of an inference component, batch by batch of copies.

    SageMaker takes a batch of 5-50 % of the component's copies; a percentage satisfies that at any
    copy count, a fixed number of copies only while the component keeps twice as many.
    """

    batch_percent: Annotated[int, Field(ge=5, le=50)] = Field(
        default=construct.ComponentDeployment.batch_percent,
        description="Batch size in percent of the copies (CAPACITY_PERCENT).",
    )
    batch_copies: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Batch size in copies (COPY_COUNT) instead; at most half of copies.min."
    )
    rollback_batch_copies: Annotated[int, Field(ge=1)] | None = None
    wait_s: Seconds = construct.ComponentDeployment.wait_s
    max_execution_timeout_s: Annotated[int, Field(ge=600, le=28800)] | None = None
    rollback: RollbackAlarms = Field(default_factory=RollbackAlarms)


class InstanceScaling(Spec):
    """Target tracking on the variant's instance count. Give one or more targets."""

    invocations_per_instance: Annotated[int, Field(ge=1)] | None = None
    concurrent_requests_per_model: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="High-resolution (10 s) concurrency target."
    )
    gpu_memory_percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None, description="Percent of the instance's total GPU memory (converted for the metric)."
    )
    scale_in_cooldown_s: Seconds = construct.SCALE_IN_COOLDOWN_S
    scale_out_cooldown_s: Seconds = construct.SCALE_OUT_COOLDOWN_S


class ComponentScaling(Spec):
    """Target tracking on an inference component's copy count. Give exactly one target."""

    invocations_per_copy: Annotated[int, Field(ge=1)] | None = None
    concurrent_requests_per_copy: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="High-resolution (10 s) concurrency target."
    )
    scale_in_cooldown_s: Seconds = construct.SCALE_IN_COOLDOWN_S
    scale_out_cooldown_s: Seconds = construct.SCALE_OUT_COOLDOWN_S


class Warmup(Spec):
    """Invoke every model on a multi-model endpoint on a schedule, so none is cold."""

    schedule: Annotated[
        str, StringConstraints(pattern=r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$")
    ] = construct.WarmupSettings.schedule
    payload: Annotated[JsonValue, AfterValidator(_finite_json)] = Field(
        default_factory=construct.default_warmup_payload, description="Request body (JSON-serializable)."
    )
    content_type: str = construct.WarmupSettings.content_type
    concurrency: Annotated[int, Field(ge=1, le=64)] = construct.WarmupSettings.concurrency
    time_budget_s: Annotated[int, Field(ge=10, le=840)] = construct.WarmupSettings.time_budget_s
    request_timeout_s: Annotated[int, Field(ge=1, le=600)] = construct.WarmupSettings.request_timeout_s


# --- endpoints ---------------------------------------------------------------------------------


class EndpointBase(Spec):
    name: SageMakerName
    instance_type: InstanceTypeName
    instance_count: InstanceCount = Field(default_factory=InstanceCount)
    variant_name: SageMakerName = construct.VARIANT_NAME
    startup: StartupTimeouts | None = None
    volume: Volume | None = None
    routing: construct.Routing | None = None
    vpc: Vpc | None = None
    inference_ami_version: (
        Literal[
            "al2-ami-sagemaker-inference-gpu-2",
            "al2-ami-sagemaker-inference-gpu-2-1",
            "al2-ami-sagemaker-inference-gpu-3-1",
            "al2023-ami-sagemaker-inference-gpu-4-1",
            "al2-ami-sagemaker-inference-neuron-2",
        ]
        | None
    ) = None
    tags: Tags = Field(default_factory=dict)


class SingleModelEndpointSpec(EndpointBase):
    """One model on a dedicated endpoint."""

    type: Literal["single-model"]
    model: ModelSpec
    scaling: InstanceScaling | None = None
    deployment: EndpointDeployment = Field(default_factory=EndpointDeployment)
    network_isolation: bool = False


class MultiModelSpec(Spec):
    engine: Literal["triton", "custom"] = "triton"
    version: str | None = None
    image: Annotated[str, StringConstraints(max_length=255, pattern=r"^\S+$")] | None = None
    cache: bool = Field(default=True, description="Keep loaded models cached on the instance (ModelCacheSetting).")
    environment: dict[EnvKey, EnvValue] = Field(default_factory=dict)


class MultiModelEndpointSpec(EndpointBase):
    """Many models behind one endpoint, loaded on demand from the endpoint's S3 prefix."""

    type: Literal["multi-model"]
    model: MultiModelSpec = Field(default_factory=MultiModelSpec)
    scaling: InstanceScaling | None = None
    warmup: Warmup | None = None
    deployment: EndpointDeployment = Field(default_factory=EndpointDeployment)
    network_isolation: bool = True


class Compute(Spec):
    """What one copy reserves on one instance type (ComputeResourceRequirements)."""

    accelerators: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="GPUs per copy. Default: the tensor parallel degree, or 1."
    )
    memory_mb: Annotated[int, Field(ge=128)] = Field(
        description="Host memory reserved per copy (MinMemoryRequiredInMb)."
    )
    max_memory_mb: Annotated[int, Field(ge=128)] | None = None
    cpu_cores: Annotated[float, Field(ge=0.25)] | None = None


class Scheduling(Spec):
    """How SageMaker places a component's copies on the fleet (SchedulingConfig)."""

    placement: Literal["spread", "binpack"] = Field(
        description="spread: copies across instances (resilience); binpack: onto as few instances as possible."
    )
    az_max_imbalance: Annotated[int, Field(ge=0, le=100)] = Field(
        default=0,
        description="Availability Zone balance (EnforcementMode PERMISSIVE): a placement may leave at most this "
        "many more copies in one zone than another (0-100). CloudFormation requires it with a placement.",
    )


class Adapter(Spec):
    """A LoRA adapter on a component: an inference component of its own that uses the base's copies."""

    name: SageMakerName = Field(description="The adapter's inference component name; clients call it.")
    weights: AdapterArtifact = Field(
        description="S3 location of the adapter's archive (ArtifactUrl): a .tar.gz object."
    )
    weights_kms_key_arn: KmsKeyArn | None = Field(default=None, description="The key that encrypts the adapter.")
    tags: Tags = Field(default_factory=dict)


class ComponentSpec(Compute):
    """One model on a shared endpoint, with its own compute reservation, copies and scaling."""

    name: SageMakerName
    model: ModelSpec
    compute_by_instance_type: dict[InstanceTypeName, Compute] = Field(
        default_factory=dict,
        description="Another reservation on one of the endpoint's instance_pools types (Specifications).",
    )
    copies: CopyCount = Field(default_factory=CopyCount)
    scaling: ComponentScaling | None = None
    startup: StartupTimeouts | None = None
    deployment: ComponentDeployment = Field(default_factory=ComponentDeployment)
    data_cache: bool | None = Field(
        default=None, description="Cache the model data and image on each new instance. Default: the endpoint's."
    )
    scheduling: Scheduling | None = None
    adapters: list[Adapter] = Field(default_factory=list, description="LoRA adapters riding on this component.")
    tags: Tags = Field(default_factory=dict)


class ScaleIn(Spec):
    """How managed instance scaling releases instances (ScaleInPolicy)."""

    strategy: Literal["idle-release", "consolidation"] = Field(
        description="idle-release: release instances with no copies; consolidation: also move copies together "
        "to release more."
    )
    cooldown_minutes: Annotated[int, Field(ge=5, le=1440)] | None = Field(
        default=None, description="Consolidation: minutes after the last operation before it looks again (5-1440)."
    )
    max_step: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="Consolidation: at most this many instances released at a time (1-100)."
    )


class InstanceScalingPolicy(Spec):
    """Managed instance scaling of an inference-component endpoint (its bounds are instance_count)."""

    scale_in: ScaleIn | None = None


class InferenceComponentEndpointSpec(EndpointBase):
    """An endpoint shared by many models through inference components."""

    type: Literal["inference-components"]
    routing: construct.Routing | None = "least-outstanding-requests"
    instance_pools: Annotated[list[InstanceTypeName], Field(min_length=1, max_length=4)] = Field(
        default_factory=list,
        description="Fallback instance types after instance_type, in priority order: SageMaker provisions "
        "instance_type first and the next pool when capacity is short (InstancePools, 2-5 types in all).",
    )
    provision_timeout_s: Annotated[int, Field(ge=300, le=3600)] | None = Field(
        default=None, description="How long SageMaker tries for capacity across the pools (300-3600 s)."
    )
    capacity_reservation: ReservationArn | None = Field(
        default=None,
        description="Launch instances only into this ML capacity reservation (a training plan reserved for "
        "endpoints): CapacityReservationPreference capacity-reservations-only.",
    )
    instance_scaling: InstanceScalingPolicy | None = None
    data_cache: bool | None = Field(
        default=None, description="The components' default for data_cache. Default: SageMaker's."
    )
    components: Annotated[list[ComponentSpec], Field(min_length=1)]


EndpointSpec: TypeAlias = SingleModelEndpointSpec | MultiModelEndpointSpec | InferenceComponentEndpointSpec
"""Any endpoint of the catalog; its `type` says which (the one alias every module uses)."""


class Planning(Spec):
    """Inputs of the capacity planner (`python -m llm_hosting plan`)."""

    baseline: Literal["same-family", "any"] = Field(
        default="same-family",
        description="Dedicated-endpoint baseline: the smallest fitting type of the endpoint's family, or of any type.",
    )
    prices: dict[InstanceTypeName, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Hourly price per instance type (your currency); dollars appear in reports only when given.",
    )


NagPack: TypeAlias = Literal["aws-solutions", "hipaa-security", "nist-800-53-r5"]
NAG_PACKS: tuple[NagPack, ...] = ("aws-solutions", "hipaa-security", "nist-800-53-r5")


class Compliance(Spec):
    """The cdk-nag rule packs every synthesis runs; an unacknowledged finding stops synthesis."""

    packs: list[NagPack] = Field(default_factory=lambda: list(NAG_PACKS), description="Remove a pack to opt out of it.")


class Notifications(Spec):
    """Where alarms send their notifications."""

    sns_topic_arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")] | None
    ) = Field(default=None, description="An existing SNS topic. Default: the project's own encrypted topic.")
    emails: list[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(
        default_factory=list, description="Addresses subscribed to the project's own topic (each confirms by email)."
    )


class PipelineStage(Spec):
    """One environment the pipeline deploys the catalog to, in order."""

    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,63}$")]
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    approval: bool = Field(default=False, description="Wait for a manual approval before deploying this stage.")


class Pipeline(Spec):
    """A CDK Pipelines stack that deploys the catalog's stacks to each stage (opt-in)."""

    enabled: bool = Field(default=False, description="Also possible with context -c pipeline=true.")
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    connection_arn: Annotated[
        str,
        StringConstraints(
            pattern=r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/[a-f0-9-]+$"
        ),
    ] = Field(description="The CodeConnections (CodeStar) connection to the repository host.")
    repository: Annotated[str, StringConstraints(pattern=r"^[\w.-]+/[\w.-]+$")] = Field(description="owner/name")
    branch: str = "main"
    stages: Annotated[list[PipelineStage], Field(min_length=1)]


class Catalog(Spec):
    """The whole catalog: a project, its artifact bucket, and its endpoints."""

    project: ProjectName = Field(
        default="llm-hosting",
        description="Prefix of every stack name and of the artifact bucket's name: "
        f"1-{MAX_PROJECT_LENGTH} lower-case letters, digits and hyphens.",
    )
    environment: Environment | None = None
    artifacts: Artifacts = Field(default_factory=Artifacts)
    tags: Tags = Field(default_factory=dict, description="Tags on every stack's resources.")
    instance_types: dict[InstanceTypeName, InstanceTypeSpec] = Field(default_factory=dict)
    planning: Planning = Field(default_factory=Planning)
    compliance: Compliance = Field(default_factory=Compliance)
    notifications: Notifications = Field(default_factory=Notifications)
    pipeline: Pipeline | None = None
    endpoints: list[Annotated[EndpointSpec, Field(discriminator="type")]] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """The catalog's JSON Schema, for editors (`catalog.yaml` points at it)."""
    schema = Catalog.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "LLM hosting catalog"
    return schema
