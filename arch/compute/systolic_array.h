// SPDX-License-Identifier: MIT
// A 2D systolic array of MAC units (TPU MXU, SCALE-Sim) with output-, weight- or input-stationary
// dataflow. Timing is SCALE-Sim v2's stall-free fold arithmetic (shared/reference/scalesim-model.md §4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

/// How one GEMM lands on an R x C array in one dataflow: Sr is spread over the rows, Sc over the
/// columns, T is streamed through; each of the `folds` tiles costs T + `overhead` cycles.
struct SystolicMapping {
  std::int64_t sr = 0, sc = 0, t = 0;
  std::int64_t row_folds = 0, col_folds = 0;
  std::int64_t folds = 0;     // row_folds * col_folds; a partial edge fold costs a full one
  std::int64_t overhead = 0;  // fill + drain per fold: R+C-2 (os), 2R+C-2 (ws, is: weight load too)
};

/// SCALE-Sim's (Sr, Sc, T) for C[m x n] = A[m x k] * B[k x n]: os (M, N, K), ws (K, N, M), is (K, M, N).
SystolicMapping systolic_mapping(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                 std::int64_t cols);

/// Cycles SCALE-Sim v2 reports for a stall-free layer: folds * (T + overhead) - 1, i.e. the 0-based
/// index of the cycle that serves the last demand row.
std::int64_t scalesim_layer_cycles(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                   std::int64_t cols);

/// SCALE-Sim's mapping efficiency in [0, 1]: the mean over folds of used PEs / (R*C), which equals
/// (Sr / (row_folds*R)) * (Sc / (col_folds*C)).
double scalesim_mapping_efficiency(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                   std::int64_t cols);

struct SystolicArrayParams {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t arrays = 1;  // identical arrays fed from the same buffers (a TPU core's MXUs)
  Frequency clock{0};
  DataType dtype = DataType::kBf16;
  std::string dataflow = "auto";
  /// Rows of the stationary tile written per cycle in ws/is (SCALE-Sim: 1, so a tile loads in R cycles).
  std::int64_t load_rows = 1;
  /// The PEs hold a second stationary tile: the next fold's tile loads while this fold streams and the
  /// folds (and tiles) of an op follow each other without draining the array (SCALE-Sim: every fold serialised).
  bool pipelined_folds = false;
  Energy mac_energy{0};
  Power leakage{0};
  std::string native_weight_dtypes;  // weight formats the PEs take without a dequantization pass
  bool unstructured_sparsity = false;  // PEs skip zero weights of unstructured-pruned tiles
  /// Cycles per activation row per surviving weight (a dense systolic step is 1). ASSUMPTION: 2 --
  /// skipping zeros breaks the systolic flow, so each PE decodes its survivor's index and gathers the
  /// matching activation (as EIE and SCNN do) at half the dense rate; no public figure for an array.
  double survivor_cycles = 2.0;

  static const Schema<SystolicArrayParams>& schema();
  /// native_weight_dtypes parses.
  void check(const std::string& context, const SourceMark& where, Diagnostics& diag) const;
};

/// Cycles of a matrix task whose weights keep `density` of their values, unstructured, on a
/// zero-skipping array of `pes` PEs (rows x cols x arrays). The task's k x n weights are split into
/// one block per PE (EIE's interleaved partition); each PE steps through the survivors of its block,
/// holding one at a time while the m activation rows stream past, and gathers the activation each
/// survivor's index selects: `survivor_cycles` per row instead of the dense 1. The PEs move in
/// lockstep, so the tile takes max-block-survivors steps (max_block_survivors, seeded per weight
/// block). Each step also pays the weight-stationary fill/drain `overhead` when `fill_drain`. Dense
/// weight-stationary work is ~ceil(k n / pes) such steps at 1 cycle per row: with few weights per PE
/// (a wide array), the slowest of many blocks holds nearly all of its block, and sparse loses.
std::int64_t sparse_array_cycles(const ComputeTask& task, std::int64_t pes, double survivor_cycles,
                                 std::int64_t overhead);

class SystolicArray final : public ComputeModel {
 public:
  SystolicArray(ComponentContext ctx, const SystolicArrayParams& p);

  /// kMatrix in any dtype no wider than the native one, at the native MAC rate (a narrower operand
  /// runs on the same multipliers; packing two per PE is not modelled). No kVector.
  bool supports(TaskClass cls, DataType dtype) const override;
  /// Weights in native_weight_dtypes feed the PEs without a dequantization pass.
  bool native_weight(DataType weight, DataType compute) const override;
  /// kUnstructured when unstructured_sparsity is set.
  bool skips_zeros(Sparsity s) const override;
  /// Cycles per SCALE-Sim fold arithmetic (see systolic_mapping): per array, folds x (T + load + skew),
  /// where load = ceil(R / load_rows) for ws/is (0 for os) and skew = R + C - 2, fill_drain = false
  /// dropping the load + skew terms; with pipelined_folds, folds x max(T, load), plus load + skew on the
  /// op's first task only (starts_op: the tiles of an op follow each other without draining). An
  /// unstructured-sparse task on a zero-skipping array takes sparse_array_cycles instead. Energy = MACs
  /// done x mac_energy. Throws std::invalid_argument for unsupported tasks, non-positive dims or a
  /// disallowed dataflow.
  TaskCost estimate(const ComputeTask& task) const override;
  /// Occupies the array for estimate(task).time after any accepted task; updates the stats.
  Completion execute(const ComputeTask& task, Time now) override;
  /// 2 * rows * cols * clock for supported kMatrix dtypes, else zero.
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  /// rows, cols and the dataflows allowed by the `dataflow` parameter (all three for auto).
  MatrixGeometry geometry() const override;
  /// SCALE-Sim reports `busy - 1`: its total is the 0-based cycle index at which the last demand row
  /// of the layer is served (double_buffered_scratchpad_mem.py l.209), not a count of cycles.
  std::int64_t reported_cycles(Cycles busy) const override { return busy.count() - 1; }
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

  const SystolicArrayParams& params() const { return p_; }

 private:
  SystolicArrayParams p_;
  Clock clock_;
  MatrixGeometry geometry_;
  std::vector<DataType> native_weights_;
  Reservation array_;
  std::int64_t tasks_ = 0;
  std::int64_t busy_cycles_ = 0;
  std::int64_t macs_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
