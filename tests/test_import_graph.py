"""The layering rules of docs/architecture.md, read from the source by scripts/import_graph.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).parents[1]


def _graph():
    spec = importlib.util.spec_from_file_location(
        "import_graph", REPO / "scripts" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.graph(REPO)


def test_serving_packages_never_import_torch_or_the_exporter_at_module_level():
    edges, libraries, torch_modules = _graph()
    torch_free = ("emotts.synthesis", "emotts.voices", "emotts.text", "emotts.emotion")
    assert not [m for m in torch_modules if m.startswith(torch_free)]
    assert "emotts.backends.torch_voice" in torch_modules
    assert "emotts.backends.onnx_voice" not in torch_modules
    for package in (*torch_free, "emotts.backends"):
        assert "emotts.onnx" not in edges.get(package, {}), package
    assert not [target for target in edges.get("vocoders", {}) if target.startswith("emotts")]
