// SPDX-License-Identifier: MIT
// A scenario in MLPerf Inference terms: how queries reach the system (offline, server, single-stream,
// multi-stream), how the system batches them, and the latency constraint a run is judged by. Read from a
// `scenario:` block (in a workload spec or its own file), `--scenario KIND|FILE` and `--set scenario.KEY=VALUE`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/schema.h"
#include "sim/scenario/request_log.h"
#include "sim/units.h"

namespace xpusim {

enum class ScenarioKind { kOffline, kServer, kSingleStream, kMultiStream };
/// LLM serving: iteration-level (Orca / vLLM) or request-level batching.
enum class Batching { kContinuous, kChunked, kStatic };
enum class LengthDistribution { kFixed, kUniform };

/// Every field has a documented default; 0 in a count or bound means "the default for this kind and
/// workload" (resolved by the scenario runners, which report the value they used).
struct ScenarioSpec {
  ScenarioKind kind = ScenarioKind::kServer;
  std::uint64_t seed = 1;
  std::int64_t queries = 1024;
  double qps = 0;                      // server: Poisson arrival rate, queries per second
  std::int64_t samples_per_query = 0;  // 0: 8 for multi_stream (MLPerf), else 1
  std::int64_t max_batch = 0;          // 0: samples_per_query for single/multi-stream, 256 otherwise
  Time max_wait{0};                    // dynamic batcher: longest a query waits for a fuller batch
  double percentile = 0;               // 0: 90 for single_stream, 99 otherwise (MLPerf)
  Time latency_bound{0}, ttft_bound{0}, tpot_bound{0};  // 0: none, or the MLPerf server default
  // LLM serving (type: generation workloads)
  Batching batching = Batching::kContinuous;
  std::int64_t kv_block = 16;        // tokens per KV-cache block (vLLM's default block_size)
  double memory_fraction = 0.9;      // of each chip's main memory the engine may use (vLLM gpu_memory_utilization)
  std::int64_t max_prefill_tokens = 0;  // 0: max(2048, longest request) as vLLM without chunked prefill
  LengthDistribution lengths = LengthDistribution::kFixed;
  std::int64_t prompt_len_min = 0, prompt_len_max = 0, output_len_min = 0, output_len_max = 0;
  std::int64_t kv_bucket = 0;     // 0: the workload's kv_bucket
  std::int64_t batch_bucket = 0;  // 0: exact batch sizes (non-LLM), powers of two (LLM); N: multiples of N
  /// Server: the requests of a log (`requests: FILE`), `queries` of them, in place of Poisson arrivals
  /// and of the length distribution; empty otherwise.
  std::vector<LoggedRequest> log;
  /// Where the spec was read from, for messages ("llama-2-70b-server.yaml:9:3").
  SourceMark mark;
};

/// Reads a `scenario:` map. Throws ConfigError naming file, line and key (with a did-you-mean) for
/// unknown keys, bad values, a server without qps, and inconsistent length ranges.
ScenarioSpec parse_scenario(const ConfigNode& node);

/// The scenario of a run. Starts from the `scenario:` block of the workload file (if it has one); a
/// non-empty `source` replaces it: a kind name (keeping the block's other keys), a scenario YAML file
/// (a map with one `scenario:` key), or "none" (no scenario). Then `overrides` ("qps=50", from
/// `--set scenario.qps=50`) are applied. nullopt when there is no scenario; overrides without one are
/// an error.
std::optional<ScenarioSpec> resolve_scenario(const std::string& workload_path, const std::string& source,
                                             const std::vector<std::string>& overrides);

/// True when `text` names a scenario kind (offline, server, single_stream, multi_stream).
bool is_scenario_kind(std::string_view text);
std::string_view to_string(ScenarioKind k);
std::string_view to_string(Batching b);

/// The documented keys of a `scenario:` block, for `xpusim list scenario` and the README.
std::vector<FieldDoc> scenario_fields();

}  // namespace xpusim
