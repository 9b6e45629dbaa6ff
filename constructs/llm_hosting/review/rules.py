"""Risk rules: the changes a reviewer must look at before deploying, each said in one sentence.

Every finding has a stable id, `<rule>:<stack>/<logicalId>` (or `<rule>:<stack>` for a whole stack),
so a reviewer can acknowledge exactly that finding; the rule id alone acknowledges all of its kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from llm_hosting.review.diff import AssemblyChange, ResourceChange, StackChange
from llm_hosting.review.replacement import type_rules
from llm_hosting.review.values import references, resolve_string

ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
INFERENCE_COMPONENT = "AWS::SageMaker::InferenceComponent"
SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
BUCKET = "AWS::S3::Bucket"
KEY = "AWS::KMS::Key"


@dataclass(frozen=True)
class Rule:
    """A kind of risky change: its stable id and a one-line summary for `--help`."""

    id: str
    summary: str


RULES: tuple[Rule, ...] = (
    Rule("endpoint-replaced", "a SageMaker endpoint is replaced: clients lose it (an explicit name even collides)"),
    Rule("endpoint-removed", "a SageMaker endpoint is deleted: clients calling it get errors"),
    Rule("endpoint-name-changed", "an endpoint's EndpointName changes: a new endpoint, the old name disappears"),
    Rule("inference-component-removed", "an inference component is deleted: its model stops serving"),
    Rule("inference-component-replaced", "an inference component is replaced: its model stops serving meanwhile"),
    Rule(
        "autoscaled-copies-may-reset",
        "an autoscaled inference component's specification changes: the update may set its copies back to the "
        "template's CopyCount",
    ),
    Rule(
        "instance-type-with-autoscaling",
        "a variant with a registered scalable target changes instance type: SageMaker refuses the update",
    ),
    Rule("bucket-changed", "an S3 bucket that holds data changes in place"),
    Rule("bucket-replaced", "an S3 bucket is replaced: a new, empty bucket"),
    Rule("bucket-removed", "an S3 bucket leaves its stack (deleted, orphaned, or a changed logical ID)"),
    Rule("key-changed", "a KMS key that encrypts data changes in place"),
    Rule("key-replaced", "a KMS key is replaced: data encrypted with the old key needs the old key"),
    Rule("key-removed", "a KMS key leaves its stack (deleted, orphaned, or a changed logical ID)"),
    Rule("stack-removed", "a stack is no longer in the app: it stays deployed, and deleting it deletes what it holds"),
    Rule("scalable-target-resource-changed", "a scalable target's ResourceId changes: scaling moves to another target"),
    Rule("replacement-collides", "a resource is replaced but keeps its explicit name: the new one cannot be created"),
    Rule("resource-type-changed", "a logical ID gets another resource type: CloudFormation refuses the update"),
    Rule("export-in-use-changed", "an export another stack imports changes or goes: CloudFormation refuses the update"),
)

_RETENTION = "a change of what happens on removal or replacement: check it still keeps the data (Retain)"
BUCKET_EFFECTS = {
    "BucketEncryption": "objects written from now on are encrypted the new way, objects already stored keep "
    "their old encryption (and still need the old key to be read)",
    "LifecycleConfiguration": "lifecycle rules also apply to the objects already stored: check what now expires",
    "VersioningConfiguration": "versioning decides whether replaced and deleted archives can be recovered",
    "PublicAccessBlockConfiguration": "access changes apply to the objects already stored",
    "OwnershipControls": "access changes apply to the objects already stored",
    "LoggingConfiguration": "access logs go elsewhere or stop",
    "DeletionPolicy": _RETENTION,
    "UpdateReplacePolicy": _RETENTION,
}
"""What a change to a bucket's property (or attribute) means for the data in it."""
KEY_EFFECTS = {
    "KeyPolicy": "check that every role that reads the artifacts can still decrypt them",
    "Enabled": "a disabled key cannot decrypt: everything encrypted with it becomes unreadable",
    "EnableKeyRotation": "rotation changes which key material encrypts new data (old data stays readable)",
    "PendingWindowInDays": "the waiting period before a deletion changes",
    "DeletionPolicy": _RETENTION,
    "UpdateReplacePolicy": _RETENTION,
}
"""What a change to a key's property (or attribute) means for the data it protects."""


