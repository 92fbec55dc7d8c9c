// SPDX-License-Identifier: MIT
// compute/wafer_mesh: closed-form fabric transfers and region placement by hand; on WSE-3, a model
// too big for the wafer streams its weights and is bounded by the streaming bandwidth.
#include "arch/compute/wafer_mesh.h"

#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "arch/memory/tiered_memory.h"
#include "arch/registry.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

WaferMeshParams params() {
  WaferMeshParams p;
  p.mesh_rows = 4;
  p.mesh_cols = 4;
  p.clock = Frequency(1e9);
  p.simd_16bit = 4;
  p.link_bandwidth = Bandwidth(8e9);  // 8 B per cycle
  p.hop_cycles = 2;
  p.hop_energy = EnergyPerByte(0.5e-12);
  p.mac_energy_16bit = Energy(1e-12);
  return p;
}

ComputeTask gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  ComputeTask t;
  t.dtype = DataType::kBf16;
  t.m = m, t.n = n, t.k = k;
  return t;
}

}  // namespace

TEST_CASE("a mesh transfer of N bytes over h hops takes h x hop + N / link bandwidth", "[wafer_mesh]") {
  WaferMesh mesh(ComponentContext{"mesh", "compute/wafer_mesh", {}}, params());
  // 800 B over 5 hops: 5 x 2 cycles = 10 ns head latency + 800 B / 8 GB/s = 100 ns.
  CHECK(mesh.transfer_time(Bytes(800), 5) == Time(110000));
  CHECK(mesh.transfer_time(Bytes(800), 0) == Time(100000));
  CHECK(mesh.transfer_energy(Bytes(800), 5).pj() == Approx(800 * 5 * 0.5));
}

TEST_CASE("a layer is placed on the region that finishes it soonest", "[wafer_mesh]") {
  WaferMesh mesh(ComponentContext{"mesh", "compute/wafer_mesh", {}}, params());
  // K=16, N=16 on the full 4 x 4 mesh: each core 4 x 4 = 16 MACs = 4 cycles per vector; its link
  // carries 4 bf16 = 8 B of activations (1 cycle) and 4 x 4 B of partial sums (2 cycles).
  const MeshPlacement pl = mesh.place(gemm(100, 16, 16));
  CHECK(pl.rows == 4);
  CHECK(pl.cols == 4);
  CHECK(pl.compute_cycles == 4);
  CHECK(pl.link_cycles == 2);
  CHECK(pl.fill_cycles == (4 + 4) * 2);
  CHECK(pl.total_cycles == 100 * 4 + 16);
  CHECK(mesh.estimate(gemm(100, 16, 16)).cycles == Cycles(416));
  // A 1 x 1 layer gains nothing from more cores: it takes one core, and four independent instances
  // (a batched task) run on four regions side by side.
  ComputeTask tiny = gemm(10, 1, 1);
  tiny.batch = 16;
  const MeshPlacement one = mesh.place(tiny);
  CHECK(one.rows * one.cols == 1);
  CHECK(one.regions == 16);
  CHECK(one.total_cycles == 10 * 1 + 2 * 2);
  // Roofline: never faster than all cores at full SIMD.
  const TaskCost c = mesh.estimate(gemm(1000, 64, 64));
  CHECK(c.time.seconds() >= c.flops.count() / mesh.peak_rate(TaskClass::kMatrix, DataType::kBf16).per_second());
}

TEST_CASE("zero cores or links are clear config errors", "[wafer_mesh]") {
  const ModelInfo* info = Registry::instance().find("compute/wafer_mesh");
  REQUIRE(info);
  Diagnostics diag;
  auto c = info->make(ComponentContext{"mesh", "compute/wafer_mesh", {}},
                      ConfigNode::load_string("mesh_rows: 0\nmesh_cols: 10\nclock: 1 GHz\nsimd_16bit: 8\n"
                                              "link_bandwidth: 0 GB/s\nhop_cycles: 1\nhop_energy: 0.1 pJ/B\n",
                                              "m.yaml"),
                      diag);
  CHECK_FALSE(c);
  REQUIRE_THROWS_WITH(diag.throw_if_any(), Catch::Contains("'mesh_rows' must be greater than 0") &&
                                               Catch::Contains("'link_bandwidth' must be greater than 0"));
}

TEST_CASE("WSE-3: a model too big for the wafer is bounded by the weight-streaming bandwidth", "[wafer_mesh][wse3]") {
  // Llama-2-70B decode: ~69 GB of FP8 weights against 44 GB of wafer SRAM.
  // Weight-streaming execution: each layer in turn on the whole wafer, not layers side by side.
  auto chip = Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/wse3.yaml", {"mesh.pipeline_layers=false"});
  const auto graph = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-70b-decode.yaml");
  const Result r = simulate(*chip, graph);
  const auto& sram = dynamic_cast<const TieredMemory&>(chip->main_memory());
  const double streamed = static_cast<double>(sram.spilled_bytes().count());
  CHECK(streamed > 20e9);
  const double stream_bw = dynamic_cast<MemoryModel&>(*chip->find("memoryx")).peak_bandwidth().bytes_per_second();
  CHECK(r.latency_s >= streamed / stream_bw);
  CHECK(r.latency_s <= 1.05 * streamed / stream_bw);
  // The same model's first layers, on the wafer, run at SRAM speed: the 7B model fits and is
  // three orders of magnitude faster per token.
  const auto small = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-7b-decode.yaml");
  const Result rs = simulate(*chip, small);
  CHECK(sram.spilled_bytes() == Bytes(0));
  CHECK(rs.latency_s * 100 < r.latency_s);
}
