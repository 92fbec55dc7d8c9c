// SPDX-License-Identifier: MIT
// compute/vector: lane throughput plus pipeline latency, dtype support, registration.
#include "arch/compute/vector_unit.h"

#include <catch2/catch.hpp>

#include "arch/registry.h"

using namespace xpusim;
using namespace xpusim::arch;
using namespace xpusim::literals;

namespace {

VectorUnitParams vparams() {
  VectorUnitParams p;
  p.lanes = 128;
  p.clock = Frequency(2e9);  // 0.5 ns per cycle
  p.dtypes = "fp32, bf16";
  p.lane_op_energy = Energy(1e-12);
  p.latency = 6;
  return p;
}

ComputeTask vec(std::int64_t elements, double ops, DataType dt = DataType::kBf16) {
  ComputeTask t;
  t.cls = TaskClass::kVector;
  t.dtype = dt;
  t.elements = elements;
  t.ops_per_element = ops;
  return t;
}

}  // namespace

TEST_CASE("vector unit: ceil(elements * ops / lanes) + latency", "[vector]") {
  VectorUnit v({"vpu", "compute/vector", {}}, vparams());
  CHECK(v.estimate(vec(1000, 1)).cycles.count() == 8 + 6);   // ceil(1000/128) = 8
  CHECK(v.estimate(vec(1024, 5)).cycles.count() == 40 + 6);  // 5120/128 exactly
  CHECK(v.estimate(vec(1025, 5)).cycles.count() == 41 + 6);  // one partial issue
  CHECK(v.estimate(vec(100, 2.5)).cycles.count() == 2 + 6);  // 250 lane-ops
  CHECK(v.estimate(vec(0, 3)).cycles.count() == 0);          // nothing issued
  TaskCost c = v.estimate(vec(1000, 1));
  CHECK(c.time == 7_ns);  // 14 cycles at 2 GHz
  CHECK(c.flops.count() == Approx(1000));
  CHECK(c.energy.pj() == Approx(1000));
  CHECK(v.peak_rate(TaskClass::kVector, DataType::kFp32).per_second() == Approx(256e9));
  CHECK(v.peak_rate(TaskClass::kVector, DataType::kInt8).per_second() == 0);
  CHECK_FALSE(v.supports(TaskClass::kMatrix, DataType::kBf16));
  CHECK_FALSE(v.supports(TaskClass::kVector, DataType::kFp8));
  CHECK_THROWS_AS(v.estimate(vec(10, 1, DataType::kFp8)), std::invalid_argument);

  Completion a = v.execute(vec(1000, 1), 0_ns);
  Completion b = v.execute(vec(1000, 1), 1_ns);
  CHECK(a.done == 7_ns);
  CHECK(b.start == 7_ns);
  CHECK(b.done == 14_ns);
}

TEST_CASE("compute/vector validates its dtype list", "[vector][config]") {
  const ModelInfo* info = Registry::instance().find("compute/vector");
  REQUIRE(info);
  auto bad = ConfigNode::load_string("{lanes: 64, clock: 1 GHz, dtypes: 'fp32, bf61'}", "v.yaml");
  Diagnostics diag;
  CHECK_FALSE(info->make({"vpu", "compute/vector", bad.mark()}, bad, diag));
  CHECK_THROWS_WITH(diag.throw_if_any(), Catch::Contains("'dtypes'") && Catch::Contains("bf61"));
  auto ok = ConfigNode::load_string("{lanes: 64, clock: 1 GHz, dtypes: int8}", "v.yaml");
  Diagnostics d2;
  auto c = info->make({"vpu", "compute/vector", ok.mark()}, ok, d2);
  REQUIRE(c);
  CHECK(dynamic_cast<ComputeModel&>(*c).supports(TaskClass::kVector, DataType::kInt8));
}
