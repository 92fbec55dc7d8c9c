// SPDX-License-Identifier: MIT
// An LLM generation request as a workload: a prompt of prompt_len tokens and output_len generated
// tokens for each of `batch` sequences = one prefill + (output_len - 1) decode steps. Decode steps
// whose context falls in the same KV-length bucket are modelled as identical (DESIGN rule 7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/builders/transformer.h"
#include "workloads/transforms/compress.h"

namespace xpusim::wl {

/// Default bucket width: 128 tokens, the KV-cache block granularity serving engines allocate in
/// (vLLM's paged blocks are 16 tokens; 128 keeps a 1024-token generation to 8 distinct decode steps).
constexpr std::int64_t kDefaultKvBucket = 128;

struct GenerationSpec {
  TransformerConfig model;
  TransformerOptions options;  // dtypes and MoE routing; phase, batch and lengths are set per step
  std::int64_t batch = 1, prompt_len = 1024, output_len = 128;
  std::int64_t kv_bucket = kDefaultKvBucket;
  /// A `type: transformer` spec is one step only (its phase and kv_len), not a whole generation.
  bool single_step = false;
  /// Applied to every step's sharded graph (the spec's `compression:` block and compression.* overrides).
  std::optional<CompressionPlan> compression;
  /// The spec's `fusion:` policy (or a fusion= override); unset leaves it to the chip.
  std::optional<FusionPolicy> fusion;
};

/// Steps of one bucket: `steps` decode steps, each modelled with a context of `kv_len` tokens.
struct DecodeBucket {
  std::int64_t kv_len = 0;
  std::int64_t steps = 0;
};

/// Reads `workload: {type: generation, model, batch, prompt_len, output_len, dtype, weight_dtype,
/// kv_bucket, seed, routing_skew, capacity_factor}` or a `type: transformer` spec (one step), and an
/// optional top-level `compression:` map. Overrides `compression.KEY=VALUE` go to the latter. Relative
/// paths resolve against the spec's folder. Throws ConfigError naming file, line and key.
GenerationSpec load_generation_spec(const std::string& path, const std::vector<std::string>& overrides = {});

/// Context of decode step `i` (1-based: step 1 attends over prompt_len + 1 tokens) after bucketing:
/// rounded up to a multiple of kv_bucket, so a step is never modelled with fewer tokens than it has.
std::int64_t bucketed_kv_len(const GenerationSpec& spec, std::int64_t step);

/// The distinct decode steps, in order, with how many steps each stands for (summing to output_len - 1).
std::vector<DecodeBucket> decode_buckets(const GenerationSpec& spec);

}  // namespace xpusim::wl
