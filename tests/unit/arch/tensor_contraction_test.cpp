// SPDX-License-Identifier: MIT
// compute/tensor_contraction: each loop order's folds, reloads and drain by hand, and RNGD choosing a
// different loop order for a decode-shaped and a prefill-shaped contraction.
#include "arch/compute/tensor_contraction.h"

#include <catch2/catch.hpp>

#include "arch/chip.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

TensorContractionParams params() {
  TensorContractionParams p;
  p.units = 1;
  p.slices = 2;
  p.reduce_width = 4;
  p.out_lanes = 2;
  p.operand_port = Bytes(8);
  p.clock = Frequency(1e9);
  p.mac_energy_16bit = Energy(1e-12);
  return p;
}

ComputeTask gemm(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow d) {
  ComputeTask t;
  t.dtype = DataType::kBf16;
  t.m = m, t.n = n, t.k = k;
  t.dataflow = d;
  return t;
}

}  // namespace

TEST_CASE("contraction cost per loop order", "[tensor_contraction]") {
  TensorContraction tc(ComponentContext{"tcp", "compute/tensor_contraction", {}}, params());
  // Tile: 4 (K) x 2 lanes of bf16 = 16 B: 2 cycles through an 8 B port. Drain: log2(4) + 2 x 4 B / 8 = 3.
  // ws, M=32 N=4 K=8: folds (8/4) x (4/2) = 4 over 2 slices = 2 rounds x (32 + 2) + 3 = 71.
  ContractionPlan ws = tc.plan(gemm(32, 4, 8, Dataflow::kWeightStationary));
  CHECK(ws.folds == 4);
  CHECK(ws.reload_cycles == 2);
  CHECK(ws.drain_cycles == 3);
  CHECK(tc.estimate(gemm(32, 4, 8, Dataflow::kWeightStationary)).cycles == Cycles(71));
  // is, same shape: folds (8/4) x (32/2) = 32 over 2 = 16 rounds x (4 + 2) + 3 = 99.
  CHECK(tc.estimate(gemm(32, 4, 8, Dataflow::kInputStationary)).cycles == Cycles(99));
  // os: folds (32/2) x (4/2) = 32 -> 16 rounds x ceil(8/4) x max(2 lanes, 2 x 16 B / 8) = 16 x 2 x 4 + 3 = 131.
  CHECK(tc.estimate(gemm(32, 4, 8, Dataflow::kOutputStationary)).cycles == Cycles(131));
  // int8 packs two products per multiplier: half the K folds.
  ComputeTask i8 = gemm(32, 4, 8, Dataflow::kWeightStationary);
  i8.dtype = DataType::kInt8;
  CHECK(tc.plan(i8).lanes_k == 8);
  CHECK(tc.peak_rate(TaskClass::kMatrix, DataType::kInt8).per_second() ==
        Approx(2 * tc.peak_rate(TaskClass::kMatrix, DataType::kBf16).per_second()));
  CHECK_FALSE(tc.supports(TaskClass::kMatrix, DataType::kFp32));
}

TEST_CASE("RNGD: the cheapest loop order depends on the op shape", "[tensor_contraction][rngd]") {
  auto chip = Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/rngd.yaml");
  const ComputeModel& tcp = *chip->compute_units().front().model;
  const auto flows = tcp.geometry().dataflows;
  REQUIRE(flows.size() == 3);  // the mapper scores every one of them per op
  auto best = [&](std::int64_t m, std::int64_t n, std::int64_t k) {
    Dataflow arg = flows.front();
    Time t = Time::max();
    for (Dataflow d : flows) {
      const Time c = tcp.estimate(gemm(m, n, k, d)).time;
      if (c < t) t = c, arg = d;
    }
    return arg;
  };
  // 64 decode tokens x a 4096 x 4096 weight: streaming 64 rows past each held weight tile pays a
  // reload every 64 cycles; holding the activations and streaming 4096 weight columns does not.
  CHECK(best(64, 4096, 4096) == Dataflow::kInputStationary);
  // 4096 tokens into a 64-wide projection: now the weights are the small operand to hold.
  CHECK(best(4096, 64, 4096) == Dataflow::kWeightStationary);
  // A short contraction (K = 32, one step) over a wide output: accumulators in place use all 512
  // slices, while either stationary order finds only 64 folds to spread.
  CHECK(best(512, 512, 32) == Dataflow::kOutputStationary);
}
