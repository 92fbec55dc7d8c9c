// SPDX-License-Identifier: MIT
// Request logs replayed by server scenarios: the reader (both column conventions, located errors) and
// runs whose arrivals and lengths are the log's.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/config/config_error.h"
#include "sim/config/config_node.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/llm_scenario.h"
#include "sim/scenario/request_log.h"
#include "workloads/builders/hf_config.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

std::string write(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("xpusim_request_log_" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

ScenarioSpec scenario(const std::string& yaml) {
  return parse_scenario(*ConfigNode::load_string("scenario:\n" + yaml, "test.yaml").find("scenario"));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("request logs: seconds or Azure timestamps, lengths by either name", "[scenario][log]") {
  const auto plain = read_request_log(write("plain.csv", "arrival_s,prompt_tokens,output_tokens\n0.5,100,20\n0.75,8,1\n\n2,64,3\n"));
  REQUIRE(plain.size() == 3);
  CHECK(plain[0].arrival == Time{0});  // counted from the first row
  CHECK(plain[1].arrival == Time::from_seconds_ceil(0.25));
  CHECK(plain[2].arrival == Time::from_seconds_ceil(1.5));
  CHECK(plain[2].prompt == 64);
  CHECK(plain[2].output == 3);
  // The Azure LLM inference trace layout (AzurePublicDataset, AzureLLMInferenceTrace_conv.csv).
  const auto azure = read_request_log(write("azure.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                                         "2023-11-16 18:15:46.6805900,374,44\r\n"
                                                         "2023-11-16 18:15:50.9951690,396,109\r\n"
                                                         "2023-11-17 00:00:00,10,1\r\n"));
  REQUIRE(azure.size() == 3);
  CHECK(azure[1].arrival == Time(4'314'579'000'000));  // 50.995169 - 46.68059 s
  CHECK(azure[2].arrival.seconds() == Approx(6 * 3600 - 15 * 60 - 46.68059 + 60 * 0).margin(1e-6));
  CHECK(azure[1].prompt == 396);
  CHECK(azure[1].output == 109);
  // Arrivals only (a non-LLM server run).
  CHECK(read_request_log(write("arrivals.csv", "arrival_s\n0\n0.001\n")).back().output == 0);
}

TEST_CASE("bad request logs name file, line and column", "[scenario][log]") {
  CHECK_THAT(error_of([] { read_request_log(write("nohead.csv", "time,prompt\n1,2\n")); }), Catch::Contains("no arrival column"));
  const std::string dec = error_of([] { read_request_log(write("dec.csv", "arrival_s,prompt_tokens,output_tokens\n1,2,3\n0.5,2,3\n")); });
  CHECK_THAT(dec, Catch::Contains("dec.csv:3:1") && Catch::Contains("must not decrease"));
  CHECK_THAT(error_of([] { read_request_log(write("tok.csv", "arrival_s,prompt_tokens,output_tokens\n1,0,3\n")); }),
             Catch::Contains("tok.csv:2:3") && Catch::Contains("'prompt_tokens'"));
  CHECK_THAT(error_of([] { read_request_log(write("nan.csv", "arrival_s\nnan\n")); }), Catch::Contains("expects seconds"));
  CHECK_THAT(error_of([] { read_request_log(write("ts.csv", "TIMESTAMP\n2023-13-01 00:00:00\n")); }), Catch::Contains("a date and time"));
  CHECK_THAT(error_of([] { read_request_log(write("empty.csv", "arrival_s\n")); }), Catch::Contains("no requests"));
  CHECK_THAT(error_of([] { read_request_log("/nonexistent/log.csv"); }), Catch::Contains("cannot read"));
  // A broken log of many rows gives a bounded report.
  std::string many = "arrival_s\n";
  for (int i = 0; i < 1000; ++i) many += "x\n";
  const std::string report = error_of([&] { read_request_log(write("many.csv", many)); });
  CHECK(std::count(report.begin(), report.end(), '\n') < 25);
}

TEST_CASE("a server scenario replays a request log", "[scenario][log]") {
  const std::string log = write("serve.csv", "arrival_s,prompt_tokens,output_tokens\n0,120,8\n0.001,40,30\n0.5,300,2\n0.5,16,16\n");
  const ScenarioSpec s = scenario("  kind: server\n  requests: " + log + "\n");
  CHECK(s.queries == 4);
  CHECK(s.qps == Approx(3 / 0.5));
  CHECK(scenario("  kind: server\n  requests: " + log + "\n  queries: 2\n").log.size() == 2);
  CHECK_THAT(error_of([&] { scenario("  kind: server\n  requests: " + log + "\n  queries: 5\n"); }), Catch::Contains("exceeds the 4"));
  CHECK_THAT(error_of([&] { scenario("  kind: offline\n  requests: " + log + "\n"); }), Catch::Contains("needs kind: server"));
  CHECK_THAT(error_of([&] { scenario("  kind: server\n  qps: 3\n  requests: " + log + "\n"); }), Catch::Contains("not both"));
  CHECK_THAT(error_of([&] { scenario("  kind: server\n  requests: missing.csv\n"); }), Catch::Contains("not found"));

  // LLM: each request arrives and is as long as the log says.
  auto sys = arch::System::single(arch::Chip::load(kRoot + "/configs/chips/h100-sxm.yaml"));
  wl::GenerationSpec spec;
  spec.model = wl::load_hf_config(kRoot + "/configs/models/llama-2-7b.json");
  spec.model.layers = 2;
  const Result r = run_llm_scenario(*sys, spec, s);
  REQUIRE(r.scenario);
  CHECK(r.scenario->queries == 4);
  double in = 0, out = 0;
  for (const auto& [k, v] : r.scenario->figures) {
    if (k == "input_tokens") in = v;
    if (k == "output_tokens") out = v;
  }
  CHECK(in == 120 + 40 + 300 + 16);
  CHECK(out == 8 + 30 + 2 + 16);
  CHECK(r.scenario->duration_s >= 0.5);  // the last requests arrive at 0.5 s

  // Non-LLM: a ResNet-50 server run takes the arrivals and needs no lengths.
  auto chip = arch::Chip::load(kRoot + "/configs/chips/h100-sxm.yaml");
  const ScenarioSpec a = scenario("  kind: server\n  requests: " + write("resnet.csv", "arrival_s\n0\n0.01\n0.02\n") + "\n");
  const Result rr = run_batch_scenario(*chip, kRoot + "/configs/workloads/resnet50.yaml", {}, a);
  CHECK(rr.scenario->queries == 3);
  CHECK(rr.scenario->duration_s >= 0.02);
  // An LLM run needs the lengths.
  CHECK_THAT(error_of([&] { run_llm_scenario(*sys, spec, a); }), Catch::Contains("no prompt and output lengths"));
}
