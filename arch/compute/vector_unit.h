// SPDX-License-Identifier: MIT
// A SIMD vector unit: `lanes` element operations per cycle behind a fixed pipeline latency. Runs the
// element-wise work of softmax, norms, activations and pooling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct VectorUnitParams {
  std::int64_t lanes = 0;
  Frequency clock{0};
  std::string dtypes = "fp32,bf16,fp16";
  Energy lane_op_energy{0};
  Power leakage{0};
  std::int64_t latency = 0;

  static const Schema<VectorUnitParams>& schema();
  /// Checks that `dtypes` is a non-empty comma-separated list of known dtypes.
  void check(const std::string& context, const SourceMark& where, Diagnostics& diag) const;
};

class VectorUnit final : public ComputeModel {
 public:
  VectorUnit(ComponentContext ctx, const VectorUnitParams& p);

  /// kVector in the configured dtypes; every dtype runs one op per lane per cycle.
  bool supports(TaskClass cls, DataType dtype) const override;
  /// cycles = ceil(elements * ops_per_element / lanes) + latency (the latency only with fill_drain; 0
  /// for an empty task); energy = elements * ops_per_element * lane_op_energy. Throws
  /// std::invalid_argument for unsupported tasks.
  TaskCost estimate(const ComputeTask& task) const override;
  /// Occupies the unit for the whole task (latency included: one task at a time) after any accepted one.
  Completion execute(const ComputeTask& task, Time now) override;
  /// lanes * clock operations per second for supported kVector dtypes, else zero.
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

 private:
  VectorUnitParams p_;
  Clock clock_;
  std::vector<DataType> dtypes_;
  Reservation unit_;
  std::int64_t tasks_ = 0;
  std::int64_t busy_cycles_ = 0;
  double lane_ops_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
