// SPDX-License-Identifier: MIT
#include "sim/scenario/arrivals.h"

#include <cmath>
#include <limits>

namespace xpusim {
namespace {

constexpr std::uint64_t kArrivalStream = 1, kLengthStream = 2;

// SplitMix64 (Steele, Lea, Flood 2014): spreads nearby seeds apart before they seed the Mersenne Twister.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

ScenarioRng::ScenarioRng(std::uint64_t seed, std::uint64_t stream) : gen_(splitmix64(seed ^ splitmix64(stream))) {}

double ScenarioRng::uniform01() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }

std::int64_t ScenarioRng::uniform_int(std::int64_t lo, std::int64_t hi) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  // Draws above the largest multiple of span would favour small values; redraw them.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % span;
  std::uint64_t x = gen_();
  while (x >= limit) x = gen_();
  return lo + static_cast<std::int64_t>(x % span);
}

Time ScenarioRng::exponential(double rate_per_s) {
  const double gap_s = -std::log1p(-uniform01()) / rate_per_s;
  return Time(std::llround(gap_s * 1e12));
}

std::vector<Time> poisson_arrivals(std::int64_t n, double qps, std::uint64_t seed) {
  ScenarioRng rng(seed, kArrivalStream);
  std::vector<Time> out;
  out.reserve(static_cast<std::size_t>(n));
  Time t{0};
  for (std::int64_t i = 0; i < n; ++i) {
    t += rng.exponential(qps);
    out.push_back(t);
  }
  return out;
}

std::vector<RequestLength> request_lengths(const ScenarioSpec& spec, std::int64_t n, std::int64_t fixed_prompt,
                                           std::int64_t fixed_output) {
  std::vector<RequestLength> out(static_cast<std::size_t>(n), RequestLength{fixed_prompt, fixed_output});
  if (spec.lengths != LengthDistribution::kUniform) return out;
  ScenarioRng rng(spec.seed, kLengthStream);
  for (RequestLength& r : out) {
    r.prompt = rng.uniform_int(spec.prompt_len_min, spec.prompt_len_max);
    r.output = rng.uniform_int(spec.output_len_min, spec.output_len_max);
  }
  return out;
}

}  // namespace xpusim
