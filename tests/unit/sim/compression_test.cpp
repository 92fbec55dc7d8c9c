// SPDX-License-Identifier: MIT
// Compression what-ifs through mapper and engine on bundled chips: narrower precision cuts bytes and
// time, weight-only quantization pays dequantization that grows with batch, 2:4 halves MACs only on
// sparse tensor cores, pruning loses on a wide array and gains on a narrow one, a weight codec raises
// effective bandwidth where the memory can decode it.
#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

// The compression mechanics at the configured clocks: a chip's power cap and boost (and the per-cycle
// SM energy, whose share shifts with the cycles) are off; power_cap_test.cpp covers them.
std::unique_ptr<arch::Chip> chip(const std::string& name, std::vector<std::string> set = {}) {
  const std::string path = kSrc + "/configs/chips/" + name + ".yaml";
  if (arch::Chip::load(path)->governor()) {
    for (const char* off : {"chip.power.tdp=0 W", "chip.power.max_clock=1", "sm.active_energy_per_cycle=0 J"}) set.push_back(off);
  }
  return arch::Chip::load(path, set);
}

wl::OpGraph gemm(std::int64_t m, std::int64_t n, std::int64_t k, const std::vector<std::string>& compression,
                 const std::string& dtype = "bf16") {
  std::vector<std::string> o{"m=" + std::to_string(m), "n=" + std::to_string(n), "k=" + std::to_string(k), "dtype=" + dtype};
  for (const auto& c : compression) o.push_back("compression." + c);
  return wl::load_workload(kSrc + "/configs/workloads/gemm-512.yaml", o);
}

double stat(const Result& r, const std::string& component, const std::string& key) {
  for (const auto& s : r.stats) {
    if (s.component == component && s.key == key) return s.value;
  }
  FAIL("no stat " << component << "." << key);
  return 0;
}

double sum(const Result& r, double OpResult::*field) {
  double t = 0;
  for (const auto& o : r.ops) t += o.*field;
  return t;
}

void check_roofline(const Result& r) {
  for (const auto& o : r.ops) CHECK(o.end_s - o.start_s >= o.roofline_s - 1e-12);
}

}  // namespace

TEST_CASE("must show: FP8 on H100 and FP4 on B200 cut both memory traffic and compute time", "[compression][must-show]") {
  auto h100 = chip("h100-sxm");
  // FP4 is not a Hopper MAC format: a clear error, not a silent fallback. (Checked before any
  // simulation: under AddressSanitizer an exception after SystemC's coroutines ran is misreported.)
  CHECK_THROWS_WITH(simulate(*h100, gemm(512, 512, 512, {"activation_dtype=fp4"})), Catch::Contains("can run op 'gemm'"));
  const Result bf16 = simulate(*h100, gemm(8192, 8192, 8192, {}));
  const Result fp8 = simulate(*h100, gemm(8192, 8192, 8192, {"activation_dtype=fp8"}));
  CHECK(fp8.ops[0].bytes < 0.55 * static_cast<double>(bf16.ops[0].bytes));
  CHECK(fp8.ops[0].compute_cycles < 0.55 * static_cast<double>(bf16.ops[0].compute_cycles));  // 2x the tensor rate
  CHECK(fp8.latency_s < 0.55 * bf16.latency_s);
  CHECK(fp8.energy_j < bf16.energy_j);
  CHECK(fp8.compression == "activation_dtype=fp8");
  auto b200 = chip("b200");
  const Result b_bf16 = simulate(*b200, gemm(8192, 8192, 8192, {}));
  const Result b_fp8 = simulate(*b200, gemm(8192, 8192, 8192, {"activation_dtype=fp8"}));
  const Result b_fp4 = simulate(*b200, gemm(8192, 8192, 8192, {"activation_dtype=fp4"}));
  CHECK(b_fp4.ops[0].bytes < 0.55 * static_cast<double>(b_fp8.ops[0].bytes));
  CHECK(b_fp8.ops[0].bytes < 0.55 * static_cast<double>(b_bf16.ops[0].bytes));
  CHECK(b_fp4.ops[0].compute_cycles < 0.55 * static_cast<double>(b_fp8.ops[0].compute_cycles));
  CHECK(b_fp4.latency_s < 0.3 * b_bf16.latency_s);
  for (const Result* r : {&bf16, &fp8, &b_bf16, &b_fp8, &b_fp4}) check_roofline(*r);
}

