// SPDX-License-Identifier: MIT
// Workload loader: bundled specs, overrides, bare config.json files, and the errors for bad specs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/config/config_error.h"
#include "workloads/loader.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {
namespace fs = std::filesystem;

std::string bundled(const std::string& rel) { return std::string(XPUSIM_SOURCE_DIR) + "/configs/" + rel; }

/// Writes `text` to a fresh file under the temp directory and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / "xpusim_loader_test";
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

std::string spec_with(const std::string& body) {
  return "workload:\n  type: transformer\n  model: " + bundled("models/llama-2-7b.json") + "\n" + body;
}
}  // namespace

TEST_CASE("bundled workload specs load", "[loader]") {
  struct Case {
    const char* file;
    double items;
    const char* unit;
  };
  const Case cases[] = {{"llama-2-7b-decode.yaml", 8, "tokens"},   {"llama-2-7b-prefill.yaml", 1024, "tokens"},
                        {"llama-2-70b-decode.yaml", 16, "tokens"}, {"mixtral-8x7b-decode.yaml", 32, "tokens"},
                        {"resnet50.yaml", 1, "images"},            {"gemm-512.yaml", 1, "gemms"}};
  for (const auto& c : cases) {
    INFO(c.file);
    OpGraph g = load_workload(bundled(std::string("workloads/") + c.file));
    CHECK(g.items() == c.items);
    CHECK(g.item_unit() == c.unit);
  }
  OpGraph g70 = load_workload(bundled("workloads/llama-2-70b-decode.yaml"));
  const OpNode& q = g70.op(2);
  CHECK(q.name == "L0.q_proj");
  CHECK(weight_bytes(q).count() == 8192 * 8192);  // fp8 weights
}

TEST_CASE("overrides change the workload map", "[loader]") {
  OpGraph g = load_workload(bundled("workloads/llama-2-7b-decode.yaml"), {"batch=3", "kv_len=10"});
  CHECK(g.items() == 3);
  CHECK_THROWS_WITH(load_workload(bundled("workloads/llama-2-7b-decode.yaml"), {"bach=3"}),
                    Catch::Contains("unknown key 'bach' (did you mean 'batch'?)"));
  CHECK_THROWS_WITH(load_workload(bundled("workloads/gemm-512.yaml"), {"m"}), Catch::Contains("expects key=value"));
}

TEST_CASE("a bare config.json is one decode step at batch 1", "[loader]") {
  OpGraph g = load_workload(bundled("models/gpt-j-6b.json"));
  CHECK(g.items() == 1);
  CHECK(g.name() == "gpt-j-6b-decode");
  OpGraph p = load_workload(bundled("models/gpt-j-6b.json"), {"phase=prefill", "prompt_len=64"});
  CHECK(p.items() == 64);
}

TEST_CASE("bad workload specs name file, line and key", "[loader][errors]") {
  auto load = [](const std::string& name, const std::string& text) { return load_workload(write_temp(name, text)); };
  CHECK_THROWS_WITH(load("t1.yaml", spec_with("  batch: many\n")),
                    Catch::Contains("t1.yaml:4:10: workload (transformer): 'batch' expects a whole number"));
  CHECK_THROWS_WITH(load("t2.yaml", spec_with("  phase: prefil\n")),
                    Catch::Contains("'phase' expects one of prefill|decode, got \"prefil\" (did you mean 'prefill'?)"));
  CHECK_THROWS_WITH(load("t3.yaml", "workload:\n  type: transfomer\n"),
                    Catch::Contains("t3.yaml:2:9: workload: unknown type 'transfomer' (did you mean 'transformer'?)"));
  CHECK_THROWS_WITH(load("t4.yaml", "workload:\n  type: transformer\n  batch: 2\n"),
                    Catch::Contains("t4.yaml:2:3: workload (transformer): missing required key 'model'"));
  CHECK_THROWS_WITH(load("t5.yaml", "workload:\n  type: transformer\n  model: nowhere.json\n"),
                    Catch::Contains("t5.yaml:3:10: workload (transformer): 'model' file"));
  CHECK_THROWS_WITH(load("t6.yaml", "workloads:\n  type: gemm\n"),
                    Catch::Contains("t6.yaml:1:1: unknown top-level key 'workloads' (did you mean 'workload'?)"));
  CHECK_THROWS_WITH(load("t7.yaml", "workload:\n  type: gemm\n  n: 4\n  k: 0\n"),
                    Catch::Contains("missing required key 'm'") && Catch::Contains("'k' must be at least 1"));
  CHECK_THROWS_WITH(load("t8.txt", "m,n,k\n"), Catch::Contains("unsupported workload file type '.txt'"));
  CHECK_THROWS_WITH(load("t9.yaml", spec_with("  weight_dtype: int3\n")),
                    Catch::Contains("'weight_dtype' expects one of fp32|tf32|bf16|fp16|fp8|int8|fp4|int4"));
  // Problems inside the model file are reported against the model file.
  write_temp("broken-model.json", "{\n  \"model_type\": \"gpt2\",\n  \"n_embd\": 768\n}\n");
  CHECK_THROWS_WITH(load("t10.yaml", "workload:\n  type: transformer\n  model: broken-model.json\n"),
                    Catch::Contains("broken-model.json:2:17: broken-model: unknown model_type 'gpt2'"));
}
