// SPDX-License-Identifier: MIT
// Scenarios end to end on real simulations: ResNet-50 on an H100 (non-LLM) and Llama-2-7B on one H100
// (LLM serving), against the results of single simulations and closed forms.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/config/config_node.h"
#include "sim/driver/serving.h"
#include "sim/int_math.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/llm_scenario.h"
#include "workloads/builders/hf_config.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;
const std::string kResnet = kRoot + "/configs/workloads/resnet50.yaml";

std::unique_ptr<arch::Chip> h100() { return arch::Chip::load(kRoot + "/configs/chips/h100-sxm.yaml"); }

ScenarioSpec scenario(const std::string& yaml) {
  return parse_scenario(*ConfigNode::load_string("scenario:\n" + yaml, "test.yaml").find("scenario"));
}

double figure(const Result& r, const std::string& key) {
  for (const auto& [k, v] : r.scenario->figures) {
    if (k == key) return v;
  }
  FAIL("no figure " << key);
  return 0;
}

const LatencyDistribution& latency(const Result& r, const std::string& name) {
  for (const auto& d : r.scenario->latencies) {
    if (d.name == name) return d;
  }
  FAIL("no latency " << name);
  return r.scenario->latencies.front();
}

wl::GenerationSpec llama7(std::int64_t prompt, std::int64_t output, std::int64_t layers = 0) {
  wl::GenerationSpec s;
  s.model = wl::load_hf_config(kRoot + "/configs/models/llama-2-7b.json");
  if (layers > 0) s.model.layers = layers;
  s.prompt_len = prompt;
  s.output_len = output;
  return s;
}

std::unique_ptr<arch::System> one_h100() { return arch::System::single(h100()); }

}  // namespace

TEST_CASE("single-stream latency is the batch-1 simulation's latency", "[scenario][resnet]") {
  auto chip = h100();
  const Result one = simulate(*chip, wl::load_workload(kResnet, {"batch=1"}));
  const Result r = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: single_stream\n  queries: 200\n"));
  REQUIRE(r.scenario);
  CHECK(r.latency_s == one.latency_s);  // the p90
  CHECK(latency(r, "query").p50_s == one.latency_s);
  CHECK(latency(r, "query").max_s == one.latency_s);
  CHECK(r.scenario->simulations == 1);
  CHECK(r.scenario->duration_s == Approx(200 * one.latency_s).epsilon(1e-12));
  CHECK(r.energy_j == Approx(200 * one.energy_j).epsilon(1e-12));
  CHECK(r.scenario->constraints.empty());  // MLPerf single-stream has no bound
}

TEST_CASE("server: ~single-query latency at very low load -- queue and failure above capacity", "[scenario][resnet]") {
  auto chip = h100();
  const double l1 = simulate(*chip, wl::load_workload(kResnet, {"batch=1"})).latency_s;
  const Result quiet = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: server\n  qps: " + std::to_string(1e-3 / l1) + "\n"));
  CHECK(latency(quiet, "query").p50_s == l1);
  CHECK(latency(quiet, "query").p99_s == l1);
  REQUIRE(quiet.scenario->constraints.size() == 1);  // MLPerf ResNet-50 server bound: 15 ms
  CHECK(quiet.scenario->constraints[0].bound_s == Approx(0.015));
  CHECK(quiet.scenario->met() == 1);

  const Result offline = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: offline\n  queries: 4096\n"));
  const double capacity = offline.throughput_value;
  CHECK(figure(offline, "best_batch") >= 64);

  const Result half = run_batch_scenario(
      *chip, kResnet, {}, scenario("  kind: server\n  queries: 4096\n  qps: " + std::to_string(0.5 * capacity) + "\n"));
  CHECK(capacity >= half.throughput_value);
  CHECK(half.throughput_value == Approx(0.5 * capacity).epsilon(0.1));
  CHECK(half.scenario->met() == 1);

  const Result over = run_batch_scenario(
      *chip, kResnet, {}, scenario("  kind: server\n  queries: 20000\n  qps: " + std::to_string(2 * capacity) + "\n"));
  CHECK(over.scenario->met() == 0);
  CHECK(figure(over, "max_queue_samples") > 5000);
  CHECK(latency(over, "query").max_s > 10 * latency(half, "query").max_s);
  CHECK(over.throughput_value <= capacity * 1.001);
}

TEST_CASE("multi-stream queries are 8-sample batches", "[scenario][resnet]") {
  auto chip = h100();
  const double l8 = simulate(*chip, wl::load_workload(kResnet, {"batch=8"})).latency_s;
  const Result r = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: multi_stream\n  queries: 50\n"));
  CHECK(r.latency_s == l8);  // the p99
  CHECK(r.scenario->samples_per_query == 8);
}