@dataclass(frozen=True)
class Finding:
    """One risky change, said in words a reviewer understands."""

    rule: str
    stack: str
    logical_id: str | None
    message: str

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.stack}/{self.logical_id}" if self.logical_id else f"{self.rule}:{self.stack}"

    def matches(self, acknowledgement: str) -> bool:
        """Acknowledged by its own id, by `<rule>:<stack>` or by the rule id alone."""
        return acknowledgement in (self.id, self.rule, f"{self.rule}:{self.stack}")


def find_risks(change: AssemblyChange) -> tuple[Finding, ...]:
    """Every finding of every rule, sorted by stack, logical ID and rule."""
    context = _Context(change)
    findings: list[Finding] = []
    for stack in change.stacks:
        if stack.status == "removed":
            findings.append(_stack_removed(stack, context))
            continue
        for resource in stack.resources:
            findings.extend(_resource_risks(stack, resource, context))
        findings.extend(_export_risks(stack, context))
    return tuple(sorted(findings, key=lambda f: (f.stack, f.logical_id or "", f.rule)))


class _Context:
    """What the rules look up across the whole assembly: scalable targets and added endpoints."""

    def __init__(self, change: AssemblyChange) -> None:
        self.change = change
        # Targets registered when the deployment starts (the old assembly): a target added by this
        # deployment depends on its endpoint, so it is registered only after the endpoint update, and
        # one being removed is deregistered only in the clean-up phase, after it.
        self.scalable_targets: dict[str, set[str]] = {}
        for stack in change.stacks:
            resources = _all_resources(stack.old_template)
            for lid, resource in resources.items():
                if resource.get("Type") == SCALABLE_TARGET:
                    resource_id = resolve_string(_props(resource).get("ResourceId"), resources)
                    if resource_id is not None:
                        self.scalable_targets.setdefault(resource_id, set()).add(f"{stack.name}/{lid}")
        # Imports as deployed now (the old assembly): those are what CloudFormation checks an export against.
        self.importers: dict[str, set[str]] = {}
        for stack in change.stacks:
            for name in _imports(stack.old_template):
                self.importers.setdefault(name, set()).add(stack.name)
        self.added_endpoints = [
            (stack.name, _endpoint_label(resource.new, resource.logical_id))
            for stack in change.stacks
            for resource in stack.resources
            if resource.action == "added" and resource.resource_type == ENDPOINT
        ]

    def rename_hint(self) -> str:
        if not self.added_endpoints:
            return ""
        added = ", ".join(f"{label} (stack {stack})" for stack, label in self.added_endpoints)
        return f" This deployment adds {added}: if that is a rename, move clients to it before the old one goes."


