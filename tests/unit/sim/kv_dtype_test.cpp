// SPDX-License-Identifier: MIT
// A KV cache stored in its own type (`kv_dtype`): FP4 math over an FP8 cache, as the B200 MLPerf
// v4.1 Llama-2-70B submission ran it. The cache's bytes, and what attention reads, follow kv_dtype;
// everything else follows dtype.
#include <catch2/catch.hpp>

#include <string>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/driver/memory_fit.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;
const std::string kDecode = kSrc + "/configs/workloads/llama-2-70b-decode.yaml";

wl::OpGraph step(const std::vector<std::string>& wset) { return wl::load_workload(kDecode, wset); }

double attention_bytes(const Result& r) {
  double b = 0;
  for (const auto& o : r.ops) {
    if (o.kind == "attention") b += static_cast<double>(o.bytes);
  }
  return b;
}

}  // namespace

TEST_CASE("kv_dtype stores the KV cache in its own type", "[kv_dtype]") {
  const wl::OpGraph fp4 = step({"dtype=fp4"});
  const wl::OpGraph fp8_kv = step({"dtype=fp4", "kv_dtype=fp8"});
  const auto need4 = memory_needs(fp4, 1).front(), need8 = memory_needs(fp8_kv, 1).front();
  // Batch 16 x 2048 tokens x 80 layers x 8 KV heads x 128 x (K, V): 5.4 GB at FP8, half at FP4.
  CHECK(need8.kv_cache.count() == 16LL * 2048 * 80 * 8 * 128 * 2);
  CHECK(need8.kv_cache.count() == 2 * need4.kv_cache.count());
  CHECK(need8.weights == need4.weights);
  CHECK(need8.activations == need4.activations);

  auto b200 = arch::Chip::load(kSrc + "/configs/chips/b200.yaml");
  const Result r4 = simulate(*b200, fp4);
  b200->reset();
  const Result r8 = simulate(*b200, fp8_kv);
  // Decode attention reads the whole cache once: twice the bytes at FP8; the rest of the step is alike.
  CHECK(attention_bytes(r8) == Approx(2 * attention_bytes(r4)).epsilon(0.01));
  CHECK(r8.latency_s > r4.latency_s);
  for (const auto& o : r8.ops) {
    INFO(o.name);
    CHECK(o.end_s - o.start_s >= o.roofline_s - 1e-12);
  }
}

TEST_CASE("kv_dtype equal to dtype is the run without it", "[kv_dtype]") {
  auto h100 = arch::Chip::load(kSrc + "/configs/chips/h100-sxm.yaml");
  const Result plain = simulate(*h100, step({}));
  h100->reset();
  const Result same = simulate(*h100, step({"kv_dtype=bf16"}));
  CHECK(to_json(same) == to_json(plain));
}

TEST_CASE("a bad kv_dtype names the key", "[kv_dtype][config]") {
  CHECK_THROWS_WITH(step({"kv_dtype=fp9"}), Catch::Contains("kv_dtype"));
}
