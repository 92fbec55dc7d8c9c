"""ONNX models as xpusim traces: `load(path) -> trace dict` (traces/FORMAT.md), then
`xpusim.trace_export.save(trace, "model.json")` and `xpusim.Workload("model.json")`.

Shapes come from onnx.shape_inference, so the model needs static input shapes. Mapping:
Gemm / MatMul -> gemm (B is a weight when it is an initializer); Conv (group 1, square stride and
padding, no dilation) -> conv2d; Relu, Add, Mul, Sigmoid, Gelu, ... -> elementwise; Softmax;
LayerNormalization; BatchNormalization -> elementwise (scale and shift; torch.onnx.export in eval mode
already folds it into the Conv); MaxPool / AveragePool / GlobalAveragePool -> pool. Layout-only ops
(Flatten, Reshape, Identity, Transpose, Squeeze, Unsqueeze, Constant, Shape, Cast, Dropout) are not ops:
consumers read the producer's tensor. Any other op raises TraceExportError listing every unsupported
op type with its nodes; there is no silent fallback.
"""
from __future__ import annotations

import math
import os
from collections import defaultdict
from typing import Optional

from xpusim.trace_export import (ELEMENTWISE_OPS, LAYERNORM_OPS, SOFTMAX_OPS, TraceBuilder, TraceExportError,
                                 dtype_bytes)

_ELEMENTWISE = {"Relu": "relu", "Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Neg": "neg",
                "Sigmoid": "sigmoid", "Tanh": "tanh", "Gelu": "gelu", "Exp": "exp", "Sqrt": "sqrt", "Pow": "pow",
                "Erf": "erf", "Clip": "clip", "HardSwish": "hardswish", "LeakyRelu": "leaky_relu",
                "BatchNormalization": "batchnorm", "Concat": "move"}
_VIEWS = {"Flatten", "Reshape", "Identity", "Transpose", "Squeeze", "Unsqueeze", "Constant", "Shape", "Cast",
          "Dropout"}
# TensorProto element types -> trace dtypes.
_ONNX_DTYPES = {1: "fp32", 10: "fp16", 16: "bf16", 3: "int8", 2: "int8", 11: "fp32"}


def load(path: "str | os.PathLike[str]", dtype: Optional[str] = None, name: Optional[str] = None) -> dict:
    """The trace of the ONNX model at `path`; `dtype` overrides the tensors' own type."""
    import onnx
    from onnx import shape_inference

    model = shape_inference.infer_shapes(onnx.load(os.fspath(path)))
    return _Importer(model.graph, dtype, name or os.path.splitext(os.path.basename(os.fspath(path)))[0]).run()