def _resource_risks(stack: StackChange, resource: ResourceChange, context: _Context) -> Iterator[Finding]:
    kind, action = resource.resource_type, resource.action
    lid = resource.logical_id

    def finding(rule: str, message: str) -> Finding:
        return Finding(rule, stack.name, lid, message)

    if action == "replaced" and resource.old is not None and resource.old.get("Type") != kind:
        yield finding(
            "resource-type-changed",
            f"{lid} changes type from {resource.old.get('Type')} to {kind} under the same logical ID: "
            "CloudFormation refuses to change a resource's type and the deployment fails; "
            "give the new resource a new logical ID.",
        )
    if kind == ENDPOINT:
        yield from (finding(rule, message) for rule, message in _endpoint_risks(stack, resource, context))
    elif kind == INFERENCE_COMPONENT:
        yield from (finding(rule, message) for rule, message in _component_risks(stack, resource))
        reset = _copies_may_reset(stack, resource, context)
        if reset is not None:
            yield finding("autoscaled-copies-may-reset", reset)
    elif kind in (BUCKET, KEY):
        yield from (finding(rule, message) for rule, message in _data_store_risks(stack, resource))
    elif kind == SCALABLE_TARGET:
        moved = resource.change_at("ResourceId")
        if moved is not None:
            yield finding(
                "scalable-target-resource-changed",
                f"Scalable target {lid} moves from ResourceId {_quoted(moved.old)} to {_quoted(moved.new)}: "
                f"CloudFormation replaces it and its scaling policies, so {_quoted(moved.old)} is no longer "
                "scaled; check that the new resource exists before this deploys and that nothing else "
                "still expects the old one to scale.",
            )
    if action == "replaced" and kind not in (ENDPOINT, INFERENCE_COMPONENT):
        name = _kept_name(resource)
        if name is not None:
            yield finding(
                "replacement-collides",
                f"{kind} {lid} is replaced ({_reasons(resource)}) but keeps its explicit name '{name}': "
                "CloudFormation creates the replacement before deleting the old one, the name is taken, and "
                "the deployment fails. Leave the name to CloudFormation, or change it together with this change.",
            )


def _endpoint_risks(stack: StackChange, resource: ResourceChange, context: _Context) -> Iterator[tuple[str, str]]:
    label = _endpoint_label(resource.new or resource.old, resource.logical_id)
    if resource.action == "removed":
        yield (
            "endpoint-removed",
            f"{_upper_first(label)} is deleted: clients calling it get errors from then on, and its instances, "
            f"scaling and alarms go with it.{context.rename_hint()}",
        )
    elif resource.action == "replaced":
        renamed = resource.change_at("EndpointName")
        if renamed is not None:
            old, new = _quoted(renamed.old), _quoted(renamed.new)
            yield (
                "endpoint-name-changed",
                f"Endpoint name changes from {old} to {new}: CloudFormation creates a new endpoint {new} and "
                f"deletes {old}, so clients, scaling targets and alarms that address {old} stop working until "
                f"they use {new}.",
            )
        else:
            collision = ""
            name = _kept_name(resource)
            if name is not None:
                collision = (
                    f" Because it keeps the explicit EndpointName '{name}', the new endpoint even collides with "
                    "the old one and the deployment fails."
                )
            yield (
                "endpoint-replaced",
                f"{_upper_first(label)} is replaced ({_reasons(resource)}): CloudFormation creates a new endpoint "
                f"and deletes the old one, so clients lose the endpoint they call.{collision} Keep the change "
                "that forces the replacement out, or deploy a new endpoint beside the old one and move clients.",
            )
    if resource.action in ("modified", "replaced"):
        message = _instance_type_with_scaling(stack, resource, context)
        if message is not None:
            yield "instance-type-with-autoscaling", message


def _instance_type_with_scaling(stack: StackChange, resource: ResourceChange, context: _Context) -> str | None:
    old_variants = _variant_instance_types(resource.old, _all_resources(stack.old_template))
    new_variants = _variant_instance_types(resource.new, _all_resources(stack.new_template))
    old_name, new_name = _endpoint_name(resource.old), _endpoint_name(resource.new)
    changed: list[str] = []
    targets: set[str] = set()
    for variant, new_type in sorted(new_variants.items()):
        old_type = old_variants.get(variant)
        if old_type is None or old_type == new_type:
            continue
        registered = set()
        for name in {old_name, new_name} - {None}:
            registered |= context.scalable_targets.get(f"endpoint/{name}/variant/{variant}", set())
        if registered:
            changed.append(f"variant '{variant}' changes instance type from {old_type} to {new_type}")
            targets |= registered
    if not changed:
        return None
    label = _endpoint_label(resource.new, resource.logical_id)
    return (
        f"On {label}, {' and '.join(changed)} while Application Auto Scaling has it registered "
        f"({', '.join(sorted(targets))}): SageMaker refuses to update an endpoint whose autoscaled variant "
        "changes instance type, so the deployment fails and rolls back. Deploy in two steps: first remove the "
        "scaling (deregister the scalable target), deploy the new instance type, then add the scaling back."
    )


