// SPDX-License-Identifier: MIT
// Tensor-contraction timing: folds of the two spatial axes over all slices, a stationary-tile reload per
// fold whose size depends on the loop order, and one reduction-tree drain per task.
#include "arch/compute/tensor_contraction.h"
#include "sim/int_math.h"

#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {
const Schema<TensorContractionParams>& TensorContractionParams::schema() {
  static const Schema<TensorContractionParams> s = [] {
    using P = TensorContractionParams;
    Schema<P> sc("tensor-contraction processor: slices of dot-product engines, loop order chosen per op shape");
    sc.add("units", &P::units, "processing elements").required().positive();
    sc.add("slices", &P::slices, "slices per processing element").required().positive();
    sc.add("reduce_width", &P::reduce_width, "16-bit products summed per cycle per output lane").required().positive();
    sc.add("out_lanes", &P::out_lanes, "outputs per slice in parallel").required().positive();
    sc.add("operand_port", &P::operand_port, "bytes per cycle into a slice's registers").required().positive();
    sc.add("clock", &P::clock, "engine clock").required().at_least(kMinClockHz, "1 MHz");
    sc.add("mac_energy_16bit", &P::mac_energy_16bit, "energy of one 16-bit MAC").at_least(0);
    sc.add("mac_energy_8bit", &P::mac_energy_8bit, "energy of one 8-bit MAC").at_least(0);
    sc.add("mac_energy_4bit", &P::mac_energy_4bit, "energy of one 4-bit MAC").at_least(0);
    sc.add("leakage", &P::leakage, "static power").at_least(0);
    return sc;
  }();
  return s;
}

TensorContraction::TensorContraction(ComponentContext ctx, const TensorContractionParams& p)
    : ComputeModel(std::move(ctx)), p_(p), clock_(p.clock) {}

std::int64_t TensorContraction::pack(DataType d) const {
  // The multipliers are 16 bits wide; an 8-bit (4-bit) operand packs two (four) products into one.
  if (d == DataType::kBf16 || d == DataType::kFp16) return 1;
  if (d == DataType::kFp8 || d == DataType::kInt8) return 2;
  if (d == DataType::kInt4 || d == DataType::kFp4) return 4;
  return 0;
}

bool TensorContraction::supports(TaskClass cls, DataType dtype) const {
  return cls == TaskClass::kMatrix && pack(dtype) > 0;
}

ContractionPlan TensorContraction::plan(const ComputeTask& t) const {
  if (t.m <= 0 || t.n <= 0 || t.k <= 0 || t.batch <= 0) {
    throw std::invalid_argument(name() + ": matrix task dims must be positive");
  }
  ContractionPlan c;
  c.lanes_k = p_.reduce_width * pack(t.dtype);
  const std::int64_t engines = p_.units * p_.slices;
  const std::int64_t tile_bytes = ceil_div(c.lanes_k * p_.out_lanes * bits(t.dtype), 8);
  std::int64_t spatial = 0;
  switch (t.dataflow) {
    case Dataflow::kWeightStationary:  // K x N weight tile held, M rows stream
      spatial = ceil_div(t.k, c.lanes_k) * ceil_div(t.n, p_.out_lanes);
      c.t = t.m;
      c.reload_cycles = ceil_div(tile_bytes, p_.operand_port.count());
      break;
    case Dataflow::kInputStationary:  // K x M activation tile held, N columns stream
      spatial = ceil_div(t.k, c.lanes_k) * ceil_div(t.m, p_.out_lanes);
      c.t = t.n;
      c.reload_cycles = ceil_div(tile_bytes, p_.operand_port.count());
      break;
    case Dataflow::kOutputStationary:  // accumulators held; K streams, out_lanes x out_lanes outputs
      spatial = ceil_div(t.m, p_.out_lanes) * ceil_div(t.n, p_.out_lanes);
      // Both operands are fetched every step: lanes_k values of A per row and of B per column.
      c.t = ceil_div(t.k, c.lanes_k) *
            std::max<std::int64_t>(p_.out_lanes, ceil_div(2 * tile_bytes, p_.operand_port.count()));
      c.reload_cycles = 0;
      break;
  }
  c.folds = spatial * t.batch;
  c.rounds = ceil_div(c.folds, engines);
  // Partial sums of K folds are combined by an adder tree; results leave through the operand port.
  c.drain_cycles = ceil_log2(c.lanes_k) + ceil_div(p_.out_lanes * 4, p_.operand_port.count());
  return c;
}

TaskCost TensorContraction::estimate(const ComputeTask& t) const {
  if (!supports(t.cls, t.dtype)) {
    throw std::invalid_argument(name() + ": cannot run a " + std::string(to_string(t.dtype)) + " task");
  }
  const ContractionPlan c = plan(t);
  TaskCost cost;
  cost.cycles = Cycles(c.rounds * (c.t + c.reload_cycles) + (t.fill_drain ? c.drain_cycles : 0));
  cost.time = clock_.to_time(cost.cycles);
  const double macs = static_cast<double>(t.batch) * static_cast<double>(t.m) * static_cast<double>(t.n) *
                      static_cast<double>(t.k);
  const Energy mac = pack(t.dtype) == 1 ? p_.mac_energy_16bit : pack(t.dtype) == 2 ? p_.mac_energy_8bit : p_.mac_energy_4bit;
  cost.energy = mac * macs * energy_scale();
  cost.flops = Flops(2.0 * macs);
  return cost;
}

Completion TensorContraction::execute(const ComputeTask& t, Time now) {
  const TaskCost c = estimate(t);
  const Time start = engine_.reserve(now, c.time);
  ++tasks_;
  busy_cycles_ += c.cycles.count();
  ++by_dataflow_[static_cast<int>(t.dataflow)];
  macs_ += c.flops.count() / 2.0;
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate TensorContraction::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  return FlopRate(2.0 * static_cast<double>(p_.units * p_.slices * p_.reduce_width * p_.out_lanes * pack(dtype)) *
                  p_.clock.hz());
}

MatrixGeometry TensorContraction::geometry() const {
  return MatrixGeometry{p_.reduce_width, p_.out_lanes, p_.units * p_.slices,
                        {Dataflow::kWeightStationary, Dataflow::kInputStationary, Dataflow::kOutputStationary}};
}

std::vector<Stat> TensorContraction::stats() const {
  return {
      {"tasks", static_cast<double>(tasks_), "count", "tasks executed"},
      {"busy_cycles", static_cast<double>(busy_cycles_), "cycles", "cycles the engines were occupied"},
      {"tasks_os", static_cast<double>(by_dataflow_[0]), "count", "tasks run output-stationary"},
      {"tasks_ws", static_cast<double>(by_dataflow_[1]), "count", "tasks run weight-stationary"},
      {"tasks_is", static_cast<double>(by_dataflow_[2]), "count", "tasks run input-stationary"},
      {"macs", macs_, "MAC", "useful multiply-accumulates"},
      {"dynamic_energy", energy_.joules(), "J", "MAC energy"},
  };
}

void TensorContraction::reset() {
  engine_.reset();
  tasks_ = busy_cycles_ = 0;
  by_dataflow_[0] = by_dataflow_[1] = by_dataflow_[2] = 0;
  macs_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/tensor_contraction", TensorContraction, TensorContractionParams);

}  // namespace xpusim::arch
