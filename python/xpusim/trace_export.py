"""PyTorch models as xpusim traces (traces/FORMAT.md): `from_torch(module, example_inputs)` traces the
module with torch.fx, propagates shapes, and maps each node to a trace op. `save()` writes the trace;
`xpusim.Workload(path)` then loads it like any workload.

    trace = from_torch(torchvision.models.resnet50().eval(), (torch.randn(1, 3, 224, 224),))
    save(trace, "resnet50.json"); wl = xpusim.Workload("resnet50.json")

Mapping: Linear / matmul / bmm -> gemm; Conv2d (groups=1) -> conv2d; activations and arithmetic ->
elementwise; softmax; LayerNorm / GroupNorm -> layernorm; modules whose class name ends in "RMSNorm" ->
rmsnorm; pooling -> pool; BatchNorm -> folded into the preceding conv by default (as inference
compilers do), else elementwise. Views (flatten, reshape, view, transpose, permute, contiguous,
dropout, identity) are not ops: their consumers read the producer's tensor. Any other node raises
TraceExportError listing every unsupported node; there is no silent fallback.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any, Iterable, Optional, Sequence

TRACE_VERSION = 1

# Work per output element, as the C++ builders count it (workloads/builders/*.cpp).
ELEMENTWISE_OPS = {"relu": 1, "add": 1, "sub": 1, "mul": 1, "div": 1, "neg": 1, "sigmoid": 3, "tanh": 1,
                   "gelu": 5, "silu": 4, "exp": 1, "sqrt": 1, "pow": 1, "erf": 1, "batchnorm": 2,
                   "move": 1, "clip": 1, "hardswish": 3, "leaky_relu": 2}
SOFTMAX_OPS = 5
LAYERNORM_OPS = 7
RMSNORM_OPS = 4

_DTYPES = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "int8": "int8", "uint8": "int8",
           "float64": "fp32"}


class TraceExportError(ValueError):
    """A model that cannot be expressed as a trace; the message lists every offending node."""


class TraceBuilder:
    """Collects ops and tensors; tensor sources are op names, or None for data read from memory."""

    def __init__(self, name: str, items: float = 1, item_unit: str = "inferences") -> None:
        self.trace: dict = {"xpusim_trace": TRACE_VERSION, "name": name, "items": items,
                            "item_unit": item_unit, "ops": [], "tensors": []}
        self._names: set[str] = set()

    def add(self, name: str, kind: str, dtype: str, shape: dict, inputs: Iterable[tuple[Optional[str], int]] = (),
            ops_per_element: Optional[float] = None, weight_dtype: Optional[str] = None) -> str:
        """Adds an op fed by `inputs` [(producer op or None, bytes)]; returns its (unique) name."""
        base, n = name, 1
        while name in self._names:
            n += 1
            name = f"{base}_{n}"
        self._names.add(name)
        op: dict = {"name": name, "kind": kind, "dtype": dtype, "shape": shape}
        if weight_dtype:
            op["weight_dtype"] = weight_dtype
        if ops_per_element is not None:
            op["ops_per_element"] = ops_per_element
        self.trace["ops"].append(op)
        for producer, nbytes in inputs:
            if producer is not None:
                self.trace["tensors"].append({"from": producer, "to": name, "bytes": int(nbytes), "name": producer})
        return name

    def vector(self, name: str, kind: str, dtype: str, out_elements: int, inputs: Sequence[tuple[Optional[str], int]],
               ops: float, bytes_per_element: float) -> str:
        """A vector op; `inputs` are (producer, elements). Inputs of the output's size count as separate
        inputs; otherwise (broadcast, pooling) one input of their summed size, as the C++ builders do."""
        sizes = [e for _, e in inputs] or [out_elements]
        if all(e == out_elements for e in sizes):
            shape = {"elements": out_elements, "inputs": len(sizes), "input_elements": 0}
        else:
            shape = {"elements": out_elements, "inputs": 1, "input_elements": sum(sizes)}
        feeds = [(p, math.ceil(e * bytes_per_element)) for p, e in inputs]
        return self.add(name, kind, dtype, shape, feeds, ops_per_element=ops)


def dtype_name(torch_or_numpy_dtype: Any) -> str:
    s = str(torch_or_numpy_dtype).replace("torch.", "")
    if s not in _DTYPES:
        raise TraceExportError(f"unsupported tensor dtype {s} (supported: {', '.join(sorted(_DTYPES))})")
    return _DTYPES[s]


def dtype_bytes(name: str) -> float:
    return {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}[name]


def save(trace: dict, path: "str | os.PathLike[str]") -> str:
    """Writes `trace` as JSON and returns the path, ready for xpusim.Workload(path)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(trace, f, indent=1)
        f.write("\n")
    return os.fspath(path)


def from_torch(module: Any, example_inputs: Sequence[Any], name: Optional[str] = None,
               fold_batchnorm: bool = True, dtype: Optional[str] = None) -> dict:
    """The trace of `module` run on `example_inputs` (a tuple of tensors). `dtype` overrides the
    tensors' own (e.g. "bf16" for a model traced in fp32). items = the first input's batch size."""
    from xpusim._torch_fx import export_module
    return export_module(module, tuple(example_inputs), name, fold_batchnorm, dtype)


__all__ = ["TraceBuilder", "TraceExportError", "from_torch", "save", "TRACE_VERSION"]