TEST_CASE("same seed, same bytes -- another seed, other arrivals", "[scenario][resnet]") {
  auto chip = h100();
  const ScenarioSpec a = scenario("  kind: server\n  qps: 30000\n  seed: 3\n");
  const std::string first = to_json(run_batch_scenario(*chip, kResnet, {}, a));
  CHECK(to_json(run_batch_scenario(*chip, kResnet, {}, a)) == first);
  ScenarioSpec b = a;
  b.seed = 4;
  CHECK(to_json(run_batch_scenario(*chip, kResnet, {}, b)) != first);
  CHECK(first.find("\"scenario\": {\"kind\": \"server\"") != std::string::npos);
}

TEST_CASE("LLM: the KV cache holds the closed-form number of blocks and caps running sequences", "[scenario][llm]") {
  auto sys = one_h100();
  const wl::GenerationSpec spec = llama7(100, 10);
  // 100 + 10 tokens: at most 109 cached = 7 blocks of 16 per sequence.
  const Result r = run_llm_scenario(*sys, spec, scenario("  kind: offline\n  queries: 120\n  memory_fraction: 0.2\n"));
  const wl::TransformerConfig& m = spec.model;
  // K and V of 16 tokens in all 32 layers, bf16: 2 x 32 x 32 heads x 128 x 16 x 2 bytes = 8 MiB.
  CHECK(figure(r, "kv_block_bytes") == static_cast<double>(wl::kv_cache_bytes_per_token(m, DataType::kBf16).count() * 16));
  CHECK(figure(r, "kv_block_bytes") == 2.0 * 32 * 32 * 128 * 16 * 2);
  // Weights: every parameter but the embedding table (gathered, not streamed) and the RMSNorm gains
  // (two per layer and a final one, applied as elementwise ops), bf16.
  const auto params = wl::parameter_count(m).total;
  CHECK(figure(r, "weight_bytes") == static_cast<double>(2 * (params - m.vocab * m.hidden - (2 * m.layers + 1) * m.hidden)));
  const double usable = std::floor(static_cast<double>(sys->stage_chip(0).main_memory().capacity().count()) * 0.2);
  const double blocks = std::floor((usable - figure(r, "weight_bytes") - figure(r, "activation_reserve_bytes")) /
                                   figure(r, "kv_block_bytes"));
  CHECK(figure(r, "kv_blocks") == blocks);
  CHECK(blocks > 14);  // room for more than two sequences, else the test says little
  CHECK(figure(r, "max_running") == std::floor(blocks / 7));
  CHECK(figure(r, "kv_peak_utilization") <= 1.0);
  CHECK(figure(r, "preemptions") == 0);
}

TEST_CASE("LLM single-stream: TTFT is the bucketed prefill, TPOT the decode steps", "[scenario][llm]") {
  auto sys = one_h100();
  wl::GenerationSpec spec = llama7(128, 3, 2);
  const Result r = run_llm_scenario(*sys, spec, scenario("  kind: single_stream\n  queries: 4\n"));
  spec.batch = 1;
  const double prefill = simulate_step(*sys, spec, wl::Phase::kPrefill, 128).latency_s;
  const double decode = simulate_step(*sys, spec, wl::Phase::kDecode, 256).latency_s;  // 129, 130 -> 256
  CHECK(latency(r, "ttft").max_s == prefill);
  CHECK(latency(r, "tpot").p50_s == Approx(decode).epsilon(1e-9));
  CHECK(latency(r, "request").p90_s == Approx(prefill + 2 * decode).epsilon(1e-9));
  CHECK(r.scenario->simulations == 2);
  CHECK(r.throughput_unit == "tokens/s");
  // A prompt rounds up to four significant bits (300 -> 320), not to the 128-token kv bucket (384).
  wl::GenerationSpec longer = llama7(300, 2, 2);
  const Result r300 = run_llm_scenario(*sys, longer, scenario("  kind: single_stream\n  queries: 1\n"));
  longer.batch = 1;
  longer.prompt_len = 320;
  CHECK(latency(r300, "ttft").max_s == simulate_step(*sys, longer, wl::Phase::kPrefill, 320).latency_s);
}

