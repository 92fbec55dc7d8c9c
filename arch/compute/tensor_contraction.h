// SPDX-License-Identifier: MIT
// Tensor-contraction processor (FuriosaAI RNGD-class): slices of dot-product engines that contract a
// reduction axis per cycle; per op shape, the operand held in the slices' registers (the loop order) is chosen.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct TensorContractionParams {
  std::int64_t units = 0;         // processing elements (RNGD: 8)
  std::int64_t slices = 0;        // slices per unit, each with one dot-product engine
  std::int64_t reduce_width = 0;  // 16-bit products summed per cycle per output lane (the K axis)
  std::int64_t out_lanes = 0;     // outputs produced in parallel per slice
  Bytes operand_port{0};          // bytes per cycle a slice's register file can be refilled from SRAM
  Frequency clock{0};
  Energy mac_energy_16bit{0}, mac_energy_8bit{0}, mac_energy_4bit{0};
  Power leakage{0};

  static const Schema<TensorContractionParams>& schema();
};

/// One dataflow's cost: the stationary operand tile (reduce_width' x out_lanes) is loaded into every
/// slice once per fold through operand_port; the other operand streams for `t` steps.
struct ContractionPlan {
  std::int64_t lanes_k = 0;  // K per cycle: reduce_width x (16 / bits), narrower types pack more
  std::int64_t folds = 0, rounds = 0, t = 0;
  std::int64_t reload_cycles = 0;  // per fold: stationary tile / operand_port (0 for os)
  std::int64_t drain_cycles = 0;   // reduction tree + output write, once per task
};

class TensorContraction final : public ComputeModel {
 public:
  TensorContraction(ComponentContext ctx, const TensorContractionParams& p);

  /// The loop order of `task` under its dataflow: ws holds a K x N weight tile and streams M rows;
  /// is holds a K x M activation tile and streams N columns; os keeps M x N accumulators and streams
  /// K in steps of lanes_k, both operands refetched each step.
  ContractionPlan plan(const ComputeTask& task) const;

  /// kMatrix in 16-, 8- and 4-bit types (not FP32).
  bool supports(TaskClass cls, DataType dtype) const override;
  /// cycles = rounds x (t + reload) + drain; energy = MACs x mac energy of the width.
  TaskCost estimate(const ComputeTask& task) const override;
  Completion execute(const ComputeTask& task, Time now) override;
  /// 2 x units x slices x reduce_width x out_lanes x (16 / bits) x clock.
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  /// rows = reduce_width, cols = out_lanes, arrays = units x slices, dataflows ws, is, os.
  MatrixGeometry geometry() const override;
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

 private:
  std::int64_t pack(DataType d) const;

  TensorContractionParams p_;
  Clock clock_;
  Reservation engine_;
  std::int64_t tasks_ = 0, busy_cycles_ = 0;
  std::int64_t by_dataflow_[3] = {0, 0, 0};
  double macs_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
