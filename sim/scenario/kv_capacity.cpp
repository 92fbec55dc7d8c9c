// SPDX-License-Identifier: MIT
#include "sim/scenario/kv_capacity.h"

#include <cmath>

#include "sim/config/config_error.h"
#include "sim/driver/serving.h"
#include "sim/int_math.h"
#include "sim/unit_parse.h"

namespace xpusim {

KvCapacity kv_capacity(const arch::System& system, const wl::GenerationSpec& spec, std::int64_t block_tokens,
                       double memory_fraction, std::int64_t max_prefill_tokens) {
  const int stages = system.stages();
  const std::int64_t mb = system.parallelism().microbatches;
  auto step = [&](wl::Phase phase, std::int64_t batch, std::int64_t len) {
    wl::GenerationSpec s = spec;
    s.batch = batch;
    s.prompt_len = len;
    return memory_needs(build_step(system, s, phase, len), stages);
  };
  // One decode step per micro-batch over a block_tokens context: its KV bytes are `mb` blocks.
  const auto block = step(wl::Phase::kDecode, mb, block_tokens);
  const auto prefill = step(wl::Phase::kPrefill, mb, ceil_div(max_prefill_tokens, mb));

  KvCapacity best;
  best.block_tokens = block_tokens;
  best.blocks = -1;
  for (int s = 0; s < stages; ++s) {
    const auto i = static_cast<std::size_t>(s);
    KvCapacity c;
    c.block_tokens = block_tokens;
    c.stage = s;
    c.memory = system.stage_chip(s).main_memory().capacity();
    c.usable = Bytes(static_cast<std::int64_t>(std::floor(static_cast<double>(c.memory.count()) * memory_fraction)));
    c.weights = block[i].weights;
    c.activations = prefill[i].activations;
    c.kv_space = c.usable - c.weights - c.activations;
    c.block_bytes = Bytes(block[i].kv_cache.count() / mb);
    c.blocks = c.kv_space.count() > 0 && c.block_bytes.count() > 0 ? c.kv_space.count() / c.block_bytes.count() : 0;
    if (best.blocks < 0 || c.blocks < best.blocks) best = c;
  }
  if (best.blocks < 1) {
    throw ConfigError(SourceMark{spec.model.name, 0, 0},
                      "no room for a KV cache: stage " + std::to_string(best.stage) + " has " + format(best.usable) +
                          " usable (" + format(best.memory) + " x memory_fraction) but needs " + format(best.weights) +
                          " of weights + " + format(best.activations) + " of activations, and one block of " +
                          std::to_string(block_tokens) + " tokens takes " + format(best.block_bytes) +
                          " (raise tp or pp, memory_fraction, or use a narrower weight_dtype)");
  }
  return best;
}

}  // namespace xpusim