TEST_CASE("LLM: continuous batching beats static batching on mixed output lengths", "[scenario][llm]") {
  auto sys = one_h100();
  const wl::GenerationSpec spec = llama7(128, 16, 2);
  const std::string common =
      "  kind: offline\n  queries: 96\n  max_batch: 16\n  lengths: uniform\n  prompt_len_min: 64\n  prompt_len_max: 128\n"
      "  output_len_min: 2\n  output_len_max: 200\n";
  const Result cont = run_llm_scenario(*sys, spec, scenario(common));
  const Result stat = run_llm_scenario(*sys, spec, scenario(common + "  batching: static\n"));
  CHECK(figure(cont, "output_tokens") == figure(stat, "output_tokens"));
  CHECK(cont.throughput_value > 1.3 * stat.throughput_value);
  CHECK(latency(cont, "request").mean_s < latency(stat, "request").mean_s);
}

TEST_CASE("LLM server: deterministic per seed, MLPerf bounds for Llama-2-70B names", "[scenario][llm]") {
  auto sys = one_h100();
  const wl::GenerationSpec spec = llama7(128, 8, 2);
  const ScenarioSpec s = scenario("  kind: server\n  qps: 50\n  queries: 100\n  ttft_bound: 1 s\n  tpot_bound: 1 s\n");
  const std::string first = to_json(run_llm_scenario(*sys, spec, s));
  CHECK(to_json(run_llm_scenario(*sys, spec, s)) == first);
  ScenarioSpec other = s;
  other.seed = 2;
  CHECK(to_json(run_llm_scenario(*sys, spec, other)) != first);
  const Result r = run_llm_scenario(*sys, spec, s);
  REQUIRE(r.scenario->constraints.size() == 2);
  CHECK(r.scenario->met() == 1);
  // Without bounds, a model MLPerf benchmarks gets its server targets.
  wl::GenerationSpec named = spec;
  named.model.name = "llama-2-70b";
  const Result mlperf = run_llm_scenario(*sys, named, scenario("  kind: server\n  qps: 50\n  queries: 50\n"));
  REQUIRE(mlperf.scenario->constraints.size() == 2);
  CHECK(mlperf.scenario->constraints[0].bound_s == Approx(2.0));
  CHECK(mlperf.scenario->constraints[1].bound_s == Approx(0.2));
}

TEST_CASE("LLM: requests that cannot fit are refused before any simulation", "[scenario][llm]") {
  auto sys = one_h100();
  CHECK_THROWS_WITH(run_llm_scenario(*sys, llama7(128, 16), scenario("  kind: offline\n  memory_fraction: 0.1\n")),
                    Catch::Contains("no room for a KV cache"));
  CHECK_THROWS_WITH(run_llm_scenario(*sys, llama7(4000, 16), scenario("  kind: offline\n  max_prefill_tokens: 2048\n")),
                    Catch::Contains("max_prefill_tokens 2048 is below the longest request"));
}

TEST_CASE("LLM: data-parallel replicas each serve their dealt share of the stream", "[scenario][llm][dp]") {
  const std::string hgx = kRoot + "/configs/systems/hgx-h100-8.yaml";
  auto one = arch::System::load(hgx, {"system.tp=2", "system.dp=1"});
  auto four = arch::System::load(hgx, {"system.tp=2", "system.dp=4"});
  const wl::GenerationSpec spec = llama7(128, 16, 2);
  // Refused before any simulation runs: a stream has one query in flight.
  CHECK_THROWS_WITH(run_llm_scenario(*four, spec, scenario("  kind: single_stream\n  queries: 2\n")),
                    Catch::Contains("single_stream keeps one query in flight") && Catch::Contains("system.dp=1"));
  // Offline, equal requests: four replicas of 16 queries each are four copies of one replica's run.
  const Result r1 = run_llm_scenario(*one, spec, scenario("  kind: offline\n  queries: 16\n"));
  const Result r4 = run_llm_scenario(*four, spec, scenario("  kind: offline\n  queries: 64\n"));
  CHECK(r4.scenario->duration_s == r1.scenario->duration_s);
  CHECK(r4.throughput_value == Approx(4 * r1.throughput_value).epsilon(1e-12));
  CHECK(r4.energy_j == Approx(4 * r1.energy_j).epsilon(1e-9));
  CHECK(figure(r4, "replicas") == 4);
  CHECK(figure(r4, "device_utilization") == Approx(figure(r1, "device_utilization")).epsilon(1e-12));
  CHECK(figure(r4, "kv_mean_utilization") == Approx(figure(r1, "kv_mean_utilization")).epsilon(1e-12));
  CHECK(figure(r4, "decode_iterations") == 4 * figure(r1, "decode_iterations"));
}

