"""GPU instance types SageMaker hosts LLMs on: accelerators, GPU memory, vCPU, host memory, storage.

Source: `aws-facts.md` section D. GPU memory totals are the SageMaker SDK's `instance_gpu_info.json`
figures where it has the type (they are what the service reports, e.g. 183104 MiB on g5.48xlarge,
not 8 x 24 GiB); elsewhere per-GPU memory x GPU count. Rows the reference marks with a dagger are
`confirmed=False`: a catalog's `instance_types` section can correct any field.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024  # MiB per GiB


@dataclass(frozen=True)
class InstanceType:
    """One `ml.*` instance type as far as placement, validation and scaling need to know it."""

    name: str
    accelerator: str
    gpus: int
    gpu_memory_mib: int
    """Total accelerator memory across all GPUs, in MiB."""
    vcpus: int
    memory_mib: int
    """Host memory, in MiB."""
    nvme: bool
    """Local NVMe instance store: SageMaker attaches no EBS volume and refuses `VolumeSizeInGB`."""
    confirmed: bool = True

    @property
    def family(self) -> str:
        """`ml.g5.12xlarge` -> `g5`."""
        return self.name.split(".")[1]

    @property
    def gpu_memory_per_gpu_mib(self) -> int:
        return self.gpu_memory_mib // self.gpus if self.gpus else 0

    @property
    def is_burstable(self) -> bool:
        """`ml.t*` types: SageMaker does not autoscale them."""
        return self.family.startswith("t")


def _row(  # noqa: PLR0917 - positional, so the table below reads as a table
    name: str,
    accelerator: str,
    gpus: int,
    gpu_memory_mib: int,
    vcpus: int,
    memory_gib: int,
    *,
    confirmed: bool = True,
) -> InstanceType:
    # Every GPU type in the reference has local NVMe storage (aws-facts.md, section D).
    return InstanceType(
        name=name,
        accelerator=accelerator,
        gpus=gpus,
        gpu_memory_mib=gpu_memory_mib,
        vcpus=vcpus,
        memory_mib=memory_gib * GIB,
        nvme=True,
        confirmed=confirmed,
    )


_ROWS = (
    # T4 16 GiB
    _row("ml.g4dn.xlarge", "T4", 1, 16384, 4, 16),
    _row("ml.g4dn.2xlarge", "T4", 1, 16384, 8, 32),
    _row("ml.g4dn.12xlarge", "T4", 4, 65536, 48, 192),
    # A10G 24 GiB
    _row("ml.g5.xlarge", "A10G", 1, 24 * GIB, 4, 16),
    _row("ml.g5.2xlarge", "A10G", 1, 24576, 8, 32),
    _row("ml.g5.4xlarge", "A10G", 1, 24576, 16, 64),
    _row("ml.g5.8xlarge", "A10G", 1, 24576, 32, 128),
    _row("ml.g5.16xlarge", "A10G", 1, 24576, 64, 256),
    _row("ml.g5.12xlarge", "A10G", 4, 98304, 48, 192),
    _row("ml.g5.24xlarge", "A10G", 4, 98304, 96, 384),
    _row("ml.g5.48xlarge", "A10G", 8, 183104, 192, 768),
    # L4 24 GiB (the 12/24/48xlarge host memory is unconfirmed)
    _row("ml.g6.xlarge", "L4", 1, 24 * GIB, 4, 16),
    _row("ml.g6.2xlarge", "L4", 1, 24 * GIB, 8, 32),
    _row("ml.g6.4xlarge", "L4", 1, 24 * GIB, 16, 64),
    _row("ml.g6.8xlarge", "L4", 1, 24 * GIB, 32, 128),
    _row("ml.g6.16xlarge", "L4", 1, 24 * GIB, 64, 256),
    _row("ml.g6.12xlarge", "L4", 4, 4 * 24 * GIB, 48, 192, confirmed=False),
    _row("ml.g6.24xlarge", "L4", 4, 4 * 24 * GIB, 96, 384, confirmed=False),
    _row("ml.g6.48xlarge", "L4", 8, 8 * 24 * GIB, 192, 768, confirmed=False),
    # L40S 48 GB (the whole g6e family is unconfirmed)
    _row("ml.g6e.xlarge", "L40S", 1, 48 * GIB, 4, 32, confirmed=False),
    _row("ml.g6e.2xlarge", "L40S", 1, 48 * GIB, 8, 64, confirmed=False),
    _row("ml.g6e.4xlarge", "L40S", 1, 48 * GIB, 16, 128, confirmed=False),
    _row("ml.g6e.8xlarge", "L40S", 1, 48 * GIB, 32, 256, confirmed=False),
    _row("ml.g6e.16xlarge", "L40S", 1, 48 * GIB, 64, 512, confirmed=False),
    _row("ml.g6e.12xlarge", "L40S", 4, 4 * 48 * GIB, 48, 384, confirmed=False),
    _row("ml.g6e.24xlarge", "L40S", 4, 4 * 48 * GIB, 96, 768, confirmed=False),
    _row("ml.g6e.48xlarge", "L40S", 8, 8 * 48 * GIB, 192, 1536, confirmed=False),
    # A100 / H100 / H200
    _row("ml.p4d.24xlarge", "A100", 8, 327680, 96, 1152),
    _row("ml.p4de.24xlarge", "A100", 8, 655360, 96, 1152, confirmed=False),
    _row("ml.p5.48xlarge", "H100", 8, 655360, 192, 2048),
    _row("ml.p5e.48xlarge", "H200", 8, 1128 * GIB, 192, 2048),
    _row("ml.p5en.48xlarge", "H200", 8, 1128 * GIB, 192, 2048, confirmed=False),
)

INSTANCE_TYPES: dict[str, InstanceType] = {row.name: row for row in _ROWS}
"""Known instance types by name (`ml.g5.12xlarge`)."""
