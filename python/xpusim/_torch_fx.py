"""torch.fx side of xpusim.trace_export.from_torch: tracing, shape propagation and the node mapping.
Kept apart so that `import xpusim` never imports torch."""
from __future__ import annotations

import math
import operator
from typing import Any, Optional

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

from xpusim.trace_export import (ELEMENTWISE_OPS, LAYERNORM_OPS, RMSNORM_OPS, SOFTMAX_OPS, TraceBuilder,
                                 TraceExportError, dtype_bytes, dtype_name)

# Layout-only nodes: their output is their first input's data.
_VIEW_FUNCS = {torch.flatten, torch.reshape, torch.transpose, torch.permute, torch.squeeze, torch.unsqueeze,
               F.dropout, operator.getitem, getattr}
_VIEW_METHODS = {"view", "reshape", "flatten", "transpose", "permute", "contiguous", "squeeze", "unsqueeze",
                 "expand", "size", "dim", "type_as", "to", "float", "half", "t"}
_VIEW_MODULES = (nn.Flatten, nn.Identity, nn.Dropout, nn.Unflatten)
_ELEMENTWISE_FUNCS = {operator.add: "add", operator.sub: "sub", operator.mul: "mul", operator.truediv: "div",
                      operator.neg: "neg", torch.add: "add", torch.sub: "sub", torch.mul: "mul", torch.div: "div",
                      torch.relu: "relu", F.relu: "relu", F.gelu: "gelu", F.silu: "silu", torch.sigmoid: "sigmoid",
                      torch.tanh: "tanh", torch.exp: "exp", torch.sqrt: "sqrt", torch.pow: "pow", torch.erf: "erf",
                      torch.cat: "move", torch.clamp: "clip", F.hardswish: "hardswish", F.leaky_relu: "leaky_relu"}
_ELEMENTWISE_METHODS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "relu": "relu",
                        "sigmoid": "sigmoid", "tanh": "tanh", "exp": "exp", "sqrt": "sqrt", "pow": "pow",
                        "clamp": "clip"}
_ELEMENTWISE_MODULES = {nn.ReLU: "relu", nn.GELU: "gelu", nn.SiLU: "silu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh",
                        nn.Hardswish: "hardswish", nn.LeakyReLU: "leaky_relu", nn.ReLU6: "clip"}


class _Tracer(torch.fx.Tracer):
    """Keeps user RMSNorm modules whole, so they map to one rmsnorm op."""

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return type(m).__name__.endswith("RMSNorm") or super().is_leaf_module(m, qualname)


def _numel(shape: Any) -> int:
    return int(math.prod(shape))


