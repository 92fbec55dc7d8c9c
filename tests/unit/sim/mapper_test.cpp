// SPDX-License-Identifier: MIT
// The mapper's tiles: they fit the buffers, their off-chip traffic equals the closed form the tiling
// was chosen by, and their compute cycles add up to SCALE-Sim's layer cycles in every dataflow.
#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "arch/compute/systolic_array.h"
#include "sim/driver/mapper.h"

using namespace xpusim;

namespace {

wl::OpNode gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  wl::OpNode op;
  op.name = "g";
  op.kind = wl::OpKind::kGemm;
  op.dtype = DataType::kInt8;
  op.shape = wl::GemmShape{1, m, n, k, false};
  return op;
}

}  // namespace

TEST_CASE("tiles fit, add up to the planned traffic and to SCALE-Sim's cycles", "[mapper]") {
  const auto df = GENERATE(as<std::string>{}, "os", "ws", "is");
  const auto shape = GENERATE(std::array<std::int64_t, 3>{512, 512, 512}, std::array<std::int64_t, 3>{3000, 70, 4096},
                              std::array<std::int64_t, 3>{1, 4096, 11008}, std::array<std::int64_t, 3>{12544, 64, 147});
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/scalesim-32x32.yaml", {std::string("mxu.dataflow=").append(df)});
  const wl::OpNode op = gemm(shape[0], shape[1], shape[2]);
  const driver::OpPlan plan = driver::plan_op(*chip, op);
  const auto& unit = chip->compute_units()[plan.unit];
  Bytes offchip{0};
  std::int64_t cycles = 0, tiles = 0;
  driver::for_each_tile(plan, *chip, [&](const driver::TileStep& s) {
    offchip += s.load_a + s.load_b + s.load_c + s.store_c;
    cycles += unit.model->estimate(s.task).cycles.count();
    ++tiles;
    // Double buffering: the operands of one tile fit half of each 64 KiB buffer.
    CHECK(s.task.m * s.task.k <= 32 * 1024);
    CHECK(s.task.k * s.task.n <= 32 * 1024);
    CHECK(s.task.m * s.task.n <= 32 * 1024);
  });
  INFO(df << " " << shape[0] << "x" << shape[1] << "x" << shape[2]);
  CHECK(tiles == plan.tiles);
  CHECK(offchip == plan.offchip_bytes);
  CHECK(offchip >= wl::compulsory_bytes(op));
  CHECK(unit.model->reported_cycles(Cycles(cycles)) ==
        arch::scalesim_layer_cycles(shape[0], shape[1], shape[2], plan.mat.dataflow, 32, 32));
}

TEST_CASE("an op no unit supports is a clear error", "[mapper]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/scalesim-32x32.yaml");
  wl::OpNode op = gemm(64, 64, 64);
  op.dtype = DataType::kFp32;  // wider than the int8 array
  CHECK_THROWS_WITH(driver::plan_op(*chip, op), Catch::Contains("no compute unit of chip 'scalesim-32x32' can run op 'g'"));
}

TEST_CASE("auto dataflow picks the dataflow with the fewest array cycles", "[mapper]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/scalesim-32x32.yaml", {"mxu.dataflow=auto"});
  // Long M streams best through weight-stationary, long N through input-stationary (T is streamed).
  CHECK(driver::plan_op(*chip, gemm(100000, 32, 32)).mat.dataflow == arch::Dataflow::kWeightStationary);
  CHECK(driver::plan_op(*chip, gemm(32, 100000, 32)).mat.dataflow == arch::Dataflow::kInputStationary);
  CHECK(driver::plan_op(*chip, gemm(512, 512, 512)).mat.dataflow == arch::Dataflow::kOutputStationary);
}

TEST_CASE("the plan memo shares a plan between ops that differ only in name", "[mapper]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/scalesim-32x32.yaml", {"mxu.dataflow=auto"});
  driver::PlanMemo memo;
  wl::OpNode a = gemm(100000, 32, 32), b = a, c = gemm(32, 100000, 32);
  b.name = "layers.1.g";
  const driver::OpPlan& pa = memo.plan(*chip, a);
  CHECK(&memo.plan(*chip, b) == &pa);
  CHECK(pa.mat.dataflow == driver::plan_op(*chip, a).mat.dataflow);
  CHECK(pa.offchip_bytes == driver::plan_op(*chip, a).offchip_bytes);
  // Any other field is part of the key: another shape, or another chip, plans again.
  CHECK(&memo.plan(*chip, c) != &pa);
  CHECK(memo.plan(*chip, c).mat.dataflow == arch::Dataflow::kInputStationary);
  auto other = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/scalesim-32x32.yaml", {"mxu.dataflow=os"});
  CHECK(memo.plan(*other, a).mat.dataflow == arch::Dataflow::kOutputStationary);
}