TEST_CASE("must show: weight-only quantization costs dequantization that grows with batch", "[compression][must-show]") {
  auto h100 = chip("h100-sxm");
  auto decode = [&](std::int64_t batch, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> o{"batch=" + std::to_string(batch), "kv_len=128", "compression.weight_dtype=int4"};
    o.insert(o.end(), extra.begin(), extra.end());
    const wl::OpGraph g = wl::load_workload(kSrc + "/configs/workloads/llama-2-7b-decode.yaml", o);
    // Closed form: each weight is converted (2 ops: convert, scale) once per 128-row CTA tile of M.
    double expected = 0;
    for (wl::OpId id = 0; id < g.size(); ++id) {
      const wl::GemmView v = wl::gemm_view(g.op(id));
      if (wl::is_matrix(g.op(id)) && !v.b_is_activation) expected += 2.0 * static_cast<double>(v.k * v.n * ((v.m + 127) / 128));
    }
    Result r = simulate(*h100, g);
    CHECK(sum(r, &OpResult::dequant_ops) == expected);
    return r;
  };
  const Result b1 = decode(1), b64 = decode(64), b512 = decode(512);
  // Up to one CTA tile of rows a weight is converted once (Marlin's near-ideal range); beyond, once per tile.
  CHECK(sum(b64, &OpResult::dequant_ops) == sum(b1, &OpResult::dequant_ops));
  CHECK(sum(b512, &OpResult::dequant_ops) == 4 * sum(b1, &OpResult::dequant_ops));
  CHECK(sum(b512, &OpResult::dequant_s) == Approx(4 * sum(b1, &OpResult::dequant_s)).epsilon(0.01));
  // The passes run on the CUDA cores: their time is in the ops' time and their energy in the SMs'.
  const Result native = simulate(*chip("h100-sxm", {"sm.native_weight_dtypes=int4"}),
                                 wl::load_workload(kSrc + "/configs/workloads/llama-2-7b-decode.yaml",
                                                   {"batch=512", "kv_len=128", "compression.weight_dtype=int4"}));
  CHECK(sum(native, &OpResult::dequant_ops) == 0);
  CHECK(native.latency_s < b512.latency_s);
  // vector_op_energy per op, at the chip's node (31.5 pJ at 16 nm x 0.071 / 0.174 to 4 nm).
  CHECK(stat(b512, "sm", "dynamic_energy") - stat(native, "sm", "dynamic_energy") ==
        Approx(sum(b512, &OpResult::dequant_ops) * 31.5e-12 * 0.071 / 0.174).epsilon(1e-9));
  for (const Result* r : {&b1, &b64, &b512}) check_roofline(*r);
}

TEST_CASE("weight decode passes overlap the previous tile's MACs (GPU CUDA cores, TPU VPU)", "[compression]") {
  for (const auto& [name, native_set] : {std::pair<std::string, std::string>{"h100-sxm", "sm.native_weight_dtypes=int4"},
                                         {"tpu-v5e-like", "mxu.native_weight_dtypes=int8"}}) {
    INFO(name);
    const std::string wt = name == "h100-sxm" ? "int4" : "int8";
    const wl::OpGraph g = gemm(4096, 8192, 8192, {"weight_dtype=" + wt});
    const Result decoded = simulate(*chip(name), g);
    const Result native = simulate(*chip(name, {native_set}), g);
    REQUIRE(decoded.ops[0].dequant_s > 0);
    CHECK(native.ops[0].dequant_s == 0);
    // Same traffic, same MACs: only the first tile's pass is exposed, a small part of all passes.
    CHECK(decoded.latency_s > native.latency_s);
    CHECK(decoded.latency_s - native.latency_s < 0.25 * decoded.ops[0].dequant_s);
    check_roofline(decoded);
  }
}

// Before any simulation in its process: a refusal thrown after SystemC has run trips ASan (see system_test).
TEST_CASE("a systolic chip without a vector unit for the MACs' type refuses narrow weights, saying why", "[compression]") {
  auto no_vector = chip("scalesim-128x128", {"vpu.dtypes=fp32"});
  CHECK_THROWS_WITH(simulate(*no_vector, gemm(128, 128, 128, {"weight_dtype=int4"}, "int8")),
                    Catch::Contains("stores its weights as int4") && Catch::Contains("no vector unit for int8"));
}

TEST_CASE("a systolic chip dequantizes on its vector unit", "[compression]") {
  auto tpu = chip("tpu-v5e-like");
  const Result r = simulate(*tpu, gemm(256, 4096, 4096, {"weight_dtype=int8"}));
  CHECK(r.ops[0].dequant_ops == 2.0 * 4096 * 4096);  // once per tile of M (M fits one tile)
  CHECK(r.ops[0].dequant_s > 0);
  CHECK(stat(r, "vpu", "tasks") > 0);
  const Result native = simulate(*chip("tpu-v5e-like", {"mxu.native_weight_dtypes=int8"}), gemm(256, 4096, 4096, {"weight_dtype=int8"}));
  CHECK(native.ops[0].dequant_ops == 0);
  CHECK(native.latency_s < r.latency_s);
}

