// SPDX-License-Identifier: MIT
// Scenario blocks: schema errors name file, line and key with a did-you-mean; --scenario and --set
// scenario.* combine with the workload's block as documented.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "sim/config/config_node.h"
#include "sim/scenario/mlperf_targets.h"
#include "sim/scenario/scenario_spec.h"

using namespace xpusim;

namespace {

ScenarioSpec parse(const std::string& yaml) {
  return parse_scenario(*ConfigNode::load_string(yaml, "s.yaml").find("scenario"));
}

std::string write_temp(const std::string& name, const std::string& text) {
  // The process id keeps concurrent test runs (other build trees) apart.
  const auto path = std::filesystem::temp_directory_path() / ("xpusim_scenario_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("a scenario block parses with documented defaults", "[scenario]") {
  const ScenarioSpec s = parse("scenario:\n  kind: server\n  qps: 12.5\n  ttft_bound: 450 ms\n");
  CHECK(s.kind == ScenarioKind::kServer);
  CHECK(s.qps == 12.5);
  CHECK(s.ttft_bound == Time(450'000'000'000));
  CHECK(s.seed == 1);
  CHECK(s.queries == 1024);
  CHECK(s.kv_block == 16);
  CHECK(s.memory_fraction == 0.9);
  CHECK(s.batching == Batching::kContinuous);
  CHECK(mlperf_percentile(ScenarioKind::kSingleStream) == 90);
  CHECK(mlperf_percentile(ScenarioKind::kServer) == 99);
}

TEST_CASE("bad scenario keys name file, line and key, with a did-you-mean", "[scenario]") {
  CHECK_THROWS_WITH(parse("scenario:\n  kind: server\n  qsp: 5\n"),
                    Catch::Contains("s.yaml:3:3") && Catch::Contains("unknown key 'qsp' (did you mean 'qps'?)"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: sever\n"), Catch::Contains("did you mean 'server'?"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: server\n"), Catch::Contains("missing required key 'qps'"));
  CHECK_THROWS_WITH(parse("scenario:\n  qps: 1\n"), Catch::Contains("missing required key 'kind'"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: offline\n  latency_bound: 15\n"), Catch::Contains("expects a time"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: offline\n  lengths: uniform\n  prompt_len_min: 10\n"),
                    Catch::Contains("lengths uniform needs 'prompt_len_max'"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: offline\n  prompt_len_min: 10\n"),
                    Catch::Contains("s.yaml:3:") && Catch::Contains("'prompt_len_min' needs lengths: uniform"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: offline\n  lengths: uniform\n  prompt_len_min: 10\n  prompt_len_max: 5\n"
                          "  output_len_min: 1\n  output_len_max: 2\n"),
                    Catch::Contains("'prompt_len_max' is below 'prompt_len_min'"));
  CHECK_THROWS_WITH(parse("scenario:\n  kind: server\n  qps: 0\n"), Catch::Contains("'qps' must be greater than 0"));
}

TEST_CASE("a scenario kind, file or overrides combine with the workload's block", "[scenario]") {
  const std::string wl = write_temp("wl.yaml", "workload:\n  type: resnet50\nscenario:\n  kind: server\n  qps: 100\n  seed: 4\n");
  const std::string plain = write_temp("plain.yaml", "workload:\n  type: resnet50\n");
  const std::string file = write_temp("file.yaml", "scenario:\n  kind: multi_stream\n  queries: 7\n");

  const auto block = resolve_scenario(wl, "", {});
  REQUIRE(block);
  CHECK(block->kind == ScenarioKind::kServer);
  CHECK(block->seed == 4);
  // A kind replaces the block's kind and keeps its other keys.
  const auto offline = resolve_scenario(wl, "offline", {"queries=10"});
  REQUIRE(offline);
  CHECK(offline->kind == ScenarioKind::kOffline);
  CHECK(offline->seed == 4);
  CHECK(offline->queries == 10);
  // A file replaces the block.
  const auto from_file = resolve_scenario(wl, file, {});
  REQUIRE(from_file);
  CHECK(from_file->kind == ScenarioKind::kMultiStream);
  CHECK(from_file->seed == 1);
  CHECK_FALSE(resolve_scenario(wl, "none", {}));
  CHECK_FALSE(resolve_scenario(plain, "", {}));
  CHECK(resolve_scenario(plain, "single_stream", {})->kind == ScenarioKind::kSingleStream);

  CHECK_THROWS_WITH(resolve_scenario(plain, "", {"qps=5"}), Catch::Contains("there is no scenario to set"));
  CHECK_THROWS_WITH(resolve_scenario(wl, "", {"qsp=5"}),
                    Catch::Contains("--set scenario.qsp") && Catch::Contains("did you mean 'qps'?"));
  CHECK_THROWS_WITH(resolve_scenario(wl, "ofline", {}), Catch::Contains("(did you mean 'offline'?)"));
  CHECK_THROWS_WITH(resolve_scenario(wl, "", {"seed=-1"}), Catch::Contains("'seed' must be at least 0"));
  for (const auto& p : {wl, plain, file}) std::filesystem::remove(p);
}

TEST_CASE("MLPerf server targets for the bundled workloads", "[scenario]") {
  CHECK(mlperf_server_targets("resnet50").latency == Time(15'000'000'000));
  const LatencyTargets llama = mlperf_server_targets("llama-2-70b");
  CHECK(llama.ttft == Time(2'000'000'000'000));
  CHECK(llama.tpot == Time(200'000'000'000));
  CHECK(llama.latency == Time{0});
  CHECK(mlperf_server_targets("sdxl").latency == Time(20'000'000'000'000));
  CHECK(mlperf_server_targets("gemm").source.empty());
}
