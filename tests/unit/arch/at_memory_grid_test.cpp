// SPDX-License-Identifier: MIT
// compute/at_memory_grid: weight-stationary folds over banks with no per-fold weight load, by hand;
// configs whose PEs have no rate or whose operand registers cannot hold one tile are clear errors.
#include "arch/compute/at_memory_grid.h"

#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "arch/registry.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

AtMemoryGridParams params() {
  AtMemoryGridParams p;
  p.banks = 4;
  p.pe_rows = 2;
  p.pe_cols = 8;
  p.clock = Frequency(1e9);
  p.macs_int8 = 2;
  p.macs_bf16 = 1;
  p.mac_energy_int8 = Energy(0.3e-12);
  p.vector_op_energy = Energy(0.1e-12);
  return p;
}

ComputeTask gemm(std::int64_t m, std::int64_t n, std::int64_t k, DataType d = DataType::kInt8) {
  ComputeTask t;
  t.dtype = d;
  t.m = m, t.n = n, t.k = k;
  t.dataflow = Dataflow::kWeightStationary;
  return t;
}

}  // namespace

TEST_CASE("grid folds: K over rows x MACs per PE, N over columns, M streamed, fill once", "[at_memory_grid]") {
  AtMemoryGrid g(ComponentContext{"grid", "compute/at_memory_grid", {}}, params());
  // int8: a fold holds 2 rows x 2 MACs = 4 values of K by 8 of N. K=16, N=32: 4 x 4 = 16 folds over 4
  // banks = 4 rounds of M=10 cycles; fill + drain = 2 rows + log2(8) = 5 once.
  const GridMapping m = g.mapping(gemm(10, 32, 16));
  CHECK(m.k_per_fold == 4);
  CHECK(m.folds == 16);
  CHECK(m.rounds == 4);
  CHECK(m.overhead == 5);
  TaskCost c = g.estimate(gemm(10, 32, 16));
  CHECK(c.cycles == Cycles(45));
  CHECK(c.time == Time(45000));
  CHECK(c.energy.pj() == Approx(10 * 32 * 16 * 0.3));
  // bf16 packs one MAC per PE: twice the folds, twice the rounds.
  CHECK(g.estimate(gemm(10, 32, 16, DataType::kBf16)).cycles == Cycles(8 * 10 + 5));
  // A systolic array of the same size pays 2R + C - 2 per fold to load weights; the grid does not,
  // so doubling the folds adds only their streaming time.
  CHECK(g.estimate(gemm(10, 64, 16)).cycles - g.estimate(gemm(10, 32, 16)).cycles == Cycles(40));
  CHECK(g.peak_rate(TaskClass::kMatrix, DataType::kInt8).per_second() == Approx(2.0 * 64 * 2 * 1e9));
  CHECK(g.peak_rate(TaskClass::kMatrix, DataType::kFp32).per_second() == 0);
  CHECK_THROWS_AS(g.estimate([] { auto t = gemm(1, 1, 1); t.dataflow = Dataflow::kOutputStationary; return t; }()),
                  std::invalid_argument);
}

TEST_CASE("grid vector work runs on every PE", "[at_memory_grid]") {
  AtMemoryGrid g(ComponentContext{"grid", "compute/at_memory_grid", {}}, params());
  ComputeTask t;
  t.cls = TaskClass::kVector;
  t.dtype = DataType::kInt8;
  t.elements = 640;  // 64 PEs: 10 cycles + 2 rows of latency
  CHECK(g.estimate(t).cycles == Cycles(12));
}

TEST_CASE("grid config errors are clear", "[at_memory_grid]") {
  const ModelInfo* info = Registry::instance().find("compute/at_memory_grid");
  REQUIRE(info);
  Diagnostics diag;
  auto c = info->make(ComponentContext{"grid", "compute/at_memory_grid", {}},
                      ConfigNode::load_string("banks: 0\npe_rows: 8\npe_cols: 64\nclock: 1 GHz\n", "g.yaml"), diag);
  CHECK_FALSE(c);
  REQUIRE_THROWS_WITH(diag.throw_if_any(), Catch::Contains("'banks' must be greater than 0"));
  Diagnostics d2;
  auto c2 = info->make(ComponentContext{"grid", "compute/at_memory_grid", {}},
                       ConfigNode::load_string("banks: 4\npe_rows: 8\npe_cols: 64\nclock: 1 GHz\n", "g.yaml"), d2);
  CHECK_FALSE(c2);
  REQUIRE_THROWS_WITH(d2.throw_if_any(), Catch::Contains("every MAC rate is 0"));
}

TEST_CASE("a grid that cannot hold a single layer's tile is a clear error", "[at_memory_grid]") {
  // 64 B of operand registers cannot hold even one 2 x 8 fold of weights plus its activations.
  auto chip = Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/speedai240.yaml",
                         {"pe_operands.capacity=64 B"});
  wl::OpGraph g("conv");
  wl::OpNode op;
  op.name = "conv";
  op.kind = wl::OpKind::kGemm;
  op.dtype = DataType::kInt8;
  op.shape = wl::GemmShape{1, 196, 256, 2304, false};
  g.add_op(op);
  REQUIRE_THROWS_WITH(simulate(*chip, g), Catch::Contains("does not fit the buffers of 'grid'"));
}