TEST_CASE("LLM chunked prefill: long prompts no longer stall the decodes, at some cost in TTFT", "[scenario][llm][chunked]") {
  auto sys = one_h100();
  const wl::GenerationSpec spec = llama7(128, 16, 2);
  const std::string common =
      "  kind: server\n  qps: 40\n  queries: 200\n  lengths: uniform\n  prompt_len_min: 64\n  prompt_len_max: 4000\n"
      "  output_len_min: 16\n  output_len_max: 128\n  ttft_bound: 10 s\n  tpot_bound: 1 s\n";
  const Result cont = run_llm_scenario(*sys, spec, scenario(common));
  const Result chunk = run_llm_scenario(*sys, spec, scenario(common + "  batching: chunked\n  max_prefill_tokens: 512\n"));
  CHECK(figure(chunk, "output_tokens") == figure(cont, "output_tokens"));
  CHECK(figure(chunk, "max_prefill_tokens") == 512);
  bool mixed = false;
  for (const ScenarioStep& st : chunk.scenario->steps) {
    mixed = mixed || st.phase == "mixed";
    // No sequence's chunk exceeds the 512-token budget, rounded up to the kv bucket.
    if (st.phase != "decode") CHECK(st.tokens <= ceil_div(512, wl::kDefaultKvBucket) * wl::kDefaultKvBucket);
  }
  CHECK(mixed);
  CHECK(latency(chunk, "tpot").p99_s < latency(cont, "tpot").p99_s);
  CHECK(latency(chunk, "ttft").mean_s > latency(cont, "ttft").mean_s);
}

TEST_CASE("a server at low load pays the chip's idle power between queries", "[scenario][resnet][power]") {
  auto chip = h100();
  const double idle_w = chip->static_power().watts();
  REQUIRE(idle_w > 100);  // H100's active idle, 124 W
  const Result busy = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: server\n  qps: 20000\n  queries: 2000\n"));
  const Result quiet = run_batch_scenario(*chip, kResnet, {}, scenario("  kind: server\n  qps: 200\n  queries: 200\n"));
  auto idle_j = [](const Result& r) {
    for (const auto& [name, j] : r.energy_breakdown_j) {
      if (name == "idle") return j;
    }
    return 0.0;
  };
  for (const Result* r : {&busy, &quiet}) {
    const double util = figure(*r, "device_utilization");
    INFO("utilization " << util << ", " << r->avg_power_w << " W");
    // Never below the floor the chip draws doing nothing; the idle share is the time no batch ran.
    CHECK(r->avg_power_w >= idle_w);
    CHECK(idle_j(*r) == Approx(idle_w * r->scenario->duration_s * (1 - util)).epsilon(0.01));
    double sum = 0;
    for (const auto& [name, j] : r->energy_breakdown_j) sum += j;
    CHECK(sum == Approx(r->energy_j).epsilon(1e-12));
  }
  // At 1 % load the chip idles nearly all the time: its power approaches the idle floor.
  CHECK(quiet.avg_power_w < 1.2 * idle_w);
  CHECK(idle_j(quiet) > 0.7 * quiet.energy_j);
}

TEST_CASE("LLM serving reports energy per request: the requests' shares and the idle time make up the run's energy", "[scenario][llm][power]") {
  auto sys = one_h100();
  const wl::GenerationSpec spec = llama7(128, 16, 2);
  // At low load the chip idles between requests; that time is in the run's energy, in no request's.
  const Result r = run_llm_scenario(*sys, spec, scenario("  kind: server\n  qps: 5\n  queries: 40\n"));
  double idle = 0;
  for (const auto& [name, j] : r.energy_breakdown_j) {
    if (name == "idle") idle = j;
  }
  REQUIRE(idle > 0);
  const double requests = figure(r, "request_energy_j_mean") * 40;
  CHECK(requests + idle == Approx(r.energy_j).epsilon(1e-9));
  CHECK(figure(r, "energy_per_output_token_j") == Approx(r.energy_j / figure(r, "output_tokens")).epsilon(1e-12));
  CHECK(figure(r, "request_energy_per_token_j_p50") <= figure(r, "request_energy_per_token_j_p99"));
  // Data-parallel replicas: each request costs what it costs on one replica.
  const std::string hgx = kRoot + "/configs/systems/hgx-h100-8.yaml";
  auto one = arch::System::load(hgx, {"system.tp=2", "system.dp=1"});
  auto four = arch::System::load(hgx, {"system.tp=2", "system.dp=4"});
  const Result r1 = run_llm_scenario(*one, spec, scenario("  kind: offline\n  queries: 16\n"));
  const Result r4 = run_llm_scenario(*four, spec, scenario("  kind: offline\n  queries: 64\n"));
  CHECK(figure(r4, "request_energy_j_mean") == Approx(figure(r1, "request_energy_j_mean")).epsilon(1e-9));
}
