// SPDX-License-Identifier: MIT
// Seeded token-to-expert routing for mixture-of-experts layers: how many tokens each expert receives,
// drawn top-k per token from a uniform or Zipf-skewed popularity, then capped by a capacity factor.
#pragma once

#include <cstdint>
#include <vector>

namespace xpusim::wl {

struct RoutingOptions {
  std::uint64_t seed = 1;
  /// Zipf exponent of expert popularity: 0 = every expert equally likely; 1 = the i-th most popular
  /// expert is chosen in proportion to 1/i. Which expert is the popular one is itself drawn per layer.
  double skew = 0.0;
  /// Each expert takes at most ceil(capacity_factor x tokens x top_k / experts) tokens; the rest are
  /// dropped (GShard / Switch Transformer). 0 = no limit (dropless, as Mixtral is served).
  double capacity_factor = 0.0;
};

struct Routing {
  std::vector<std::int64_t> tokens_per_expert;  // after the capacity cap
  std::int64_t dropped = 0;                     // token-expert assignments over capacity
};

/// Routes `tokens` tokens, each to `top_k` distinct experts out of `experts`. The draw depends only on
/// (options.seed, layer), so every layer routes differently and a run is reproducible on any platform.
Routing route_tokens(std::int64_t tokens, std::int64_t experts, std::int64_t top_k, std::int64_t layer,
                     const RoutingOptions& options);

}  // namespace xpusim::wl
