// SPDX-License-Identifier: MIT
// Seeded randomness of a scenario: Poisson query arrivals and LLM request lengths. The same seed gives
// the same numbers on every platform, and arrivals and lengths come from separate streams, so changing
// the arrival rate leaves the request lengths as they were.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sim/scenario/scenario_spec.h"
#include "sim/units.h"

namespace xpusim {

/// std::mt19937_64 is fully specified by the C++ standard, its distributions are not; they are computed
/// here so output is byte-identical across standard libraries.
class ScenarioRng {
 public:
  /// `stream` tells apart independent sequences drawn from one user seed.
  ScenarioRng(std::uint64_t seed, std::uint64_t stream);
  /// Uniform in [0, 1), 53 random bits.
  double uniform01();
  /// Uniform over lo..hi inclusive, without modulo bias.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  /// Exponentially distributed gap of mean 1 / rate_per_s seconds, rounded to whole picoseconds.
  Time exponential(double rate_per_s);

 private:
  std::mt19937_64 gen_;
};

/// Arrival times of `n` queries of a Poisson process of rate `qps` (queries per second) started at
/// time 0: the first arrives one exponential gap after 0. Non-decreasing.
std::vector<Time> poisson_arrivals(std::int64_t n, double qps, std::uint64_t seed);

struct RequestLength {
  std::int64_t prompt = 0, output = 0;  // tokens; output counts the token the prefill produces
};

/// Lengths of `n` LLM requests: all (fixed_prompt, fixed_output) for lengths: fixed, else drawn uniformly
/// from the scenario's ranges with its seed.
std::vector<RequestLength> request_lengths(const ScenarioSpec& spec, std::int64_t n, std::int64_t fixed_prompt,
                                           std::int64_t fixed_output);

}  // namespace xpusim