TEST_CASE("must show: 2:4 halves the MACs on sparse tensor cores and not on a unit without them", "[compression][must-show]") {
  const wl::OpGraph dense = gemm(8192, 8192, 8192, {}), two_four = gemm(8192, 8192, 8192, {"sparsity=2:4"});
  CHECK(wl::weight_bytes(two_four.op(0)).count() * 16 == wl::weight_bytes(dense.op(0)).count() * 9);
  auto h100 = chip("h100-sxm");
  const Result d = simulate(*h100, dense), s = simulate(*h100, two_four);
  CHECK(stat(s, "sm", "macs") == 0.5 * stat(d, "sm", "macs"));
  CHECK(s.ops[0].compute_cycles < 0.75 * static_cast<double>(d.ops[0].compute_cycles));
  CHECK(s.ops[0].dequant_ops == 0);  // consumed as stored
  auto plain = chip("h100-sxm", {"sm.sparsity_2to4=false"});
  const Result pd = simulate(*plain, dense), ps = simulate(*plain, two_four);
  CHECK(stat(ps, "sm", "macs") == stat(pd, "sm", "macs"));  // the zeros are multiplied too
  CHECK(ps.ops[0].dequant_ops == 8192.0 * 8192 * 64);       // and expanded first, once per CTA row
  CHECK(ps.latency_s > s.latency_s);
  for (const Result* r : {&d, &s, &pd, &ps}) check_roofline(*r);
}

TEST_CASE("must show: pruning loses on a wide array and gains on a narrow one, seeded and deterministic",
          "[compression][must-show]") {
  auto array = [](std::int64_t n) {
    const std::string side = std::to_string(n);
    return chip("scalesim-128x128", {"mxu.rows=" + side, "mxu.cols=" + side, "mxu.dataflow=auto", "mxu.unstructured_sparsity=true"});
  };
  auto wide = array(256), narrow = array(16);
  const wl::OpGraph dense = gemm(256, 512, 512, {}, "int8");
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    const wl::OpGraph pruned = gemm(256, 512, 512, {"sparsity=unstructured", "density=0.1", "seed=" + std::to_string(seed)}, "int8");
    // 256x256: 4 weights per PE per tile, and among 65536 PEs some keep all of them.
    const Result w = simulate(*wide, pruned);
    CHECK(w.ops[0].compute_cycles > 2 * simulate(*wide, dense).ops[0].compute_cycles);
    // 16x16: 1024 weights per PE; the slowest keeps ~13 % at 2 cycles each.
    const Result n = simulate(*narrow, pruned);
    CHECK(n.ops[0].compute_cycles < simulate(*narrow, dense).ops[0].compute_cycles / 3);
    CHECK(to_json(simulate(*narrow, pruned)) == to_json(n));  // same seed, same bytes
    check_roofline(w);
    check_roofline(n);
  }
  // A dense array multiplies the zeros: no change in cycles.
  auto plain = chip("scalesim-128x128");
  CHECK(simulate(*plain, gemm(256, 512, 512, {"sparsity=unstructured", "density=0.1"}, "int8")).ops[0].compute_cycles ==
        simulate(*plain, gemm(256, 512, 512, {}, "int8")).ops[0].compute_cycles);
}

TEST_CASE("a weight codec raises effective bandwidth where the memory decodes it, else a clear error", "[compression]") {
  // A chip without a decoder refuses codec'd weights (checked before any simulation, see above).
  CHECK_THROWS_WITH(simulate(*chip("h100-sxm"), gemm(1, 8192, 8192, {"codec_ratio=2"})),
                    Catch::Contains("no decoder at its memory interface"));
  // mach1's codec at ratio 1 stores plain data; wide arrays keep the GEMV memory-bound.
  auto mach1 = chip("mach1", {"codec.ratio=1", "mxu.arrays=64"});
  auto bandwidth = [&](const std::vector<std::string>& c) {
    const Result r = simulate(*mach1, gemm(1, 8192, 8192, c));
    check_roofline(r);
    return static_cast<double>(r.ops[0].bytes) / (r.ops[0].end_s - r.ops[0].start_s);
  };
  const double plain = bandwidth({}), two = bandwidth({"codec_ratio=2"}), four = bandwidth({"codec_ratio=4"});
  CHECK(two > 1.8 * plain);
  CHECK(four > 3.5 * plain);
  const Result r = simulate(*mach1, gemm(1, 8192, 8192, {"codec_ratio=4"}));
  CHECK(stat(r, "codec", "physical_bytes_read") < 0.3 * stat(r, "codec", "logical_bytes_read"));
}
