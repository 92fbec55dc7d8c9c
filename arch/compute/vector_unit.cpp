// SPDX-License-Identifier: MIT
// Vector unit timing: lane-parallel throughput plus one pipeline latency per task.
#include "arch/compute/vector_unit.h"

#include <cmath>
#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {

const Schema<VectorUnitParams>& VectorUnitParams::schema() {
  static const Schema<VectorUnitParams> s = [] {
    using P = VectorUnitParams;
    Schema<P> sc("SIMD vector unit: lanes element ops per cycle after a fixed pipeline latency");
    sc.add("lanes", &P::lanes, "element operations issued per cycle").required().positive();
    sc.add("clock", &P::clock, "unit clock").required().at_least(kMinClockHz, "1 MHz");
    sc.add("dtypes", &P::dtypes, "comma-separated dtypes the lanes support, all at one op per lane per cycle");
    sc.add("lane_op_energy", &P::lane_op_energy, "dynamic energy of one lane operation (0 = not modelled)").at_least(0);
    sc.add("leakage", &P::leakage, "static power of the unit").at_least(0);
    sc.add("latency", &P::latency, "pipeline latency in cycles, paid once per task").at_least(0);
    return sc;
  }();
  return s;
}

void VectorUnitParams::check(const std::string& context, const SourceMark& where, Diagnostics& diag) const {
  try {
    if (parse_dtype_list(dtypes).empty()) throw UnitError("expects at least one of " + std::string(dtype_names()));
  } catch (const UnitError& e) {
    diag.error(where, context + ": 'dtypes' " + e.what());
  }
}

VectorUnit::VectorUnit(ComponentContext ctx, const VectorUnitParams& p)
    : ComputeModel(std::move(ctx)), p_(p), clock_(p.clock), dtypes_(parse_dtype_list(p.dtypes)) {}

bool VectorUnit::supports(TaskClass cls, DataType dtype) const {
  if (cls != TaskClass::kVector) return false;
  for (DataType d : dtypes_) {
    if (d == dtype) return true;
  }
  return false;
}

TaskCost VectorUnit::estimate(const ComputeTask& task) const {
  if (!supports(task.cls, task.dtype)) {
    throw std::invalid_argument(name() + ": cannot run a " +
                                std::string(task.cls == TaskClass::kVector ? "vector" : "matrix") + " task in " +
                                std::string(to_string(task.dtype)));
  }
  if (task.elements < 0 || !(task.ops_per_element >= 0)) {
    throw std::invalid_argument(name() + ": elements and ops_per_element must not be negative");
  }
  const double ops = static_cast<double>(task.elements) * task.ops_per_element;
  TaskCost c;
  // An empty task issues nothing, so it does not pay the pipeline latency either.
  std::int64_t issue = static_cast<std::int64_t>(std::ceil(ops / static_cast<double>(p_.lanes)));
  c.cycles = Cycles(issue > 0 ? issue + (task.fill_drain ? p_.latency : 0) : 0);
  c.time = clock_.to_time(c.cycles);
  c.energy = p_.lane_op_energy * ops * energy_scale();  // useful lane-ops only; idle lanes of the last issue are free
  c.flops = Flops(ops);
  return c;
}

Completion VectorUnit::execute(const ComputeTask& task, Time now) {
  TaskCost c = estimate(task);
  Time start = unit_.reserve(now, c.time);
  ++tasks_;
  busy_cycles_ += c.cycles.count();
  lane_ops_ += c.flops.count();
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate VectorUnit::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  return FlopRate(static_cast<double>(p_.lanes) * p_.clock.hz());
}

std::vector<Stat> VectorUnit::stats() const {
  const double busy = static_cast<double>(busy_cycles_);
  return {
      {"tasks", static_cast<double>(tasks_), "count", "vector tasks executed"},
      {"busy_cycles", busy, "cycles", "cycles the unit was occupied, pipeline latency included"},
      {"lane_ops", lane_ops_, "op", "useful lane operations (elements * ops_per_element)"},
      {"lanes", static_cast<double>(p_.lanes), "lane", "lane operations per cycle at peak"},
      {"busy_utilization", busy > 0 ? lane_ops_ / (busy * static_cast<double>(p_.lanes)) : 0.0, "ratio",
       "lane_ops / (busy_cycles * lanes)"},
      {"dynamic_energy", energy_.joules(), "J", "lane_ops * lane_op_energy"},
  };
}

void VectorUnit::reset() {
  unit_.reset();
  tasks_ = 0;
  busy_cycles_ = 0;
  lane_ops_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/vector", VectorUnit, VectorUnitParams);

}  // namespace xpusim::arch
