"""What the placement planner takes and gives: instance capacity, component demands, placements.

Plain frozen dataclasses with no catalog or CDK types, so the planner can be used (and tested) on
its own; the resolved catalog (`llm_hosting.catalog.resolve`) turns its components into these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from llm_hosting.facts.instances import InstanceType

MILLI = 1000
"""CPU is counted in thousandths of a core inside the planner, so sums of 0.25-core steps are exact."""


def milli_cores(cores: float) -> int:
    """Cores as whole thousandths, rounded up (a reservation never shrinks by rounding)."""
    # round() first so 0.3 * 1000 = 300.00000000000006 stays 300 instead of rounding up to 301.
    return math.ceil(round(cores * MILLI, 6))


CopyLevel = Literal["initial", "min", "max"]
"""Which copy count of each component a placement is for."""


@dataclass(frozen=True)
class Counts:
    """Initial, minimum and maximum of an instance count or a copy count."""

    initial: int
    min: int
    max: int

    def at(self, level: CopyLevel) -> int:
        return self.initial if level == "initial" else self.min if level == "min" else self.max


@dataclass(frozen=True)
class InstanceCapacity:
    """One instance of the endpoint's type, as far as placement needs to know it."""

    name: str
    gpus: int
    memory_mib: int
    """Host memory."""
    vcpus: float

    @classmethod
    def of(cls, instance_type: InstanceType) -> InstanceCapacity:
        """What the planner needs of an instance type."""
        return cls(
            name=instance_type.name,
            gpus=instance_type.gpus,
            memory_mib=instance_type.memory_mib,
            vcpus=instance_type.vcpus,
        )

    def __post_init__(self) -> None:
        if self.gpus < 0 or self.memory_mib < 0 or self.vcpus < 0:
            raise ValueError(f"{self.name}: GPUs, memory and vCPUs cannot be negative")


@dataclass(frozen=True)
class Component:
    """An inference component: what one copy reserves, and how many copies to place."""

    name: str
    accelerators: int
    """Whole GPUs per copy."""
    memory_mib: int
    """Host memory per copy."""
    cpu_cores: float = 0.0
    """CPU cores per copy; 0 when the component reserves none."""
    copies: int = 1

    def __post_init__(self) -> None:
        if min(self.accelerators, self.memory_mib, self.copies) < 0 or self.cpu_cores < 0:
            raise ValueError(f"{self.name}: accelerators, memory, CPU cores and copies cannot be negative")


@dataclass(frozen=True)
class Resources:
    """An amount of each resource the planner packs."""

    gpus: int = 0
    memory_mib: int = 0
    cpu_cores: float = 0.0


@dataclass(frozen=True)
class PlacedCopy:
    """One copy of a component on one instance, on these GPUs of that instance."""

    component: str
    copy: int
    """1-based, numbered in instance order."""
    gpu_indices: tuple[int, ...]


@dataclass(frozen=True)
class InstancePlacement:
    """One instance of the plan and the copies it hosts."""

    index: int
    """0-based position in the plan."""
    copies: tuple[PlacedCopy, ...]
    used: Resources
    free: Resources
    stranded: bool
    """True when not one more copy of any component fits in `free`: that capacity is paid for but unusable."""
    gpu_owners: tuple[str | None, ...] = field(default=())
    """Component on each GPU index (None = free)."""


Proof = Literal["exact search", "meets lower bound", "none"]


@dataclass(frozen=True)
class PlacementResult:
    """A placement of every copy, with how good it is known to be.

    `instance_count` is optimal when `proven_optimal`; otherwise the optimum lies between
    `lower_bound` and `instance_count`.
    """

    instance: InstanceCapacity
    components: tuple[Component, ...]
    instances: tuple[InstancePlacement, ...]
    lower_bound: int
    """Proven: no placement uses fewer instances."""
    proven_optimal: bool
    proof: Proof
    """How optimality was shown: the exact search finished, or the count equals the lower bound."""
    search_nodes: int
    """Nodes the exact search visited (0 when it did not run)."""

    @property
    def instance_count(self) -> int:
        return len(self.instances)

    @property
    def copy_count(self) -> int:
        return sum(c.copies for c in self.components)

    @property
    def capacity(self) -> Resources:
        """Total over the instances of the plan."""
        n = self.instance_count
        return Resources(self.instance.gpus * n, self.instance.memory_mib * n, float(self.instance.vcpus * n))

    @property
    def used(self) -> Resources:
        return Resources(
            sum(i.used.gpus for i in self.instances),
            sum(i.used.memory_mib for i in self.instances),
            sum(milli_cores(i.used.cpu_cores) for i in self.instances) / MILLI,
        )

    @property
    def stranded(self) -> Resources:
        """Free capacity on instances where not one more copy of any component fits."""
        stuck = [i for i in self.instances if i.stranded]
        return Resources(
            sum(i.free.gpus for i in stuck),
            sum(i.free.memory_mib for i in stuck),
            sum(milli_cores(i.free.cpu_cores) for i in stuck) / MILLI,
        )


class PlacementError(ValueError):
    """A copy that fits on no instance of the type, whatever else is placed."""

    def __init__(self, component: Component, instance: InstanceCapacity) -> None:
        self.component = component
        self.instance = instance
        over = []
        if component.accelerators > instance.gpus:
            over.append(f"{component.accelerators} GPUs (it has {instance.gpus})")
        if component.memory_mib > instance.memory_mib:
            over.append(f"{component.memory_mib} MiB of memory (it has {instance.memory_mib})")
        if milli_cores(component.cpu_cores) > milli_cores(instance.vcpus):
            over.append(f"{component.cpu_cores:g} CPU cores (it has {instance.vcpus:g} vCPUs)")
        super().__init__(
            f"component '{component.name}': one copy needs {' and '.join(over)}, so it fits on no "
            f"{instance.name} instance; lower its reservation or use a larger instance type"
        )
