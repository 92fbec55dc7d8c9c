// SPDX-License-Identifier: MIT
// Wafer mesh timing: a layer's weights are spread over a region (K over rows, N over columns);
// activation vectors stream east along rows, partial sums south down columns, one vector per step.
#include "arch/compute/wafer_mesh.h"
#include "sim/int_math.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {
namespace {
constexpr std::int64_t kPartialSumBytes = 4;  // FP32 accumulation of 16- and 8-bit products

std::vector<std::int64_t> sides(std::int64_t limit) {
  std::vector<std::int64_t> s;
  for (std::int64_t v = 1; v < limit; v *= 2) s.push_back(v);
  s.push_back(limit);
  return s;
}
}  // namespace

const Schema<WaferMeshParams>& WaferMeshParams::schema() {
  static const Schema<WaferMeshParams> s = [] {
    using P = WaferMeshParams;
    Schema<P> sc("wafer-scale 2D mesh of SIMD cores with nearest-neighbour fabric links; layers on regions");
    sc.add("mesh_rows", &P::mesh_rows, "cores per mesh column").required().positive();
    sc.add("mesh_cols", &P::mesh_cols, "cores per mesh row").required().positive();
    sc.add("clock", &P::clock, "core and fabric clock").required().at_least(kMinClockHz, "1 MHz");
    sc.add("simd_16bit", &P::simd_16bit, "BF16/FP16 MACs per core per cycle").required().positive();
    sc.add("simd_8bit", &P::simd_8bit, "FP8/INT8 MACs per core per cycle (0 = unsupported)").at_least(0);
    sc.add("link_bandwidth", &P::link_bandwidth, "bandwidth of one fabric link in one direction").required().positive();
    sc.add("hop_cycles", &P::hop_cycles, "cycles per fabric hop (router + wire)").required().at_least(0);
    sc.add("hop_energy", &P::hop_energy, "energy per byte per hop").required().at_least(0);
    sc.add("mac_energy_16bit", &P::mac_energy_16bit, "energy of one 16-bit MAC").at_least(0);
    sc.add("mac_energy_8bit", &P::mac_energy_8bit, "energy of one 8-bit MAC").at_least(0);
    sc.add("vector_op_energy", &P::vector_op_energy, "energy of one element operation").at_least(0);
    sc.add("leakage", &P::leakage, "static power of the cores and fabric").at_least(0);
    sc.add("pipeline_layers", &P::pipeline_layers,
           "layers hold regions of their own (weights resident) and run side by side, pipelined over micro-batches");
    return sc;
  }();
  return s;
}

WaferMesh::WaferMesh(ComponentContext ctx, const WaferMeshParams& p)
    : ComputeModel(std::move(ctx)), p_(p), clock_(p.clock) {}

std::int64_t WaferMesh::simd(DataType d) const {
  if (d == DataType::kBf16 || d == DataType::kFp16) return p_.simd_16bit;
  if (d == DataType::kFp8 || d == DataType::kInt8) return p_.simd_8bit;
  return 0;
}

bool WaferMesh::supports(TaskClass, DataType dtype) const { return simd(dtype) > 0; }

Time WaferMesh::transfer_time(Bytes bytes, std::int64_t hops) const {
  return clock_.to_time(Cycles(hops * p_.hop_cycles)) + bytes / p_.link_bandwidth;
}

Energy WaferMesh::transfer_energy(Bytes bytes, std::int64_t hops) const {
  return Energy(p_.hop_energy.joules_per_byte() * static_cast<double>(bytes.count()) * static_cast<double>(hops));
}

MeshPlacement WaferMesh::cost(const ComputeTask& t, std::int64_t rows, std::int64_t cols, std::int64_t cores_available) const {
  MeshPlacement pl;
  pl.rows = rows;
  pl.cols = cols;
  pl.regions = std::max<std::int64_t>(1, std::min((p_.mesh_rows / rows) * (p_.mesh_cols / cols), cores_available / (rows * cols)));
  const std::int64_t k_core = ceil_div(t.k, rows), n_core = ceil_div(t.n, cols);
  pl.compute_cycles = ceil_div(k_core * n_core, simd(t.dtype));
  // Each core receives its K-slice of every activation vector from its west neighbour and passes
  // N-slice partial sums south; a link moves link_bandwidth / clock bytes per cycle.
  const std::int64_t act = ceil_div(k_core * bits(t.dtype), 8);
  const std::int64_t sums = n_core * kPartialSumBytes;
  const double per_cycle = p_.link_bandwidth.bytes_per_second() / p_.clock.hz();
  pl.link_cycles = static_cast<std::int64_t>(std::ceil(static_cast<double>(std::max(act, sums)) / per_cycle - 1e-9));
  pl.fill_cycles = (rows + cols) * p_.hop_cycles;
  const std::int64_t rounds = ceil_div(t.batch, pl.regions);
  pl.total_cycles = rounds * t.m * std::max(pl.compute_cycles, pl.link_cycles) + (t.fill_drain ? pl.fill_cycles : 0);
  return pl;
}

