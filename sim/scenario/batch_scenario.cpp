// SPDX-License-Identifier: MIT
#include "sim/scenario/batch_scenario.h"

#include <algorithm>
#include <map>

#include "sim/config/config_error.h"
#include "sim/driver/serving.h"
#include "sim/int_math.h"
#include "sim/scenario/batch_loop.h"
#include "sim/scenario/latency_summary.h"
#include "sim/scenario/mlperf_targets.h"
#include "sim/scenario/step_cache.h"
#include "workloads/loader.h"

namespace xpusim {
namespace {

/// Graphs of the workload by batch size, built on demand, with whether they fit main memory.
class BatchGraphs {
 public:
  BatchGraphs(const std::string& path, std::vector<std::string> overrides, std::string key)
      : path_(path), overrides_(std::move(overrides)), key_(std::move(key)) {}

  const wl::OpGraph& at(std::int64_t batch) {
    auto it = graphs_.find(batch);
    if (it == graphs_.end()) {
      std::vector<std::string> o = overrides_;
      if (!key_.empty()) o.push_back(key_ + "=" + std::to_string(batch));
      it = graphs_.emplace(batch, wl::load_workload(path_, o)).first;
    }
    return it->second;
  }

  bool fits(std::int64_t batch, const arch::Chip& chip) {
    return memory_needs(at(batch), 1).front().total() <= chip.main_memory().capacity();
  }

 private:
  std::string path_;
  std::vector<std::string> overrides_;
  std::string key_;
  std::map<std::int64_t, wl::OpGraph> graphs_;
};

}  // namespace

Result run_batch_scenario(arch::Chip& chip, const std::string& workload_path,
                          const std::vector<std::string>& workload_overrides, const ScenarioSpec& spec,
                          const SimOptions& options) {
  const std::string type = wl::workload_type(workload_path);
  const std::string key = wl::batch_key(type);
  const bool streams = spec.kind == ScenarioKind::kSingleStream || spec.kind == ScenarioKind::kMultiStream;
  const std::int64_t spq = spec.samples_per_query > 0 ? spec.samples_per_query : spec.kind == ScenarioKind::kMultiStream ? 8 : 1;
  std::int64_t max_batch = spec.max_batch > 0 ? spec.max_batch : streams ? spq : 256;
  if (key.empty() && max_batch > 1) {
    throw ConfigError(spec.mark, "scenario: the workload '" + workload_path + "' (" + type +
                                     ") has no batch size to vary; set max_batch: 1 (batches then run one sample at a time)");
  }
  const double p = spec.percentile > 0 ? spec.percentile : mlperf_percentile(spec.kind);

  BatchGraphs graphs(workload_path, workload_overrides, key);
  StepCache cache([&](const StepKey& k) {
    if (!graphs.fits(k.batch, chip)) {
      const MemoryNeed need = memory_needs(graphs.at(k.batch), 1).front();
      throw ConfigError(spec.mark, "scenario: a batch of " + std::to_string(k.batch) + " does not fit " + chip.name() +
                                       "'s main memory (needs " + format(need.total()) + ", has " +
                                       format(chip.main_memory().capacity()) + "); lower max_batch");
    }
    return simulate(chip, graphs.at(k.batch), options);
  });
  // Padding to a multiple of batch_bucket models engines built for fixed batch sizes.
  auto padded = [&](std::int64_t n) {
    return spec.batch_bucket > 0 ? std::min(max_batch, ceil_div(n, spec.batch_bucket) * spec.batch_bucket) : n;
  };

  std::int64_t best = 0;
  if (spec.kind == ScenarioKind::kOffline) {
    // The best batch that fits: samples per second over powers of two (and max_batch itself).
    double best_rate = 0;
    std::vector<std::int64_t> candidates;
    for (std::int64_t b = 1; b < max_batch; b *= 2) candidates.push_back(b);
    candidates.push_back(max_batch);
    for (const std::int64_t b : candidates) {
      if (!graphs.fits(padded(b), chip)) break;
      const double rate = static_cast<double>(b) / cache.result(StepKey{StepKind::kBatch, padded(b), 0}).latency_s;
      if (rate > best_rate) {
        best_rate = rate;
        best = b;
      }
    }
    if (best == 0) (void)cache.result(StepKey{StepKind::kBatch, 1, 0});  // throws the does-not-fit message
    max_batch = best;
  }

  BatchLoopConfig lc{spec.kind, spec.queries, spq, max_batch, spec.qps, spec.seed, spec.max_wait, {}};
  for (const LoggedRequest& r : spec.log) lc.logged_arrivals.push_back(r.arrival);
  const BatchLoopOutcome out = run_batch_loop(lc, [&](std::int64_t n) {
    return cache.run(StepKey{StepKind::kBatch, padded(n), 0});
  });

  const Time duration = out.last_completion - out.first_arrival;
  const wl::OpGraph& one = graphs.at(1);
  ScenarioReport s;
  s.kind = std::string(to_string(spec.kind));
  s.batching = "dynamic";
  s.seed = spec.seed;
  s.queries = spec.queries;
  s.samples_per_query = spq;
  s.target_qps = spec.kind == ScenarioKind::kServer ? spec.qps : 0;
  s.duration_s = duration.seconds();
  s.throughput_value = s.duration_s > 0 ? static_cast<double>(out.samples) * one.items() / s.duration_s : 0;
  s.throughput_unit = one.item_unit() + "/s";
  s.latencies.push_back(summarize_latencies("query", out.query_latency));
  Time bound = spec.latency_bound;
  std::string source = "scenario latency_bound";
  if (bound == Time{0} && spec.kind == ScenarioKind::kServer) {
    const LatencyTargets t = mlperf_server_targets(type);
    bound = t.latency;
    source = t.source;
  }
  if (bound > Time{0} && spec.kind != ScenarioKind::kOffline) {
    s.constraints.push_back(judge("query", out.query_latency, p, bound, source));
  }
  s.figures = {{"max_batch", static_cast<double>(max_batch)},
               {"batches", static_cast<double>(out.batches)},
               {"mean_batch", out.batches > 0 ? static_cast<double>(out.samples) / static_cast<double>(out.batches) : 0},
               {"max_queue_samples", static_cast<double>(out.max_queue)},
               {"mean_wait_s", out.samples > 0 ? out.total_wait.seconds() / static_cast<double>(out.samples) : 0},
               {"device_utilization", duration > Time{0} ? ratio(out.busy, duration) : 0}};
  if (spec.kind == ScenarioKind::kOffline) s.figures.insert(s.figures.begin(), {"best_batch", static_cast<double>(best)});
  s.steps = cache.steps();
  s.simulations = cache.simulations();

  Result r = cache.combine(s.duration_s, 1, chip.static_power());
  std::vector<Time> sorted = out.query_latency;
  std::sort(sorted.begin(), sorted.end());
  r.latency_s = spec.kind == ScenarioKind::kOffline || sorted.empty() ? s.duration_s : percentile(sorted, p).seconds();
  r.throughput_value = s.throughput_value;
  r.throughput_unit = s.throughput_unit;
  r.workload = one.name();
  r.scenario = std::move(s);
  return r;
}

}  // namespace xpusim