class _Importer:
    def __init__(self, graph, dtype: Optional[str], name: str) -> None:
        self.g = graph
        self.dtype = dtype
        self.shapes: dict[str, list[int]] = {}
        self.types: dict[str, int] = {}
        for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
            t = vi.type.tensor_type
            dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
            self.shapes[vi.name], self.types[vi.name] = dims, t.elem_type
        self.weights = {init.name for init in graph.initializer}
        for init in graph.initializer:
            self.shapes[init.name], self.types[init.name] = list(init.dims), init.data_type
        first = [i for i in graph.input if i.name not in self.weights]
        items = float(self.shapes[first[0].name][0]) if first and self.shapes[first[0].name] else 1.0
        self.b = TraceBuilder(name, items)
        self.source: dict[str, Optional[str]] = {}  # tensor name -> producing trace op (None: memory)
        self.unsupported: dict[str, list[str]] = defaultdict(list)

    def shape(self, tensor: str, node) -> list[int]:
        s = self.shapes.get(tensor)
        if s is None or any(d <= 0 for d in s):
            raise TraceExportError(f"node '{node.name}' ({node.op_type}): tensor '{tensor}' has no static shape "
                                   f"({s}); export the model with fixed input sizes")
        return s

    def dt(self, tensor: str) -> str:
        return self.dtype or _ONNX_DTYPES.get(self.types.get(tensor, 1), "fp32")

    def attrs(self, node) -> dict:
        import onnx
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def acts(self, node) -> list[str]:
        return [i for i in node.input if i and i not in self.weights]

    def vector(self, node, kind: str, ops: float, inputs: Optional[list[str]] = None) -> None:
        out = node.output[0]
        feeds = [(self.source.get(i), math.prod(self.shape(i, node))) for i in (inputs if inputs is not None else self.acts(node))]
        dt = self.dt(out)
        self.source[out] = self.b.vector(node.name or out, kind, dt, math.prod(self.shape(out, node)), feeds, ops,
                                         dtype_bytes(dt))

    def gemm(self, node, m: int, k: int, n: int, batch: int, a: str, b: str) -> None:
        out = node.output[0]
        dt = self.dt(out)
        act = b not in self.weights
        feeds = [(self.source.get(a), math.prod(self.shape(a, node)) * dtype_bytes(dt))]
        if act:
            feeds.append((self.source.get(b), math.prod(self.shape(b, node)) * dtype_bytes(dt)))
        shape = {"batch": batch, "m": m, "n": n, "k": k, "b_is_activation": act}
        self.source[out] = self.b.add(node.name or out, "gemm", dt, shape, feeds)

    def conv(self, node) -> None:
        at = self.attrs(node)
        x, w = node.input[0], node.input[1]
        nb, c, h, wd = self.shape(x, node)
        o, _, kh, kw = self.shape(w, node)
        strides, pads = at.get("strides", [1, 1]), at.get("pads", [0, 0, 0, 0])
        if at.get("group", 1) != 1 or len(set(strides)) != 1 or len(set(pads)) != 1 or \
                any(d != 1 for d in at.get("dilations", [1, 1])) or at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            self.unsupported[f"Conv({at})"].append(node.name)
            return
        dt = self.dt(node.output[0])
        shape = {"batch": nb, "in_h": h, "in_w": wd, "in_c": c, "out_c": o, "kernel_h": kh, "kernel_w": kw,
                 "stride": strides[0], "pad": pads[0], "ceil_mode": bool(at.get("ceil_mode", 0))}
        self.source[node.output[0]] = self.b.add(node.name or node.output[0], "conv2d", dt, shape,
                                                 [(self.source.get(x), nb * c * h * wd * dtype_bytes(dt))])

    def node(self, node) -> None:
        t = node.op_type
        if t in _VIEWS:
            src = self.source.get(node.input[0]) if node.input else None
            for out in node.output:
                self.source[out] = src
        elif t == "Conv":
            self.conv(node)
        elif t == "Gemm":
            at = self.attrs(node)
            a, b = node.input[0], node.input[1]
            sa, sb = self.shape(a, node), self.shape(b, node)
            m, k = (sa[1], sa[0]) if at.get("transA", 0) else (sa[0], sa[1])
            n = sb[0] if at.get("transB", 0) else sb[1]
            self.gemm(node, m, k, n, 1, a, b)
        elif t == "MatMul":
            a, b = node.input
            sa, sb, so = self.shape(a, node), self.shape(b, node), self.shape(node.output[0], node)
            if len(sb) == 2:  # a weight (or 2-D activation) shared by every row of A
                self.gemm(node, math.prod(sa[:-1]), sa[-1], sb[-1], 1, a, b)
            else:
                self.gemm(node, sa[-2], sa[-1], sb[-1], math.prod(so[:-2]), a, b)
        elif t in _ELEMENTWISE:
            self.vector(node, "elementwise", ELEMENTWISE_OPS[_ELEMENTWISE[t]])
        elif t == "Softmax":
            self.vector(node, "softmax", SOFTMAX_OPS)
        elif t == "LayerNormalization":
            self.vector(node, "layernorm", LAYERNORM_OPS, [node.input[0]])
        elif t in ("MaxPool", "AveragePool"):
            area = math.prod(self.attrs(node)["kernel_shape"])
            self.vector(node, "pool", area - 1 if t == "MaxPool" else area, [node.input[0]])
        elif t in ("GlobalAveragePool", "GlobalMaxPool"):
            window = math.prod(self.shape(node.input[0], node)[2:])
            self.vector(node, "pool", window if t == "GlobalAveragePool" else window - 1, [node.input[0]])
        else:
            self.unsupported[t].append(node.name or node.output[0])

    def run(self) -> dict:
        for n in self.g.node:
            self.node(n)
        if self.unsupported:
            listing = "; ".join(f"{t} ({len(v)}x: {', '.join(v[:3])}{', ...' if len(v) > 3 else ''})"
                                for t, v in sorted(self.unsupported.items()))
            raise TraceExportError(f"unsupported ONNX op type(s): {listing}")
        if not self.b.trace["ops"]:
            raise TraceExportError("the ONNX graph has no ops to import")
        return self.b.trace


__all__ = ["load"]
