"""A review of two cloud assemblies: the changes, the risky findings, and which are acknowledged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from llm_hosting.assembly import AssemblyError, StackTemplate, read_assembly
from llm_hosting.review.diff import AssemblyChange, compare_assemblies
from llm_hosting.review.rules import Finding, find_risks

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_RISKY = 2


class ReviewInputError(ValueError):
    """An input directory is not a readable cloud assembly; the message is one line."""


@dataclass(frozen=True)
class Review:
    """What deploying the new assembly over the old one changes, and what a reviewer must accept."""

    change: AssemblyChange
    findings: tuple[Finding, ...]
    acknowledgements: tuple[str, ...] = ()

    def is_acknowledged(self, finding: Finding) -> bool:
        return any(finding.matches(ack) for ack in self.acknowledgements)

    @property
    def unacknowledged(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not self.is_acknowledged(f))

    @property
    def unused_acknowledgements(self) -> tuple[str, ...]:
        """Acknowledgements that match no finding: most likely a typo, or a finding that went away."""
        return tuple(ack for ack in self.acknowledgements if not any(f.matches(ack) for f in self.findings))

    @property
    def exit_code(self) -> int:
        """0 when every risky finding is acknowledged (or there is none), 2 otherwise."""
        return EXIT_RISKY if self.unacknowledged else EXIT_OK


def review_assemblies(old: str | Path, new: str | Path, *, acknowledge: Iterable[str] = ()) -> Review:
    """Compare the cloud assemblies in directories `old` and `new` (e.g. two `cdk.out`)."""
    change = compare_assemblies(load_stacks(old), load_stacks(new))
    return Review(change, find_risks(change), tuple(dict.fromkeys(acknowledge)))


def load_stacks(cdk_out: str | Path) -> list[StackTemplate]:
    """The assembly's stacks, or `ReviewInputError` with one line that says what is wrong."""
    try:
        stacks = read_assembly(cdk_out)
    except AssemblyError as err:
        raise ReviewInputError(str(err)) from None
    names = [stack.name for stack in stacks]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        # Stacks are matched by name; two of one name (different environments) cannot be told apart.
        raise ReviewInputError(f"{cdk_out}: more than one stack named {', '.join(duplicates)}")
    return stacks
