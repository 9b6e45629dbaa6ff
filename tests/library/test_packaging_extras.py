"""`pip install ./constructs` brings what the constructs need; the command line's needs are the `cli` extra."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.synth import ROOT

CLI_ONLY = ("boto3", "botocore", "cdk_nag", "tqdm", "matplotlib")

# Builds the example app's stack with the command line's packages made unimportable.
PROBE = f"""
import importlib.abc, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {CLI_ONLY!r}:
            raise ImportError(f"{{name}} is not installed (a CLI-only package)")
sys.meta_path.insert(0, Refuse())
sys.path.insert(0, {str(ROOT / "examples")!r})
import aws_cdk as cdk
import app as example
app = cdk.App()
example.build(app)
app.synth()
print("synthesized", sorted(m for m in sys.modules if m.split(".")[0] in {CLI_ONLY!r}))
"""


def test_the_constructs_build_without_the_command_lines_packages() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("synthesized []")


def test_the_command_lines_packages_are_an_optional_extra() -> None:
    project = tomllib.loads((ROOT / "constructs" / "pyproject.toml").read_text())["project"]
    required = " ".join(project["dependencies"]).lower()
    assert not any(name.replace("_", "-") in required for name in CLI_ONLY)
    extra = " ".join(project["optional-dependencies"]["cli"]).lower()
    assert all(name.replace("_", "-") in extra for name in ("boto3", "cdk-nag", "tqdm", "matplotlib"))
    assert "-e ./constructs[cli]" in (ROOT / "requirements.txt").read_text()