def _variant_instance_types(
    endpoint: Mapping[str, Any] | None, resources: Mapping[str, dict[str, Any]]
) -> dict[str, str]:
    """Instance type by variant name, from the endpoint config (in `resources`) that `endpoint` points at."""
    configs = [
        resources[target]
        for target in sorted(references(_props(endpoint).get("EndpointConfigName")))
        if target in resources and resources[target].get("Type") == ENDPOINT_CONFIG
    ]
    out: dict[str, str] = {}
    for config in configs[:1]:
        for variant in _props(config).get("ProductionVariants", []):
            if isinstance(variant, dict):
                name, instance_type = variant.get("VariantName"), variant.get("InstanceType")
                if isinstance(name, str) and isinstance(instance_type, str):
                    out[name] = instance_type
    return out


def _component_risks(stack: StackChange, resource: ResourceChange) -> Iterator[tuple[str, str]]:
    props = _props(resource.new or resource.old)
    resources = _all_resources(stack.new_template if resource.new is not None else stack.old_template)
    name = props.get("InferenceComponentName")
    label = f"inference component '{name}'" if isinstance(name, str) else f"inference component {resource.logical_id}"
    endpoint = resolve_string(props.get("EndpointName"), resources)
    on = f" on endpoint '{endpoint}'" if endpoint is not None else ""
    base = resolve_string((props.get("Specification") or {}).get("BaseInferenceComponentName"), resources)
    if base is not None:
        label = label.replace("inference component", "adapter", 1) + f" (on '{base}')"
    if resource.action == "removed":
        serving = (
            "SageMaker unloads it from the base's copies, and its customer's requests that name it fail"
            if base is not None
            else "its model stops serving, and requests that name it fail"
        )
        yield ("inference-component-removed", f"{_upper_first(label)}{on} is deleted: {serving}.")
    elif resource.action == "replaced":
        renamed = resource.change_at("InferenceComponentName")
        if renamed is not None:
            consequence = (
                f"the component {_quoted(renamed.old)} is deleted and {_quoted(renamed.new)} created, so requests "
                f"and scaling policies that name {_quoted(renamed.old)} fail, and the model serves only once the "
                "new copies are up"
            )
        else:
            consequence = "its model stops serving while the new component's copies start"
            if isinstance(name, str):
                consequence += (
                    f", and because it keeps the explicit name '{name}' the new component collides with the old "
                    "one and the deployment fails"
                )
        yield (
            "inference-component-replaced",
            f"{_upper_first(label)}{on} is replaced ({_reasons(resource)}): {consequence}.",
        )


def _copies_may_reset(stack: StackChange, resource: ResourceChange, context: _Context) -> str | None:
    """An in-place update of a component whose copies Application Auto Scaling manages.

    CloudFormation's handler for AWS::SageMaker::InferenceComponent is not public, and RuntimeConfig.CopyCount
    is write-only in its schema: whether an update of the specification also sends the template's CopyCount,
    setting back the copies autoscaling chose, is not documented. The SageMaker Python SDK's own update does
    send it (sagemaker-serve model_builder.py, `_update_inference_component`), so the reviewer is told.
    """
    if resource.action != "modified" or not any(
        c.path and c.path[0] in ("Specification", "Specifications") for c in resource.changes
    ):
        return None
    props = _props(resource.new)
    resources = _all_resources(stack.new_template)
    name = resolve_string(props.get("InferenceComponentName"), resources)
    if name is None or f"inference-component/{name}" not in context.scalable_targets:
        return None
    copies = (props.get("RuntimeConfig") or {}).get("CopyCount")
    return (
        f"Inference component '{name}' is updated in place while Application Auto Scaling manages its copies: "
        f"whether CloudFormation also sends the template's CopyCount ({copies}) with the new specification, "
        "setting back the copies autoscaling chose, is not documented (the SageMaker SDK's update does), so "
        "capacity may drop to that count until target tracking adds copies again; deploy when that is "
        "acceptable, and acknowledge."
    )


