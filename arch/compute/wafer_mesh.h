// SPDX-License-Identifier: MIT
// Wafer-scale core mesh (Cerebras WSE-class): a 2D mesh of small SIMD cores with local SRAM joined by
// nearest-neighbour fabric links. Each layer is placed on a rectangular region and pipelined through it.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/compute/spatial_lanes.h"
#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct WaferMeshParams {
  std::int64_t mesh_rows = 0, mesh_cols = 0;
  Frequency clock{0};
  std::int64_t simd_16bit = 0;  // BF16/FP16 MACs per core per cycle
  std::int64_t simd_8bit = 0;   // FP8/INT8 MACs per core per cycle (0 = unsupported)
  Bandwidth link_bandwidth{0};  // per link and direction
  std::int64_t hop_cycles = 0;  // router + wire latency of one hop
  EnergyPerByte hop_energy{0};  // one byte over one hop
  Energy mac_energy_16bit{0}, mac_energy_8bit{0};
  Energy vector_op_energy{0};
  Power leakage{0};
  bool pipeline_layers = false;  // layers keep regions of their own and run side by side

  static const Schema<WaferMeshParams>& schema();
};

/// Where a GEMM runs: a region of `rows` x `cols` cores (K over rows, N over columns), `regions` of
/// them side by side for independent instances, and the per-activation-vector cost inside it.
struct MeshPlacement {
  std::int64_t rows = 0, cols = 0, regions = 0;
  std::int64_t compute_cycles = 0;  // per streamed activation vector, per core
  std::int64_t link_cycles = 0;     // per vector: the busier of the row (activation) and column (sum) link
  std::int64_t fill_cycles = 0;     // wavefront across the region: (rows + cols) hops
  std::int64_t total_cycles = 0;
};

class WaferMesh final : public ComputeModel {
 public:
  WaferMesh(ComponentContext ctx, const WaferMeshParams& p);

  /// Closed form of a transfer of `bytes` over `hops` links (wormhole: the head pays every hop, the
  /// body streams at one link's bandwidth): hops x hop_cycles cycles + bytes / link_bandwidth.
  Time transfer_time(Bytes bytes, std::int64_t hops) const;
  /// bytes x hops x hop_energy.
  Energy transfer_energy(Bytes bytes, std::int64_t hops) const;
  /// The region (power-of-two or full-edge sides, within cores_for(task)) that finishes `task`
  /// soonest, fewest cores on ties.
  MeshPlacement place(const ComputeTask& task) const;

  /// kMatrix in 16-bit types, and in 8-bit types when simd_8bit > 0; kVector likewise.
  bool supports(TaskClass cls, DataType dtype) const override;
  /// Matrix: rounds x m x max(compute, link) + fill (see place()); energy = MACs + fabric bytes x hops.
  /// Vector: ceil(ops / (cores x simd)) + hop_cycles. Throws std::invalid_argument when unsupported.
  TaskCost estimate(const ComputeTask& task) const override;
  Completion execute(const ComputeTask& task, Time now) override;
  /// 2 x cores x simd x clock (matrix), cores x simd x clock (vector).
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  /// Not an array the mapper folds over (0 x 0): the mesh places each tile itself.
  MatrixGeometry geometry() const override { return {}; }
  /// cores when pipeline_layers is set: each layer computes on a region of task.parts cores.
  std::int64_t spatial_parts() const override { return p_.pipeline_layers ? cores() : 0; }
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

  std::int64_t cores() const { return p_.mesh_rows * p_.mesh_cols; }
  /// The cores `task` may use: its region's, or the whole mesh.
  std::int64_t cores_for(const ComputeTask& task) const { return task.parts > 0 ? std::min(task.parts, cores()) : cores(); }

 private:
  std::int64_t simd(DataType d) const;
  MeshPlacement cost(const ComputeTask& t, std::int64_t rows, std::int64_t cols, std::int64_t cores_available) const;

  WaferMeshParams p_;
  Clock clock_;
  SpatialLanes lanes_;
  std::int64_t tasks_ = 0, busy_cycles_ = 0;
  double macs_ = 0, fabric_byte_hops_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
