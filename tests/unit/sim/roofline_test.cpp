// SPDX-License-Identifier: MIT
// The roofline's ceilings: one per unit, dtype and kind of work, each the unit's own peak.
#include <catch2/catch.hpp>

#include <string>

#include "arch/chip.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

TEST_CASE("roofline ceilings: a GPU's tensor-core peak is not taken from its first (vector) op", "[roofline]") {
  // A Llama decode step starts with the embedding lookup, a vector op on the SMs' CUDA cores; the
  // tensor-core ceiling must still be H100's 989 TFLOPS dense BF16, with the CUDA cores' 30.9 apart.
  const std::string src = XPUSIM_SOURCE_DIR;
  auto chip = arch::Chip::load(src + "/configs/chips/h100-sxm.yaml");
  const Result r = simulate(*chip, wl::load_workload(src + "/configs/workloads/llama-2-7b-decode.yaml"));
  double tensor = 0, vector = 0;
  for (const auto& [name, peak] : r.peak_flops_per_s) {
    if (name == "sm bf16") tensor = peak;
    if (name == "sm bf16 vector") vector = peak;
  }
  CHECK(tensor == Approx(132.0 * 2048 * 2 * 1.83e9));
  CHECK(vector == Approx(132.0 * 128 * 1.83e9));
  REQUIRE(r.ops.front().kind != "gemm");  // the vector op comes first, as in the bug this guards
  for (const auto& op : r.ops) {
    if (op.kind == "gemm") CHECK(op.flops / (op.end_s - op.start_s) <= tensor * (1 + 1e-9));
  }
}
