// SPDX-License-Identifier: MIT
// How far ops are fused into kernels before they are mapped: shared vocabulary of the workload (which
// may ask for a policy) and the chip (whose production compiler stack sets the default).
#pragma once

#include <optional>
#include <string_view>

namespace xpusim {

enum class FusionPolicy {
  /// Every op is its own kernel and round-trips main memory (eager execution op by op).
  kNone,
  /// Element-wise work rides in the kernel that produced its input: GEMM/conv epilogues (bias,
  /// activation, residual add, rotary, KV write), chains of element-wise ops and norms in one kernel,
  /// projections that share an input as one GEMM, convolutions as implicit GEMMs.
  kEpilogue,
  /// kEpilogue, and attention as one tiled kernel (FlashAttention / FlashDecoding): the scores never
  /// leave the chip; the experts of an MoE layer as one grouped GEMM per projection.
  kFull,
};

std::string_view to_string(FusionPolicy p);
/// "none" | "epilogue" | "full"; nullopt when unknown.
std::optional<FusionPolicy> parse_fusion_policy(std::string_view s);
inline constexpr const char* kFusionPolicyNames = "none, epilogue, full";

}  // namespace xpusim
