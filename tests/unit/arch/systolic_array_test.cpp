// SPDX-License-Identifier: MIT
// compute/systolic against SCALE-Sim v2's stall-free cycle arithmetic, worked by hand per case.
#include "arch/compute/systolic_array.h"

#include <catch2/catch.hpp>

#include <limits>

#include "arch/compute/sparse_blocks.h"
#include "arch/registry.h"

using namespace xpusim;
using namespace xpusim::arch;
using namespace xpusim::literals;

namespace {

constexpr Dataflow kOs = Dataflow::kOutputStationary;
constexpr Dataflow kWs = Dataflow::kWeightStationary;
constexpr Dataflow kIs = Dataflow::kInputStationary;

SystolicArrayParams params(std::int64_t rows, std::int64_t cols, std::string dataflow = "auto") {
  SystolicArrayParams p;
  p.rows = rows;
  p.cols = cols;
  p.clock = Frequency(1e9);
  p.dtype = DataType::kInt8;
  p.dataflow = std::move(dataflow);
  p.mac_energy = Energy(0.2e-12);
  p.leakage = Power(0.5);
  return p;
}

ComputeTask gemm(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, bool fill_drain = true) {
  ComputeTask t;
  t.cls = TaskClass::kMatrix;
  t.dtype = DataType::kInt8;
  t.m = m, t.n = n, t.k = k;
  t.dataflow = df;
  t.fill_drain = fill_drain;
  return t;
}

}  // namespace

TEST_CASE("SCALE-Sim worked example: 512^3 on 128x128", "[systolic]") {
  // F = 4*4 = 16; os: 16*(512 + 128+128-2) - 1; ws/is: 16*(512 + 2*128+128-2) - 1.
  CHECK(scalesim_layer_cycles(512, 512, 512, kOs, 128, 128) == 12255);
  CHECK(scalesim_layer_cycles(512, 512, 512, kWs, 128, 128) == 14303);
  CHECK(scalesim_layer_cycles(512, 512, 512, kIs, 128, 128) == 14303);
}

TEST_CASE("dims that are not multiples of the array, all dataflows", "[systolic]") {
  // 100x70x30 on 32 rows x 16 cols.
  // os: Sr=M=100 -> 4 folds, Sc=N=70 -> 5, T=K=30, overhead 32+16-2=46: 20*76-1.
  CHECK(scalesim_layer_cycles(100, 70, 30, kOs, 32, 16) == 1519);
  // ws: Sr=K=30 -> 1, Sc=N=70 -> 5, T=M=100, overhead 64+16-2=78: 5*178-1.
  CHECK(scalesim_layer_cycles(100, 70, 30, kWs, 32, 16) == 889);
  // is: Sr=K=30 -> 1, Sc=M=100 -> 7, T=N=70: 7*148-1.
  CHECK(scalesim_layer_cycles(100, 70, 30, kIs, 32, 16) == 1035);

  SystolicMapping s = systolic_mapping(100, 70, 30, kIs, 32, 16);
  CHECK(s.sr == 30);
  CHECK(s.sc == 100);
  CHECK(s.t == 70);
  CHECK(s.row_folds == 1);
  CHECK(s.col_folds == 7);
  CHECK(s.overhead == 78);
}