MeshPlacement WaferMesh::place(const ComputeTask& t) const {
  if (t.m <= 0 || t.n <= 0 || t.k <= 0 || t.batch <= 0) {
    throw std::invalid_argument(name() + ": matrix task dims must be positive");
  }
  MeshPlacement best;
  const std::int64_t available = cores_for(t);
  for (std::int64_t r : sides(std::min(t.k, p_.mesh_rows))) {
    for (std::int64_t c : sides(std::min(t.n, p_.mesh_cols))) {
      if (r * c > available && !(r == 1 && c == 1)) continue;
      MeshPlacement pl = cost(t, r, c, available);
      if (best.rows == 0 || pl.total_cycles < best.total_cycles ||
          (pl.total_cycles == best.total_cycles && r * c < best.rows * best.cols)) {
        best = pl;
      }
    }
  }
  return best;
}

TaskCost WaferMesh::estimate(const ComputeTask& t) const {
  if (!supports(t.cls, t.dtype)) {
    throw std::invalid_argument(name() + ": cannot run " + std::string(to_string(t.dtype)));
  }
  TaskCost c;
  if (t.cls == TaskClass::kVector) {
    const double ops = static_cast<double>(t.elements) * t.ops_per_element;
    const auto issue = static_cast<std::int64_t>(std::ceil(ops / static_cast<double>(cores_for(t) * simd(t.dtype))));
    c.cycles = Cycles(issue > 0 ? issue + (t.fill_drain ? p_.hop_cycles : 0) : 0);
    c.energy = p_.vector_op_energy * ops * energy_scale();
    c.flops = Flops(ops);
  } else {
    const MeshPlacement pl = place(t);
    c.cycles = Cycles(pl.total_cycles);
    const double macs = static_cast<double>(t.batch) * static_cast<double>(t.m) * static_cast<double>(t.n) *
                        static_cast<double>(t.k);
    // Every activation crosses the region's columns once; every partial sum its rows once.
    const double byte_hops = static_cast<double>(t.batch * t.m) *
                             (static_cast<double>(t.k * bits(t.dtype) / 8) * static_cast<double>(pl.cols - 1) +
                              static_cast<double>(t.n * kPartialSumBytes) * static_cast<double>(pl.rows - 1));
    const Energy mac = bits(t.dtype) == 16 ? p_.mac_energy_16bit : p_.mac_energy_8bit;
    c.energy = (mac * macs + Energy(p_.hop_energy.joules_per_byte() * byte_hops)) * energy_scale();
    c.flops = Flops(2.0 * macs);
  }
  c.time = clock_.to_time(c.cycles);
  return c;
}

Completion WaferMesh::execute(const ComputeTask& t, Time now) {
  const TaskCost c = estimate(t);
  const Time start = lanes_.reserve(t, now, c.time);
  ++tasks_;
  busy_cycles_ += c.cycles.count();
  if (t.cls == TaskClass::kMatrix) {
    macs_ += c.flops.count() / 2.0;
    const MeshPlacement pl = place(t);
    fabric_byte_hops_ += static_cast<double>(t.batch * t.m) *
                         (static_cast<double>(t.k * bits(t.dtype) / 8) * static_cast<double>(pl.cols - 1) +
                          static_cast<double>(t.n * kPartialSumBytes) * static_cast<double>(pl.rows - 1));
  }
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate WaferMesh::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  const double lanes = static_cast<double>(cores() * simd(dtype));
  return FlopRate((cls == TaskClass::kMatrix ? 2.0 : 1.0) * lanes * p_.clock.hz());
}

std::vector<Stat> WaferMesh::stats() const {
  return {
      {"tasks", static_cast<double>(tasks_), "count", "tasks executed"},
      {"busy_cycles", static_cast<double>(busy_cycles_), "cycles", "cycles the mesh was occupied"},
      {"macs", macs_, "MAC", "useful multiply-accumulates"},
      {"fabric_byte_hops", fabric_byte_hops_, "B*hop", "activation and partial-sum bytes times hops"},
      {"dynamic_energy", energy_.joules(), "J", "MAC, element-operation and fabric energy"},
  };
}

void WaferMesh::reset() {
  lanes_.reset();
  tasks_ = busy_cycles_ = 0;
  macs_ = fabric_byte_hops_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/wafer_mesh", WaferMesh, WaferMeshParams);

}  // namespace xpusim::arch
