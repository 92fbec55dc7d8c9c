// SPDX-License-Identifier: MIT
#include "sim/scenario/step_cache.h"

#include <cmath>

#include "sim/driver/step_ledger.h"

namespace xpusim {

Time step_time(const Result& r) { return Time(std::llround(r.latency_s * 1e12)); }

StepCache::Entry& StepCache::entry(const StepKey& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    Entry e;
    e.result = simulate_(key);
    e.duration = step_time(e.result);
    it = entries_.emplace(key, std::move(e)).first;
  }
  return it->second;
}

const Result& StepCache::result(const StepKey& key) { return entry(key).result; }

Time StepCache::run(const StepKey& key) {
  Entry& e = entry(key);
  ++e.runs;
  return e.duration;
}

Result StepCache::combine(double duration_s, std::int64_t replicas, Power idle_power) const {
  const Entry* heaviest = nullptr;
  StepLedger ledger;
  for (const auto& [key, e] : entries_) {
    if (e.runs == 0) continue;
    ledger.add(e.result, static_cast<double>(e.runs) / static_cast<double>(replicas));
    if (!heaviest || e.duration * e.runs > heaviest->duration * heaviest->runs) heaviest = &e;
  }
  Result r = heaviest ? heaviest->result : Result{};
  ledger.apply(r, duration_s, idle_power);
  return r;
}

std::vector<ScenarioStep> StepCache::steps() const {
  std::vector<ScenarioStep> out;
  for (const auto& [key, e] : entries_) {
    if (e.runs == 0) continue;
    const char* phase = key.kind == StepKind::kDecode    ? "decode"
                        : key.kind == StepKind::kBatch   ? "batch"
                        : key.decode_batch > 0           ? "mixed"
                                                         : "prefill";
    out.push_back({phase, key.batch, key.tokens, key.past, key.decode_batch, key.decode_tokens, e.runs, e.result.latency_s});
  }
  return out;
}

}  // namespace xpusim
