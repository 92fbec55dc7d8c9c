// SPDX-License-Identifier: MIT
// The fusion pass: groups the ops of a graph into the kernels an inference compiler would launch
// (TensorRT, XLA, torch.compile), so that data staying inside a kernel never touches main memory.
// It runs between the graph and the mapper; what a kernel costs on a chip is the mapper's and the
// component models' business (OpNode::fused tells them what the kernel holds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/config/config_node.h"
#include "sim/fusion_policy.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

/// `graph` as kernels under `policy`; kNone returns it unchanged. Rules, in order:
///  - kFull: a GEMM of scores whose only consumer is a softmax whose only consumer is the P x V GEMM
///    becomes one kAttention kernel (FlashAttention): the scores stay on chip.
///  - Weight GEMMs of one module (names alike up to the last '.') with the same producers and the same
///    M, K and formats become one GEMM with their N side by side (fused QKV and gate/up projections,
///    as serving engines store them).
///  - An element-wise op joins the kernel of one of its producers (a GEMM's epilogue, or a chain of
///    element-wise ops and norms); norms and softmax, which reduce whole rows, join only element-wise
///    chains, never a GEMM tile's epilogue; pooling joins nothing. An op joins a kernel only when the
///    kernels of its other inputs end before that kernel begins, so the kernels stay acyclic.
///  - kFull: the per-expert GEMM kernels of an MoE layer (sibling modules with the same N and K and
///    the same producer kernels) become one grouped GEMM (FusedWork::expert_rows), one launch, unless
///    that would make two kernels wait for each other.
///  - Convolutions run as implicit GEMMs (FusedWork::implicit_gemm).
/// A kernel reads what enters it from outside and writes what leaves it for outside consumers (or
/// leaves the graph). Kernels keep the order of their first op; a kernel of several ops is named by
/// its members ("L0.q_proj+k_proj+v_proj+rotary+kv_write"). The result remembers the policy.
OpGraph fuse(const OpGraph& graph, FusionPolicy policy);

/// The fusion policy a workload asks for: a `fusion=VALUE` entry of `overrides` (taken out of it; the
/// last wins), else the `fusion:` key of a workload spec's top level `root` (nullptr for files
/// without one); unset when neither says. Throws ConfigError naming where the bad value came from.
std::optional<FusionPolicy> take_fusion_setting(const ConfigNode* root, std::vector<std::string>& overrides);

}  // namespace xpusim::wl
