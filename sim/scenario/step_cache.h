// SPDX-License-Identifier: MIT
// The distinct step shapes a scenario runs (a batch of n samples; an LLM prefill or decode step of a
// bucketed shape), each simulated once, and how often each ran. A scenario's energy and bounds are the
// runs' sums, as if every step had been simulated (DESIGN rule 7).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "sim/result.h"
#include "sim/units.h"

namespace xpusim {

enum class StepKind { kBatch, kPrefill, kDecode };

struct StepKey {
  StepKind kind = StepKind::kBatch;
  std::int64_t batch = 0;   // samples or sequences as simulated
  std::int64_t tokens = 0;  // LLM: tokens per sequence as simulated; 0 for batches
  // Chunked prefill: tokens cached before the chunk, and sequences decoding in the same step over
  // decode_tokens each.
  std::int64_t past = 0, decode_batch = 0, decode_tokens = 0;
  auto operator<=>(const StepKey&) const = default;
};

class StepCache {
 public:
  using Simulate = std::function<Result(const StepKey&)>;
  explicit StepCache(Simulate simulate) : simulate_(std::move(simulate)) {}

  /// The result of `key`, simulated the first time it is asked for. Does not count as a run.
  const Result& result(const StepKey& key);
  /// Duration of one run of `key` (whole picoseconds, as the engine measured it); counts the run.
  Time run(const StepKey& key);

  /// One Result for every run together: the ops (and timeline) of the step that took the most time in
  /// all, energy and its breakdown summed over runs, bounds weighted by time, power over `duration_s`.
  /// Latency and throughput are left for the caller to set. `replicas`: the data-parallel replicas
  /// the runs were spread over; a step's Result is every replica running it at once, so a run on one
  /// replica is 1/replicas of it.
  /// The time of `duration_s` no step ran costs `idle_power` (StepLedger::apply).
  Result combine(double duration_s, std::int64_t replicas = 1, Power idle_power = Power(0)) const;
  /// Steps that ran at least once, in key order.
  std::vector<ScenarioStep> steps() const;
  std::int64_t simulations() const { return static_cast<std::int64_t>(entries_.size()); }

 private:
  struct Entry {
    Result result;
    Time duration{0};
    std::int64_t runs = 0;
  };
  Entry& entry(const StepKey& key);
  Simulate simulate_;
  std::map<StepKey, Entry> entries_;  // ordered: reports and sums do not depend on hashing
};

/// A Result's latency as the engine's whole picoseconds.
Time step_time(const Result& r);

}  // namespace xpusim
