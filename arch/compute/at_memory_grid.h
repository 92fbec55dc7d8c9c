// SPDX-License-Identifier: MIT
// At-memory compute grid (Untether speedAI-class): SRAM banks, each with rows of small processing
// elements beside it. Weights stay in the bank that computes with them, so a fold never reloads them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "arch/compute/spatial_lanes.h"
#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct AtMemoryGridParams {
  std::int64_t banks = 0;
  std::int64_t pe_rows = 0;  // PE rows per bank, each with its row controller
  std::int64_t pe_cols = 0;  // PEs per row
  Frequency clock{0};
  // MACs per PE per cycle by dtype; 0 = not supported. A narrower type packs more MACs per PE.
  std::int64_t macs_bf16 = 0, macs_fp8 = 0, macs_int8 = 0, macs_int4 = 0;
  Energy mac_energy_bf16{0}, mac_energy_fp8{0}, mac_energy_int8{0}, mac_energy_int4{0};
  Energy vector_op_energy{0};  // one element operation on one PE
  Power leakage{0};
  bool pipeline_layers = false;  // layers keep banks of their own and run side by side

  static const Schema<AtMemoryGridParams>& schema();
  /// At least one dtype must have a non-zero MAC rate.
  void check(const std::string& context, const SourceMark& where, Diagnostics& diag) const;
};

/// How a GEMM tile lands on the grid: each fold is one bank's share of the resident weights,
/// (pe_rows x macs per PE) values of K by pe_cols values of N; M streams through the bank's PEs.
struct GridMapping {
  std::int64_t k_per_fold = 0, n_per_fold = 0;
  std::int64_t folds = 0;   // over all batch instances
  std::int64_t rounds = 0;  // folds per bank, the busiest bank's count
  std::int64_t overhead = 0;  // pipeline fill + reduce drain, once per task
};

class AtMemoryGrid final : public ComputeModel {
 public:
  AtMemoryGrid(ComponentContext ctx, const AtMemoryGridParams& p);

  /// kMatrix (weight-stationary) and kVector in every dtype with a non-zero MAC rate.
  bool supports(TaskClass cls, DataType dtype) const override;
  /// Matrix: cycles = rounds x m + (fill_drain ? pe_rows + ceil(log2 pe_cols) : 0), with no weight
  /// load per fold (the weights are in the bank). Vector: ceil(ops / PEs) + pe_rows. Energy = MACs x
  /// mac energy of the dtype, or ops x vector_op_energy. Throws std::invalid_argument when unsupported.
  TaskCost estimate(const ComputeTask& task) const override;
  Completion execute(const ComputeTask& task, Time now) override;
  /// 2 x banks x PEs x MACs per PE x clock (matrix); banks x PEs x clock (vector).
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  /// rows = pe_rows, cols = pe_cols, arrays = banks, weight-stationary only.
  MatrixGeometry geometry() const override;
  /// banks when pipeline_layers is set: each layer computes on its own banks (task.parts of them).
  std::int64_t spatial_parts() const override { return p_.pipeline_layers ? p_.banks : 0; }
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

  /// The fold arithmetic of a matrix task over the banks it may use (exposed for tests).
  GridMapping mapping(const ComputeTask& task) const;
  std::int64_t pes() const { return p_.banks * p_.pe_rows * p_.pe_cols; }
  /// The banks `task` computes on: its region's, or all of them.
  std::int64_t banks_for(const ComputeTask& task) const { return task.parts > 0 ? std::min(task.parts, p_.banks) : p_.banks; }

 private:
  std::int64_t macs_per_pe(DataType d) const;
  Energy mac_energy(DataType d) const;

  AtMemoryGridParams p_;
  Clock clock_;
  SpatialLanes lanes_;
  std::int64_t tasks_ = 0, busy_cycles_ = 0;
  double macs_ = 0, vector_ops_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