TEST_CASE("edge shapes: 1xN, Nx1, K=1, a 1x1 array", "[systolic]") {
  // 1 x 300 x 64 on 128x128. os: folds 1*3, T=64: 3*(64+254)-1.
  CHECK(scalesim_layer_cycles(1, 300, 64, kOs, 128, 128) == 953);
  // ws: Sr=K=64 -> 1, Sc=N=300 -> 3, T=M=1: 3*(1+382)-1.
  CHECK(scalesim_layer_cycles(1, 300, 64, kWs, 128, 128) == 1148);
  // is: Sr=64 -> 1, Sc=M=1 -> 1, T=N=300: 300+382-1.
  CHECK(scalesim_layer_cycles(1, 300, 64, kIs, 128, 128) == 681);
  // N x 1 swaps the roles of ws and is.
  CHECK(scalesim_layer_cycles(300, 1, 64, kOs, 128, 128) == 953);
  CHECK(scalesim_layer_cycles(300, 1, 64, kWs, 128, 128) == 681);
  CHECK(scalesim_layer_cycles(300, 1, 64, kIs, 128, 128) == 1148);
  // K = 1: os has 4 folds of one streamed step each; ws/is have 2 folds of 256.
  CHECK(scalesim_layer_cycles(256, 256, 1, kOs, 128, 128) == 1019);
  CHECK(scalesim_layer_cycles(256, 256, 1, kWs, 128, 128) == 1275);
  CHECK(scalesim_layer_cycles(256, 256, 1, kIs, 128, 128) == 1275);
  // A single PE: os has no skew (0-based cycle 0); ws/is still load the weight first.
  CHECK(scalesim_layer_cycles(1, 1, 1, kOs, 1, 1) == 0);
  CHECK(scalesim_layer_cycles(1, 1, 1, kWs, 1, 1) == 1);
  CHECK_THROWS_AS(scalesim_layer_cycles(0, 1, 1, kOs, 8, 8), std::invalid_argument);
}

TEST_CASE("conv layers lowered by im2col: ResNet conv1 on 32x32", "[systolic]") {
  // 224x224x3, 7x7/2, 64 filters, SCALE-Sim's unpadded E = ceil((224-7+2)/2) = 110:
  // M = 110*110 = 12100, N = 64, K = 7*7*3 = 147.
  // os: ceil(12100/32)=379 * 2 = 758 folds of 147+62: 758*209-1.
  CHECK(scalesim_layer_cycles(12100, 64, 147, kOs, 32, 32) == 158421);
  // ws: ceil(147/32)=5 * 2 = 10 folds of 12100+94.
  CHECK(scalesim_layer_cycles(12100, 64, 147, kWs, 32, 32) == 121939);
  // is: 5 * 379 = 1895 folds of 64+94.
  CHECK(scalesim_layer_cycles(12100, 64, 147, kIs, 32, 32) == 299409);
}

TEST_CASE("mapping efficiency is SCALE-Sim's mean PE occupancy over folds", "[systolic]") {
  // SCALE-Sim's golden test (alexnet_part Conv1, 32x32 ws) reports 94.53125 %: K=363 over 12 row folds.
  CHECK(scalesim_mapping_efficiency(3025, 96, 363, kWs, 32, 32) == Approx(0.9453125));
  CHECK(scalesim_mapping_efficiency(512, 512, 512, kOs, 128, 128) == Approx(1.0));
  // os: (100/128) * (70/80) on 32x16.
  CHECK(scalesim_mapping_efficiency(100, 70, 30, kOs, 32, 16) == Approx(100.0 / 128.0 * 70.0 / 80.0));
}

TEST_CASE("the array's busy cycles are SCALE-Sim's plus one -- reported_cycles gives SCALE-Sim's", "[systolic]") {
  SystolicArray a({"mxu", "compute/systolic", {}}, params(128, 128));
  for (Dataflow df : {kOs, kWs, kIs}) {
    TaskCost c = a.estimate(gemm(512, 512, 512, df));
    CHECK(c.cycles.count() == scalesim_layer_cycles(512, 512, 512, df, 128, 128) + 1);
    CHECK(a.reported_cycles(c.cycles) == scalesim_layer_cycles(512, 512, 512, df, 128, 128));
    CHECK(c.time == Time(c.cycles.count() * 1000));  // 1 GHz: 1 ns per cycle
    CHECK(c.flops.count() == Approx(2.0 * 512 * 512 * 512));
    CHECK(c.energy.pj() == Approx(0.2 * 512 * 512 * 512));
  }
}

