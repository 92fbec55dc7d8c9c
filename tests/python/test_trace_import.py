"""PyTorch (torch.fx) and ONNX import into xpusim traces: torchvision's ResNet-50 gives the C++
builder's FLOPs; small models map to the right kinds; unsupported nodes and ops give clear errors."""
from __future__ import annotations

import pytest

import xpusim
from xpusim.trace_export import TraceExportError, from_torch, save

torch = pytest.importorskip("torch")
nn = torch.nn
from conftest import ROOT  # noqa: E402

RESNET = ROOT / "configs/workloads/resnet50.yaml"


def resnet50():
    torchvision = pytest.importorskip("torchvision")
    return torchvision.models.resnet50(weights=None).eval()


def workload(trace: dict, tmp_path) -> xpusim.Workload:
    return xpusim.Workload(save(trace, tmp_path / f"{trace['name']}.json"))


def test_torch_fx_resnet50_equals_builder(tmp_path):
    # Batch norm is folded into the convs (torch.fx fuse), as the builder assumes: identical op count
    # and identical FLOPs, to the FLOP.
    wl = workload(from_torch(resnet50(), (torch.randn(1, 3, 224, 224),), name="r50"), tmp_path)
    ref = xpusim.Workload(RESNET).summary()
    got = wl.summary()
    assert got["ops"] == ref["ops"] == 121
    assert got["flops"] == ref["flops"]  # 8.195 GFLOP (4.09 G multiply-accumulates + vector ops)
    assert got["items"] == 1


def test_unfolded_batchnorm_adds_exactly_its_scale_and_shift(tmp_path):
    model = resnet50()
    folded = workload(from_torch(model, (torch.randn(1, 3, 224, 224),), name="f"), tmp_path).summary()
    plain = workload(from_torch(model, (torch.randn(1, 3, 224, 224),), name="p", fold_batchnorm=False), tmp_path)
    # 53 batch norms, each 2 FLOPs (scale, shift) per element of its conv's output.
    bn_elements = sum(m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    assert bn_elements > 0
    extra = plain.summary()["flops"] - folded["flops"]
    conv_out = 0
    hooks = [m.register_forward_hook(lambda m, i, o: globals().__setitem__("_acc", globals().get("_acc", 0) + o.numel()))
             for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    globals()["_acc"] = 0
    with torch.no_grad():
        model(torch.randn(1, 3, 224, 224))
    conv_out = globals().pop("_acc")
    for h in hooks:
        h.remove()
    assert extra == 2 * conv_out
    assert plain.summary()["ops"] == folded["ops"] + 53


def test_onnx_resnet50_equals_builder(tmp_path):
    onnx_import = pytest.importorskip("xpusim.onnx_import")
    pytest.importorskip("onnx")
    path = tmp_path / "resnet50.onnx"
    # Eval-mode export folds batch norm into the convs (and emits Flatten and Identity, which are views).
    torch.onnx.export(resnet50(), torch.randn(1, 3, 224, 224), str(path), opset_version=13)
    trace = onnx_import.load(path)
    got = workload(trace, tmp_path).summary()
    ref = xpusim.Workload(RESNET).summary()
    kinds = {op["kind"] for op in trace["ops"]}
    assert kinds == {"conv2d", "elementwise", "pool", "gemm"}
    # Same ops and FLOPs as the builder: conv/FC biases ride in the epilogue in both, BN is folded in
    # both. Tolerance 0: a difference would mean a shape or a counting rule disagrees.
    assert got["ops"] == ref["ops"]
    assert got["flops"] == ref["flops"]


def test_small_transformer_block_maps_every_kind(tmp_path):
    class RMSNorm(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.w = nn.Parameter(torch.ones(d))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.w

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm, self.rms = nn.LayerNorm(64), RMSNorm(64)
            self.q, self.k, self.v = nn.Linear(64, 64), nn.Linear(64, 64), nn.Linear(64, 64)
            self.out, self.act = nn.Linear(64, 64), nn.GELU()

        def forward(self, x):
            h = self.norm(x)
            q, k, v = self.q(h), self.k(h), self.v(h)
            p = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
            return x + self.act(self.out(self.rms(torch.bmm(p, v))))

    trace = from_torch(Block(), (torch.randn(2, 16, 64),), name="block")
    kinds = {op["name"]: op["kind"] for op in trace["ops"]}
    assert set(kinds.values()) == {"layernorm", "gemm", "softmax", "rmsnorm", "elementwise"}
    scores = next(op for op in trace["ops"] if op["kind"] == "gemm" and op["shape"]["b_is_activation"])
    assert scores["shape"] == {"batch": 2, "m": 16, "n": 16, "k": 64, "b_is_activation": True}
    assert next(op for op in trace["ops"] if op["name"] == "q")["shape"] == \
        {"batch": 1, "m": 32, "n": 64, "k": 64, "b_is_activation": False}
    assert len(workload(trace, tmp_path)) == len(trace["ops"])


def test_unsupported_torch_nodes_are_listed():
    class Odd(nn.Module):
        def forward(self, x):
            return torch.cumsum(torch.fft.fft(x).real, dim=-1)

    with pytest.raises(TraceExportError, match=r"2 torch.fx node\(s\) have no trace op: .*fft.*cumsum"):
        from_torch(Odd(), (torch.randn(4, 8),))


def test_unsupported_onnx_ops_are_listed(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    from xpusim.onnx_import import load

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 8])
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("CumSum", ["a", "axis"], ["b"], name="cum1"),
             helper.make_node("Einsum", ["b", "b"], ["c"], name="ein", equation="ij,ij->ij"),
             helper.make_node("CumSum", ["c", "axis"], ["y"], name="cum2")]
    axis = helper.make_tensor("axis", TensorProto.INT64, [], [1])
    path = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(helper.make_graph(nodes, "odd", [x], [y], [axis])), str(path))
    with pytest.raises(TraceExportError, match=r"unsupported ONNX op type\(s\): CumSum \(2x: cum1, cum2\); Einsum \(1x: ein\)"):
        load(path)


def test_bad_trace_errors_reach_python(tmp_path):
    trace = {"xpusim_trace": 1, "name": "bad", "ops": [{"name": "a", "kind": "conv", "dtype": "bf16", "shape": {}}]}
    with pytest.raises(xpusim.ConfigError, match=r"bad.json:\d+:\d+: op 'a' \(ops\[0\]\): unknown op kind 'conv'"):
        xpusim.Workload(save(trace, tmp_path / "bad.json"))