class _Exporter:
    def __init__(self, gm: torch.fx.GraphModule, name: str, dtype: Optional[str], items: float,
                 fold_batchnorm: bool) -> None:
        self.gm = gm
        self.fold_batchnorm = fold_batchnorm
        self.modules = dict(gm.named_modules())
        self.dtype = dtype
        self.b = TraceBuilder(name, items)
        self.source: dict[torch.fx.Node, Optional[str]] = {}  # node -> producing trace op (None: memory)
        self.weights: set[torch.fx.Node] = set()
        self.unsupported: list[str] = []

    def meta(self, n: Any) -> Any:
        return n.meta.get("tensor_meta") if isinstance(n, torch.fx.Node) else None

    def dt(self, n: torch.fx.Node) -> str:
        return self.dtype or dtype_name(self.meta(n).dtype)

    def tensor_args(self, node: torch.fx.Node) -> list[torch.fx.Node]:
        return [a for a in node.all_input_nodes if self.meta(a) is not None and hasattr(self.meta(a), "shape")]

    def vector(self, node: torch.fx.Node, kind: str, ops: float, inputs: Optional[list] = None) -> None:
        out = _numel(self.meta(node).shape)
        args = [a for a in (inputs if inputs is not None else self.tensor_args(node)) if a not in self.weights]
        feeds = [(self.source.get(a), _numel(self.meta(a).shape)) for a in args]
        dt = self.dt(node)
        self.source[node] = self.b.vector(node.name, kind, dt, out, feeds, ops, dtype_bytes(dt))

    def gemm(self, node: torch.fx.Node, a: torch.fx.Node, k: int, n: int, batch: int = 1, b: Any = None) -> None:
        dt = self.dt(node)
        m = _numel(self.meta(a).shape) // k // batch
        act = b is not None and b not in self.weights
        feeds = [(self.source.get(a), _numel(self.meta(a).shape) * dtype_bytes(dt))]
        if act:
            feeds.append((self.source.get(b), _numel(self.meta(b).shape) * dtype_bytes(dt)))
        shape = {"batch": batch, "m": m, "n": n, "k": k, "b_is_activation": act}
        self.source[node] = self.b.add(node.name, "gemm", dt, shape, feeds)

    def conv(self, node: torch.fx.Node, mod: nn.Conv2d) -> None:
        x = node.args[0]
        nb, c, h, w = self.meta(x).shape
        kh, kw = mod.kernel_size
        pad = mod.padding
        if mod.groups != 1 or mod.stride[0] != mod.stride[1] or isinstance(pad, str) or pad[0] != pad[1] or \
                mod.dilation != (1, 1):
            self.unsupported.append(f"{node.name} (Conv2d with groups={mod.groups}, stride={mod.stride}, "
                                    f"padding={pad}, dilation={mod.dilation}: only groups=1, square stride and "
                                    "padding, no dilation)")
            return
        dt = self.dt(node)
        shape = {"batch": nb, "in_h": h, "in_w": w, "in_c": c, "out_c": mod.out_channels, "kernel_h": kh,
                 "kernel_w": kw, "stride": mod.stride[0], "pad": pad[0], "ceil_mode": False}
        feeds = [(self.source.get(x), nb * c * h * w * dtype_bytes(dt))]
        self.source[node] = self.b.add(node.name, "conv2d", dt, shape, feeds)

    def pool(self, node: torch.fx.Node, ops: float) -> None:
        self.vector(node, "pool", ops, [node.args[0]])

    def after_conv(self, x: Any) -> bool:
        """True when `x` is a Conv2d's output read by nothing else: its batch norm can be folded."""
        return isinstance(x, torch.fx.Node) and x.op == "call_module" and \
            isinstance(self.modules.get(x.target), nn.Conv2d) and len(x.users) == 1

    def module(self, node: torch.fx.Node) -> None:
        mod = self.modules[node.target]
        x = node.args[0] if node.args else None
        if isinstance(mod, _VIEW_MODULES):
            self.source[node] = self.source.get(x)
        elif isinstance(mod, nn.Linear):
            self.gemm(node, x, mod.in_features, mod.out_features)
        elif isinstance(mod, nn.Conv2d):
            self.conv(node, mod)
        elif type(mod) in _ELEMENTWISE_MODULES:
            self.vector(node, "elementwise", ELEMENTWISE_OPS[_ELEMENTWISE_MODULES[type(mod)]])
        elif isinstance(mod, nn.BatchNorm2d) and self.fold_batchnorm and self.after_conv(x):
            self.source[node] = self.source.get(x)  # folded into the conv's weights and bias
        elif isinstance(mod, nn.BatchNorm2d):
            self.vector(node, "elementwise", ELEMENTWISE_OPS["batchnorm"])
        elif isinstance(mod, (nn.LayerNorm, nn.GroupNorm)):
            self.vector(node, "layernorm", LAYERNORM_OPS)
        elif type(mod).__name__.endswith("RMSNorm"):
            self.vector(node, "rmsnorm", RMSNORM_OPS)
        elif isinstance(mod, nn.Softmax):
            self.vector(node, "softmax", SOFTMAX_OPS)
        elif isinstance(mod, (nn.MaxPool2d, nn.AvgPool2d)):
            k = mod.kernel_size if isinstance(mod.kernel_size, int) else math.prod(mod.kernel_size)
            area = k * k if isinstance(mod.kernel_size, int) else k
            self.pool(node, area - 1 if isinstance(mod, nn.MaxPool2d) else area)
        elif isinstance(mod, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            window = _numel(self.meta(x).shape) / _numel(self.meta(node).shape)
            self.pool(node, window if isinstance(mod, nn.AdaptiveAvgPool2d) else window - 1)
        elif isinstance(mod, nn.Embedding):
            self.vector(node, "elementwise", ELEMENTWISE_OPS["move"], [])
        else:
            self.unsupported.append(f"{node.name} (module {type(mod).__name__})")

    def function(self, node: torch.fx.Node) -> None:
        t = node.target
        if t in _VIEW_FUNCS:
            self.source[node] = self.source.get(node.args[0])
        elif t in (torch.matmul, operator.matmul, torch.bmm):
            a, b = node.args[0], node.args[1]
            sa, sb = self.meta(a).shape, self.meta(b).shape
            batch = _numel(self.meta(node).shape[:-2]) if len(sb) > 2 else 1
            self.gemm(node, a, sa[-1], sb[-1], batch, b)
        elif t is F.linear:
            w = node.args[1]
            self.gemm(node, node.args[0], self.meta(w).shape[1], self.meta(w).shape[0], 1, w)
        elif t in (F.softmax, torch.softmax):
            self.vector(node, "softmax", SOFTMAX_OPS)
        elif t is F.layer_norm:
            self.vector(node, "layernorm", LAYERNORM_OPS)
        elif t in (F.adaptive_avg_pool2d, F.avg_pool2d, F.max_pool2d):
            window = _numel(self.meta(node.args[0]).shape) / _numel(self.meta(node).shape)
            self.pool(node, window - 1 if t is F.max_pool2d else window)
        elif t in _ELEMENTWISE_FUNCS:
            self.vector(node, "elementwise", ELEMENTWISE_OPS[_ELEMENTWISE_FUNCS[t]])
        else:
            self.unsupported.append(f"{node.name} (function {getattr(t, '__module__', '')}.{getattr(t, '__name__', t)})")

    def method(self, node: torch.fx.Node) -> None:
        t = node.target
        if t in _VIEW_METHODS:
            self.source[node] = self.source.get(node.args[0])
        elif t == "softmax":
            self.vector(node, "softmax", SOFTMAX_OPS)
        elif t in ("matmul", "bmm"):
            self.function_like_matmul(node)
        elif t in _ELEMENTWISE_METHODS:
            self.vector(node, "elementwise", ELEMENTWISE_OPS[_ELEMENTWISE_METHODS[t]])
        else:
            self.unsupported.append(f"{node.name} (method Tensor.{t})")

    def function_like_matmul(self, node: torch.fx.Node) -> None:
        a, b = node.args[0], node.args[1]
        sa, sb = self.meta(a).shape, self.meta(b).shape
        batch = _numel(self.meta(node).shape[:-2]) if len(sb) > 2 else 1
        self.gemm(node, a, sa[-1], sb[-1], batch, b)

    def run(self) -> dict:
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                self.source[node] = None
            elif node.op == "get_attr":
                self.weights.add(node)
                self.source[node] = None
            elif node.op == "output":
                continue
            elif self.meta(node) is None or not hasattr(self.meta(node), "shape"):
                # Python values computed from shapes (x.size(0) * 2): no tensor, no work.
                self.source[node] = None
            elif node.op == "call_module":
                self.module(node)
            elif node.op == "call_function":
                self.function(node)
            elif node.op == "call_method":
                self.method(node)
        if self.unsupported:
            raise TraceExportError(f"{len(self.unsupported)} torch.fx node(s) have no trace op: "
                                   + "; ".join(self.unsupported))
        if not self.b.trace["ops"]:
            raise TraceExportError("the module has no ops to trace")
        return self.b.trace


def export_module(module: nn.Module, example_inputs: tuple, name: Optional[str], fold_batchnorm: bool,
                  dtype: Optional[str]) -> dict:
    module = module.eval()
    gm = torch.fx.GraphModule(module, _Tracer().trace(module))
    with torch.no_grad():
        ShapeProp(gm).propagate(*example_inputs)
    items = float(example_inputs[0].shape[0]) if example_inputs and hasattr(example_inputs[0], "shape") else 1.0
    return _Exporter(gm, name or type(module).__name__, dtype, items, fold_batchnorm).run()
