"""Bring a graph from the exporter's opset 18 down to opset 17.

torch's dynamo exporter only has opset >= 18 implementations, and onnx's version converter has
no 18 -> 17 adapter for Split (torch then stamps opset 17 on an opset-18 graph, which
onnxruntime rejects). Between 17 and 18 only these changed for the ops our graphs use:
``Split`` gained ``num_outputs`` and the reductions other than ReduceSum moved ``axes`` from an
attribute to an input and gained ``noop_with_empty_axes``. This pass rewrites exactly those,
stamps opset 17 and runs the full checker, which validates every node against the opset-17
schemas, so any other opset-18-only construct fails loudly instead of giving a wrong graph.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

# Reductions that gained ``noop_with_empty_axes`` (and an ``axes`` input) only in opset 18;
# ReduceSum already had both in opset 13, so it is not listed.
_REDUCTIONS_18 = {
    "ReduceMax",
    "ReduceMin",
    "ReduceMean",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceSumSquare",
}


class OpsetError(RuntimeError):
    """The graph uses an opset-18 construct that has no opset-17 equivalent here."""


def _static_dims(model: onnx.ModelProto) -> dict[str, list[int | None]]:
    """Known dimensions of every value in the graph (None where a dimension is dynamic)."""
    inferred = shape_inference.infer_shapes(model)
    dims: dict[str, list[int | None]] = {}
    graph = inferred.graph
    for value in [*graph.value_info, *graph.input, *graph.output]:
        shape = value.type.tensor_type.shape
        dims[value.name] = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]
    for tensor in graph.initializer:
        dims[tensor.name] = list(tensor.dims)
    return dims


def _split_sizes(size: int, parts: int) -> list[int]:
    """Opset-18 Split semantics for num_outputs: equal chunks of ceil(size/parts), last smaller."""
    chunk = -(-size // parts)
    sizes = [chunk] * (parts - 1)
    return [*sizes, size - chunk * (parts - 1)]


def _constant_ints(model: onnx.ModelProto, name: str) -> list[int] | None:
    for tensor in model.graph.initializer:
        if tensor.name == name:
            return [int(v) for v in numpy_helper.to_array(tensor).reshape(-1)]
    for node in model.graph.node:
        if node.op_type == "Constant" and node.output[0] == name:
            return [int(v) for v in numpy_helper.to_array(node.attribute[0].t).reshape(-1)]
    return None


def _fix_split(model: onnx.ModelProto, node: onnx.NodeProto, dims: dict) -> None:
    attributes = {a.name: a for a in node.attribute}
    if "num_outputs" not in attributes:
        return
    axis = helper.get_attribute_value(attributes["axis"]) if "axis" in attributes else 0
    shape = dims.get(node.input[0])
    size = shape[axis] if shape is not None else None
    if size is None:
        raise OpsetError(
            f"Split node {node.name!r} splits a dynamic axis into num_outputs parts; "
            "opset 17 needs static split sizes"
        )
    parts = helper.get_attribute_value(attributes["num_outputs"])
    name = f"{node.name}_sizes"
    model.graph.initializer.append(
        numpy_helper.from_array(np.asarray(_split_sizes(size, parts), np.int64), name)
    )
    node.input.append(name)
    node.attribute.remove(attributes["num_outputs"])


def _fix_reduction(model: onnx.ModelProto, node: onnx.NodeProto) -> None:
    attributes = {a.name: a for a in node.attribute}
    noop = attributes.get("noop_with_empty_axes")
    if len(node.input) > 1 and node.input[1]:
        axes = _constant_ints(model, node.input[1])
        if axes is None:
            raise OpsetError(
                f"{node.op_type} node {node.name!r} has computed axes; opset 17 needs constants"
            )
        del node.input[1:]
        node.attribute.append(helper.make_attribute("axes", axes))
    elif noop is not None and helper.get_attribute_value(noop):
        raise OpsetError(
            f"{node.op_type} node {node.name!r} is a no-op reduction, absent from opset 17"
        )
    if noop is not None:
        # Without axes, noop=0 means "reduce over all axes", which is opset 17's default.
        node.attribute.remove(noop)


def downgrade_to_opset17(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrite an opset-18 model as a valid opset-17 one (checked with the full checker)."""
    versions = {o.domain: o.version for o in model.opset_import}
    if versions.get("", versions.get("ai.onnx")) != 18:
        raise OpsetError(f"expected an opset-18 graph from the exporter, got opsets {versions}")
    dims = _static_dims(model)
    for node in model.graph.node:
        if node.op_type == "Split":
            _fix_split(model, node, dims)
        elif node.op_type in _REDUCTIONS_18:
            _fix_reduction(model, node)
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = 17
    onnx.checker.check_model(model, full_check=True)
    return model