TEST_CASE("a tile streamed in chunks costs the same as the whole tile", "[systolic]") {
  SystolicArray a({"mxu", "compute/systolic", {}}, params(32, 32));
  // os streams K: chunks 200 + 200 + 112 of K = 512, fill/drain charged on the first only.
  std::int64_t whole = a.estimate(gemm(64, 64, 512, kOs)).cycles.count();
  std::int64_t chunks = a.estimate(gemm(64, 64, 200, kOs, true)).cycles.count() +
                        a.estimate(gemm(64, 64, 200, kOs, false)).cycles.count() +
                        a.estimate(gemm(64, 64, 112, kOs, false)).cycles.count();
  CHECK(chunks == whole);
  CHECK(whole == 2 * 2 * (512 + 62));
  // ws streams M.
  std::int64_t whole_ws = a.estimate(gemm(1000, 64, 96, kWs)).cycles.count();
  std::int64_t chunks_ws = a.estimate(gemm(600, 64, 96, kWs, false)).cycles.count() +
                           a.estimate(gemm(400, 64, 96, kWs, true)).cycles.count();
  CHECK(chunks_ws == whole_ws);
  CHECK(a.estimate(gemm(600, 64, 96, kWs, false)).cycles.count() == 3 * 2 * 600);
}

TEST_CASE("load_rows shortens the stationary-tile load of ws/is only", "[systolic]") {
  SystolicArrayParams p = params(32, 16);
  p.load_rows = 8;
  SystolicArray a({"mxm", "compute/systolic", {}}, p);
  // ws 100x70x30 on 32x16: 5 folds of T=100 + load ceil(32/8)=4 + skew 46 (SCALE-Sim: load 32).
  CHECK(a.estimate(gemm(100, 70, 30, kWs)).cycles.count() == 5 * (100 + 4 + 46));
  // is: 7 folds of 70 + 4 + 46.
  CHECK(a.estimate(gemm(100, 70, 30, kIs)).cycles.count() == 7 * (70 + 4 + 46));
  // os holds no stationary operand: unchanged, 20 folds of 30 + 46.
  CHECK(a.estimate(gemm(100, 70, 30, kOs)).cycles.count() == 20 * (30 + 46));
  p.load_rows = 1000;  // wider than the array: one cycle per tile
  CHECK(SystolicArray({"m", "compute/systolic", {}}, p).estimate(gemm(100, 70, 30, kWs)).cycles.count() == 5 * (100 + 1 + 46));
}

TEST_CASE("pipelined folds: each fold costs max(T, load), fill and drain once per op", "[systolic]") {
  SystolicArrayParams p = params(32, 16);
  p.load_rows = 2;  // a tile loads in 16 cycles
  p.pipelined_folds = true;
  p.arrays = 2;
  SystolicArray a({"mxm", "compute/systolic", {}}, p);
  auto first = [](ComputeTask t) {
    t.starts_op = true;
    return t;
  };
  // A GEMV (M = 1) in ws: Sr = K = 320 -> 10 folds, Sc = N = 64 -> 4: 40 folds, 20 per array,
  // each bound by the 16-cycle load; the op's first task exposes one load and the skew (16 + 46).
  CHECK(a.estimate(first(gemm(1, 64, 320, kWs))).cycles.count() == 20 * 16 + 16 + 46);
  // Later tiles of the same op follow without draining the array.
  CHECK(a.estimate(gemm(1, 64, 320, kWs)).cycles.count() == 20 * 16);
  // Long streams hide the load: 5 folds of T = 100 over 2 arrays -> 3 rounds.
  CHECK(a.estimate(first(gemm(100, 70, 30, kWs))).cycles.count() == 3 * 100 + 16 + 46);
  CHECK(a.estimate(gemm(100, 70, 30, kWs, false)).cycles.count() == 3 * 100);
  // Never faster than the MACs allow: 100x70x30 MACs over 2 x 32 x 16 PEs.
  CHECK(a.estimate(gemm(100, 70, 30, kWs)).cycles.count() >= 100 * 70 * 30 / (2 * 32 * 16));
  // Serialised folds (the SCALE-Sim default) cost more for the same task.
  p.pipelined_folds = false;
  CHECK(SystolicArray({"m", "compute/systolic", {}}, p).estimate(gemm(1, 64, 320, kWs)).cycles.count() == 20 * (1 + 16 + 46));
}

