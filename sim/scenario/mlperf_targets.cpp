// SPDX-License-Identifier: MIT
// Source of every figure: MLCommons "MLPerf Inference Rules", inference_rules.adoc in
// github.com/mlcommons/inference_policies at commit 61ca74a (2025-02-25, the v5.0 round):
//  - scenario table: single stream 90%-ile latency; server 99%-ile; multistream 99%-ile, 8 samples/query;
//  - datacenter table, "Server latency constraint": Resnet50-v1.5 15 ms, GPT-J 20 s, SDXL 20 s,
//    Llama2-70b TTFT/TPOT 2000 ms/200 ms ("Conversational"; Interactive 450 ms/40 ms),
//    Llama3.1-405B 6000 ms/175 ms, Mixtral-8x7B 2000 ms/200 ms;
//  - commit dff5f51 (2025-06-18, "Add v5.1 benchmarks") adds Llama3.1-8B: TTFT/TPOT 2000 ms/100 ms.
// For LLMs, TTFT is the latency of the first token and TPOT "the average interval between all the
// tokens generated" of a request; both are judged at the server percentile.
#include "sim/scenario/mlperf_targets.h"

#include <array>

namespace xpusim {
namespace {

constexpr std::int64_t kMs = 1'000'000'000;  // picoseconds

struct Row {
  const char* id;
  std::int64_t latency_ms, ttft_ms, tpot_ms;
  const char* rule;
};

constexpr std::array kRows{
    Row{"resnet50", 15, 0, 0, "MLPerf Inference v5.0 rules: Resnet50-v1.5 server latency 15 ms"},
    Row{"sdxl", 20'000, 0, 0, "MLPerf Inference v5.0 rules: SDXL server latency 20 s"},
    Row{"gpt-j-6b", 20'000, 0, 0, "MLPerf Inference v5.0 rules: GPT-J server latency 20 s"},
    Row{"llama-2-70b", 0, 2000, 200, "MLPerf Inference v5.0 rules: Llama2-70b server TTFT 2000 ms, TPOT 200 ms"},
    Row{"llama-3.1-405b", 0, 6000, 175, "MLPerf Inference v5.0 rules: Llama3.1-405B server TTFT 6000 ms, TPOT 175 ms"},
    Row{"mixtral-8x7b", 0, 2000, 200, "MLPerf Inference v5.0 rules: Mixtral-8x7B server TTFT 2000 ms, TPOT 200 ms"},
    Row{"llama-3.1-8b", 0, 2000, 100, "MLPerf Inference v5.1 rules: Llama3.1-8B server TTFT 2000 ms, TPOT 100 ms"},
};

}  // namespace

LatencyTargets mlperf_server_targets(const std::string& workload_id) {
  for (const Row& r : kRows) {
    if (workload_id == r.id) return {Time(r.latency_ms * kMs), Time(r.ttft_ms * kMs), Time(r.tpot_ms * kMs), r.rule};
  }
  return {};
}

double mlperf_percentile(ScenarioKind kind) { return kind == ScenarioKind::kSingleStream ? 90 : 99; }

}  // namespace xpusim