def _data_store_risks(stack: StackChange, resource: ResourceChange) -> Iterator[tuple[str, str]]:
    bucket = resource.resource_type == BUCKET
    what = f"S3 bucket {resource.logical_id}" if bucket else f"KMS key {resource.logical_id}"
    prefix = "bucket" if bucket else "key"
    if resource.action == "modified":
        changed = list(dict.fromkeys(str(change.path[0]) for change in resource.changes if change.path))
        effects = [BUCKET_EFFECTS.get(name, "") if bucket else KEY_EFFECTS.get(name, "") for name in changed]
        effects = list(dict.fromkeys(e for e in effects if e)) or ["confirm that this is intended"]
        holds = "it holds the model artifacts" if bucket else "data is encrypted with it"
        yield f"{prefix}-changed", f"{what} changes in place ({', '.join(changed)}); {holds}: {'; '.join(effects)}."
    elif resource.action == "replaced":
        old = resource.old or {}
        if bucket:
            kept = (
                "the old bucket and its objects stay in the account, no longer managed by the stack"
                if _retained(old, "UpdateReplacePolicy")
                else "CloudFormation deletes the old bucket (which fails unless it is empty)"
            )
            effect = f"a new, empty bucket is created and {kept}; everything that reads the old bucket must move"
        else:
            kept = (
                "which stays in the account, unmanaged"
                if _retained(old, "UpdateReplacePolicy")
                else "which CloudFormation schedules for deletion"
            )
            effect = f"data already encrypted with the old key can only be decrypted with the old key, {kept}"
        yield f"{prefix}-replaced", f"{what} is replaced ({_reasons(resource)}): {effect}."
    elif resource.action == "removed":
        old = resource.old or {}
        if _retained(old, "DeletionPolicy"):
            fate = "with DeletionPolicy Retain it stays in the account, no longer managed by any stack" + (
                " (and still billed)" if not bucket else ""
            )
        else:
            fate = (
                "CloudFormation deletes it (which fails unless it is empty)"
                if bucket
                else "CloudFormation schedules it for deletion"
            )
        if not bucket:
            fate += "; objects already encrypted with it stay readable only while the key exists"
        added = [r.logical_id for r in stack.with_action("added") if r.resource_type == resource.resource_type]
        hint = ""
        if added:
            hint = (
                f" {', '.join(added)} is added in the same stack: if that is a changed logical ID, the new one is a "
                "separate, new resource and the data does not move."
            )
        yield f"{prefix}-removed", f"{what} is removed from stack {stack.name}: {fate}.{hint}"


def _stack_removed(stack: StackChange, context: _Context) -> Finding:
    resources = _all_resources(stack.old_template)
    endpoints = [_endpoint_label(r, lid) for lid, r in resources.items() if r.get("Type") == ENDPOINT]
    components = [
        f"inference component {_props(r).get('InferenceComponentName', lid)}"
        for lid, r in resources.items()
        if r.get("Type") == INFERENCE_COMPONENT
    ]
    data = [
        f"{'S3 bucket' if r.get('Type') == BUCKET else 'KMS key'} {lid}"
        + (" (retained)" if _retained(r, "DeletionPolicy") else "")
        for lid, r in resources.items()
        if r.get("Type") in (BUCKET, KEY)
    ]
    notable = endpoints + components + data
    among = f", among them {', '.join(notable)}" if notable else ""
    counted = [r for r in resources.values() if r.get("Type") != "AWS::CDK::Metadata"]
    retained = any(_retained(r, "DeletionPolicy") for r in counted)
    return Finding(
        "stack-removed",
        stack.name,
        None,
        f"Stack {stack.name} is no longer in the app: `cdk deploy` leaves the deployed stack as it is (still "
        f"running and billed), and deleting it deletes its {len(counted)} resources{among}"
        + ("; retained ones stay in the account, unmanaged" if retained else "")
        + ". Delete it on purpose once nothing uses it, or put it back."
        + (context.rename_hint() if endpoints else ""),
    )