TEST_CASE("execute queues tasks FCFS, counts MACs and energy", "[systolic]") {
  SystolicArray a({"mxu", "compute/systolic", {}}, params(4, 4, "os"));
  // 8x8x10 on 4x4 os: 4 folds of 10 + 6 = 64 cycles = 64 ns.
  Completion c1 = a.execute(gemm(8, 8, 10, kOs), 100_ns);
  CHECK(c1.start == 100_ns);
  CHECK(c1.done == 164_ns);
  Completion c2 = a.execute(gemm(8, 8, 10, kOs), 120_ns);  // arrives while busy: waits
  CHECK(c2.start == 164_ns);
  CHECK(c2.done == 228_ns);
  CHECK(c2.energy.pj() == Approx(0.2 * 640));
  auto find = [&](const std::string& key) {
    for (const auto& s : a.stats()) {
      if (s.key == key) return s;
    }
    FAIL("no stat " << key);
    return Stat{};
  };
  CHECK(find("busy_cycles").value == 128);
  CHECK(find("busy_cycles").unit == "cycles");
  CHECK(find("macs").value == 1280);
  CHECK(find("busy_utilization").value == Approx(1280.0 / (128.0 * 16.0)));
  CHECK(find("dynamic_energy").value == Approx(0.2e-12 * 1280));
  CHECK(a.static_power().watts() == Approx(0.5));
  a.reset();
  CHECK(find("macs").value == 0);
  CHECK(a.execute(gemm(8, 8, 10, kOs), 0_ns).start == 0_ns);
}

TEST_CASE("dtype support, peak rate, geometry and dataflow restrictions", "[systolic]") {
  SystolicArray os({"mxu", "compute/systolic", {}}, params(128, 128, "os"));
  CHECK(os.supports(TaskClass::kMatrix, DataType::kInt8));
  CHECK(os.supports(TaskClass::kMatrix, DataType::kInt4));
  CHECK_FALSE(os.supports(TaskClass::kMatrix, DataType::kBf16));  // wider than the native int8
  CHECK_FALSE(os.supports(TaskClass::kVector, DataType::kInt8));
  CHECK(os.peak_rate(TaskClass::kMatrix, DataType::kInt8).per_second() == Approx(2.0 * 128 * 128 * 1e9));
  CHECK(os.peak_rate(TaskClass::kMatrix, DataType::kInt4).per_second() == Approx(2.0 * 128 * 128 * 1e9));
  CHECK(os.peak_rate(TaskClass::kMatrix, DataType::kFp32).per_second() == 0);
  MatrixGeometry g = os.geometry();
  CHECK(g.rows == 128);
  CHECK(g.cols == 128);
  REQUIRE(g.dataflows.size() == 1);
  CHECK(g.dataflows[0] == kOs);
  CHECK_THROWS_AS(os.estimate(gemm(8, 8, 8, kWs)), std::invalid_argument);
  ComputeTask wide = gemm(8, 8, 8, kOs);
  wide.dtype = DataType::kFp16;
  CHECK_THROWS_AS(os.estimate(wide), std::invalid_argument);

  SystolicArray any({"mxu", "compute/systolic", {}}, params(16, 8, "auto"));
  CHECK(any.geometry().dataflows.size() == 3);
}

TEST_CASE("compute/systolic is registered and binds its schema from YAML", "[systolic][config]") {
  const ModelInfo* info = Registry::instance().find("compute/systolic");
  REQUIRE(info);
  auto node = ConfigNode::load_string(
      "{name: mxu, type: compute/systolic, rows: 32, cols: 16, clock: 1 GHz, dtype: int8, dataflow: ws,"
      " mac_energy: 0.2 pJ, leakage: 10 mW}",
      "mxu.yaml");
  Diagnostics diag;
  auto c = info->make({"mxu", "compute/systolic", node.mark()}, node, diag);
  REQUIRE(diag.empty());
  auto* a = dynamic_cast<SystolicArray*>(c.get());
  REQUIRE(a);
  CHECK(a->geometry().rows == 32);
  CHECK(a->geometry().dataflows == std::vector<Dataflow>{kWs});
  CHECK(a->estimate(gemm(100, 70, 30, kWs)).cycles.count() == 889 + 1);

  auto bad = ConfigNode::load_string(
      "{name: mxu, type: compute/systolic, rows: 0, cols: 16, clock: 1 GHz, dataflow: xs}", "bad.yaml");
  Diagnostics d2;
  CHECK_FALSE(info->make({"mxu", "compute/systolic", bad.mark()}, bad, d2));
  CHECK_THROWS_WITH(d2.throw_if_any(), Catch::Contains("'rows' must be greater than 0") &&
                                           Catch::Contains("'dataflow' expects one of os|ws|is|auto"));
}

