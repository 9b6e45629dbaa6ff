"""Load a synthesized cloud assembly for the checks that read it, or say in one line why not."""

from __future__ import annotations

from pathlib import Path

from llm_hosting.assembly import AssemblyError, StackTemplate, read_assembly


class AssemblyInputError(ValueError):
    """The directory is not a readable cloud assembly; the message is one line."""


def load_stacks(cdk_out: str | Path) -> list[StackTemplate]:
    """Every stack of the assembly in `cdk_out`, each with a template that has a Resources object."""
    directory = Path(cdk_out)
    if not directory.is_dir():
        raise AssemblyInputError(f"{directory}: no such directory; pass a synthesized cloud assembly (cdk.out)")
    try:
        stacks = read_assembly(directory)
    except AssemblyError as err:
        raise AssemblyInputError(str(err)) from None
    except KeyError as err:
        raise AssemblyInputError(f"{directory}/manifest.json: a stack artifact has no {err}") from None
    except (OSError, ValueError) as err:
        raise AssemblyInputError(f"{directory}: a stack template cannot be read: {err}") from None
    except (AttributeError, TypeError):
        raise AssemblyInputError(f"{directory}/manifest.json: not a cloud assembly manifest") from None
    for stack in stacks:
        if not isinstance(stack.template, dict) or not isinstance(stack.template.get("Resources", {}), dict):
            raise AssemblyInputError(f"{stack.path}: not a CloudFormation template (no Resources object)")
    return stacks
