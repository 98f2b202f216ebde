"""Read the Terraform under infra/terraform with python-hcl2 (no terraform binary needed).

A small static model: per directory, its resources, data sources, variables, outputs, locals and
module calls, with attribute values as python-hcl2 gives them (expressions stay `${...}` strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = REPO / "infra" / "terraform"
MODULES = TERRAFORM / "modules"
ROOT = TERRAFORM / "envs" / "prod"

_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
_SINGLE_EXPRESSION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)


def parse_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


def tf_files() -> list[Path]:
    return sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts)


def module_dirs() -> list[Path]:
    return sorted(p for p in MODULES.iterdir() if p.is_dir())


def expr(value: Any) -> Any:
    """`"${var.x}"` -> `"var.x"`; anything else unchanged."""
    if isinstance(value, str):
        match = _SINGLE_EXPRESSION.match(value)
        if match and "${" not in match.group(1):
            return match.group(1)
    return value


@dataclass
class TfDir:
    path: Path
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        return self.resources[(kind, name)]

    def resources_of(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: body for (k, name), body in self.resources.items() if k == kind}

    def text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(self.path.glob("*.tf")))

    def default(self, variable: str) -> Any:
        return self.variables[variable].get("default")


def _blocks(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = doc.get(key, [])
    return value if isinstance(value, list) else [value]


@cache
def load_dir(path: Path) -> TfDir:
    model = TfDir(path)
    for file in sorted(path.glob("*.tf")):
        doc = parse_file(file)
        for block in _blocks(doc, "resource"):
            for kind, named in block.items():
                for name, body in named.items():
                    model.resources[(kind, name)] = body
        for block in _blocks(doc, "data"):
            for kind, named in block.items():
                for name, body in named.items():
                    model.data[(kind, name)] = body
        for block in _blocks(doc, "variable"):
            model.variables.update(block)
        for block in _blocks(doc, "output"):
            model.outputs.update(block)
        for block in _blocks(doc, "locals"):
            model.locals.update(block)
        for block in _blocks(doc, "module"):
            model.modules.update(block)
    return model


def root() -> TfDir:
    return load_dir(ROOT)


def module(name: str) -> TfDir:
    return load_dir(MODULES / name)


def module_of_call(call: str) -> TfDir:
    """The module directory a root `module "<call>"` block uses."""
    source = root().modules[call]["source"]
    return load_dir((ROOT / source).resolve())


_REFERENCE = re.compile(r"\$\{(var|local)\.([A-Za-z0-9_]+)\}")


def resolve_root_string(value: str) -> str:
    """Substitute `${var.x}` (by default) and `${local.x}` in a root string until none is left."""
    current = root()
    for _ in range(10):
        match = _REFERENCE.search(value)
        if not match:
            return value
        kind, name = match.groups()
        replacement = current.default(name) if kind == "var" else current.locals[name]
        if not isinstance(replacement, str | int | float):
            raise ValueError(f"{kind}.{name} does not resolve to a scalar: {replacement!r}")
        value = value[: match.start()] + str(replacement) + value[match.end() :]
    raise ValueError(f"unresolvable reference in {value!r}")