def _export_risks(stack: StackChange, context: _Context) -> Iterator[Finding]:
    old_exports, new_exports = _exports(stack.old_template), _exports(stack.new_template)
    changed_outputs = {
        str(change.path[1]) for change in stack.template if len(change.path) > 1 and change.path[0] == "Outputs"
    }
    for output, name in sorted(old_exports.items()):
        importers = sorted(context.importers.get(name, set()) - {stack.name})
        if not importers:
            continue
        if name not in new_exports.values():
            what = "is removed"
        elif output in changed_outputs:
            what = "changes value"
        else:
            continue
        yield Finding(
            "export-in-use-changed",
            stack.name,
            output,
            f"Export '{name}' (output {output}) {what} while stack{'s' if len(importers) > 1 else ''} "
            f"{', '.join(importers)} import{'' if len(importers) > 1 else 's'} it: CloudFormation refuses to change "
            "or delete an export in use, so deploying this stack fails. First deploy the importing stacks "
            "without the import (keep the old export meanwhile), then change the export.",
        )


def _exports(template: Mapping[str, Any] | None) -> dict[str, str]:
    """Export name by output key (literal names only)."""
    outputs = template.get("Outputs", {}) if template is not None else {}
    exports: dict[str, str] = {}
    for key, output in outputs.items() if isinstance(outputs, dict) else ():
        name = output.get("Export", {}).get("Name") if isinstance(output, dict) else None
        if isinstance(name, str):
            exports[key] = name
    return exports


def _imports(value: Any) -> Iterator[str]:
    """Literal export names imported anywhere inside `value` (`Fn::ImportValue`)."""
    if isinstance(value, dict):
        for key, arg in value.items():
            if key == "Fn::ImportValue" and isinstance(arg, str):
                yield arg
            else:
                yield from _imports(arg)
    elif isinstance(value, list):
        for item in value:
            yield from _imports(item)


def _props(resource: Mapping[str, Any] | None) -> dict[str, Any]:
    props = resource.get("Properties", {}) if resource is not None else {}
    return props if isinstance(props, dict) else {}


def _all_resources(template: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources", {}) if template is not None else {}
    return {k: v for k, v in resources.items() if isinstance(v, dict)} if isinstance(resources, dict) else {}


def _endpoint_name(endpoint: Mapping[str, Any] | None) -> str | None:
    name = _props(endpoint).get("EndpointName")
    return name if isinstance(name, str) else None


def _endpoint_label(endpoint: Mapping[str, Any] | None, logical_id: str) -> str:
    name = _endpoint_name(endpoint)
    return f"endpoint '{name}'" if name is not None else f"endpoint {logical_id}"


def _kept_name(resource: ResourceChange) -> str | None:
    """The explicit physical name a replaced resource keeps: the replacement would collide with it."""
    name_property = type_rules(resource.resource_type).name_property
    if name_property is None:
        return None
    old, new = _props(resource.old).get(name_property), _props(resource.new).get(name_property)
    return new if isinstance(new, str) and new == old else None


def _retained(resource: Mapping[str, Any], policy: str) -> bool:
    return resource.get(policy) in ("Retain", "RetainExceptOnCreate")


def _reasons(resource: ResourceChange) -> str:
    return "; ".join(resource.reasons) or "replaced"


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return "a name CloudFormation generates" if value is None else "a value known only at deploy time"


def _upper_first(text: str) -> str:
    # Not str.capitalize(): that would lower-case the names inside.
    return text[:1].upper() + text[1:]