TEST_CASE("unstructured sparsity on a zero-skipping array: slowest PE block x survivor cost", "[systolic][sparse]") {
  auto sparse_params = [](std::int64_t n) {
    SystolicArrayParams p = params(n, n);
    p.unstructured_sparsity = true;
    p.survivor_cycles = 2;
    return p;
  };
  auto pruned = [](std::int64_t m, std::int64_t n, std::int64_t k, double density) {
    ComputeTask t = gemm(m, n, k, kWs);
    t.sparsity = Sparsity::kUnstructured;
    t.density = density;
    t.sparse_seed = 11;
    return t;
  };
  SystolicArray narrow({"mxu", "compute/systolic", {}}, sparse_params(16));
  SystolicArray wide({"mxu", "compute/systolic", {}}, sparse_params(256));
  // Closed form: 512 x 512 weights over 256 PEs = blocks of 1024; each step streams m = 256 rows at
  // 2 cycles per row plus the weight-stationary fill/drain 2R + C - 2 = 46.
  const ComputeTask t = pruned(256, 512, 512, 0.1);
  const std::int64_t steps = max_block_survivors(256, 1024, 0.1, 11);
  CHECK(narrow.estimate(t).cycles.count() == steps * (2 * 256 + 46));
  CHECK(narrow.estimate(t).energy.pj() == Approx(0.2 * 256.0 * 512 * 512 * 0.1));
  // At density 1 every PE holds its whole block: the dense weight-stationary folds at survivor cost.
  CHECK(narrow.estimate(pruned(256, 512, 512, 1.0)).cycles.count() == 1024 * (2 * 256 + 46));
  auto best_dense = [](const SystolicArray& a, ComputeTask task) {
    task.sparsity = Sparsity::kDense;
    task.density = 1;
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (Dataflow df : {kOs, kWs, kIs}) {
      task.dataflow = df;
      best = std::min(best, a.estimate(task).cycles.count());
    }
    return best;
  };
  // The narrow array has 1024 weights per PE: the slowest block keeps ~13% of them and pruning gains.
  CHECK(narrow.estimate(t).cycles.count() < 0.5 * static_cast<double>(best_dense(narrow, t)));
  // The wide array has 4 weights per PE: among 65536 PEs some keep all 4, and pruning loses.
  CHECK(wide.estimate(t).cycles.count() > best_dense(wide, t));
  // A dense task, or an array without zero skipping, runs the dense fold arithmetic.
  SystolicArray plain({"mxu", "compute/systolic", {}}, params(16, 16));
  CHECK_FALSE(plain.skips_zeros(Sparsity::kUnstructured));
  CHECK(narrow.skips_zeros(Sparsity::kUnstructured));
  CHECK_FALSE(narrow.skips_zeros(Sparsity::kTwoFour));
  CHECK(plain.estimate(t).cycles.count() == plain.estimate(gemm(256, 512, 512, kWs)).cycles.count());
}

TEST_CASE("native_weight_dtypes: which weight formats skip the dequantization pass", "[systolic]") {
  SystolicArrayParams p = params(16, 16);
  p.dtype = DataType::kBf16;
  p.native_weight_dtypes = "int8, fp8";
  SystolicArray a({"mxu", "compute/systolic", {}}, p);
  CHECK(a.native_weight(DataType::kInt8, DataType::kBf16));
  CHECK(a.native_weight(DataType::kBf16, DataType::kBf16));
  CHECK_FALSE(a.native_weight(DataType::kInt4, DataType::kBf16));
  Diagnostics diag;
  p.native_weight_dtypes = "int8, int3";
  p.check("mxu (compute/systolic)", {}, diag);
  CHECK_THROWS_WITH(diag.throw_if_any(), Catch::Contains("'native_weight_dtypes' expects a comma-separated list"));
}
