"""Print which package of the tree imports which, and where torch is imported.

Reads the source with `ast` (nothing is imported), so it runs on any checkout of the project,
e.g. an old commit extracted with `git archive`:

    python scripts/import_graph.py [ROOT]        # ROOT: the repository root (default: here)

A package is `emotts.<first part>` (a subpackage such as `emotts.models`, or a top-level module
such as `emotts.api`), or `vocoders`. "module level" imports run when the importing module is
imported; "deferred" ones sit inside a function and run only when it is called.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOTS = ("emotts", "vocoders")
WATCHED = ("torch", "onnxruntime", "lightning", "gradio", "onnx")


def package_of(module: str) -> str | None:
    """emotts.models.layers -> emotts.models; vocoders.hifigan -> vocoders; others -> None."""
    parts = module.split(".")
    if parts[0] == "vocoders":
        return "vocoders"
    if parts[0] != "emotts":
        return None
    return "emotts" if len(parts) == 1 else f"emotts.{parts[1]}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` blocks never run, so their imports are not module level."""
    test = getattr(node, "test", None)
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith(
        "TYPE_CHECKING"
    )


def imports(tree: ast.Module, module: str, is_package: bool) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import statement of a module."""
    top_level = {id(node) for node in tree.body}
    top_level |= {
        id(child)
        for node in tree.body
        if isinstance(node, ast.If | ast.Try) and not _type_checking_only(node)
        for child in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from emotts import api` imports the submodule emotts.api.
            names = [f"{base}.{alias.name}" if base in ROOTS else base for alias in node.names]
        else:
            continue
        found += [(name, id(node) in top_level) for name in names]
    return found


def graph(root: Path) -> tuple[dict, dict, list]:
    """package -> {imported package: module level?}; package -> {watched library: level};
    the modules that import torch at module level."""
    edges: dict[str, dict[str, bool]] = defaultdict(dict)
    libraries: dict[str, dict[str, bool]] = defaultdict(dict)
    torch_modules = []
    for top in ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            module = module_name(path, root)
            source = package_of(module)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for name, eager in imports(tree, module, path.name == "__init__.py"):
                target = package_of(name)
                first = name.split(".")[0]
                if target is not None and target != source:
                    edges[source][target] = edges[source].get(target, False) or eager
                elif first in WATCHED:
                    libraries[source][first] = libraries[source].get(first, False) or eager
                if first == "torch" and eager and module not in torch_modules:
                    torch_modules.append(module)
    return edges, libraries, torch_modules


def describe(names: dict[str, bool]) -> str:
    eager = sorted(n for n, e in names.items() if e)
    deferred = sorted(n for n, e in names.items() if not e)
    text = ", ".join(eager) or "-"
    return text + (f"  (deferred: {', '.join(deferred)})" if deferred else "")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    edges, libraries, torch_modules = graph(root)
    packages = sorted(set(edges) | set(libraries))
    width = max(len(p) for p in packages)
    print(f"import graph of {root} (package -> packages it imports at module level)")
    for package in packages:
        print(f"  {package:<{width}} -> {describe(edges.get(package, {}))}")
    print("\nwatched libraries per package")
    for package in packages:
        if package in libraries:
            print(f"  {package:<{width}} : {describe(libraries[package])}")
    print("\nmodules importing torch at module level")
    for package in packages:
        inside = [m for m in torch_modules if package_of(m) == package]
        if inside:
            print(f"  {package:<{width}} : {', '.join(m.split('.')[-1] for m in inside)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
