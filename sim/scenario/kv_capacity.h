// SPDX-License-Identifier: MIT
// How many paged KV-cache blocks a system holds while serving a model: per chip after sharding, the
// usable memory minus the weights and an activation reserve, as vLLM sizes its cache at start-up.
#pragma once

#include <cstdint>

#include "arch/system.h"
#include "sim/units.h"
#include "workloads/serving.h"

namespace xpusim {

struct KvCapacity {
  std::int64_t block_tokens = 16;
  std::int64_t blocks = 0;
  int stage = 0;  // the pipeline stage that sets the count (the one with the fewest blocks)
  /// Of that stage's chip: main memory, the share the engine may use, weights, activation reserve,
  /// what is left for the cache, and the bytes of one block (every layer of the stage, K and V).
  Bytes memory{0}, usable{0}, weights{0}, activations{0}, kv_space{0}, block_bytes{0};
};

/// Sizes the cache with memory_needs() of the step graphs the engine runs: weights of the stage, K and
/// V bytes of a block_tokens context, and as activation reserve the largest op of a prefill iteration
/// of max_prefill_tokens tokens (vLLM profiles a dummy prefill of max_num_batched_tokens for the same
/// purpose; a decode step's activations, one token per sequence, are far smaller).
/// Throws ConfigError, naming each part, when not even one block fits.
KvCapacity kv_capacity(const arch::System& system, const wl::GenerationSpec& spec, std::int64_t block_tokens,
                       double memory_fraction, std::int64_t max_prefill_tokens);

}  // namespace xpusim
