// SPDX-License-Identifier: MIT
// At-memory grid timing: weight-stationary folds dealt over the banks, no per-fold weight load.
#include "arch/compute/at_memory_grid.h"
#include "sim/int_math.h"

#include <cmath>
#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {
const Schema<AtMemoryGridParams>& AtMemoryGridParams::schema() {
  static const Schema<AtMemoryGridParams> s = [] {
    using P = AtMemoryGridParams;
    Schema<P> sc("at-memory compute grid: SRAM banks with PE rows beside them; weights resident in the banks");
    sc.add("banks", &P::banks, "memory banks, each with its own PEs").required().positive();
    sc.add("pe_rows", &P::pe_rows, "PE rows per bank (K is spread over them)").required().positive();
    sc.add("pe_cols", &P::pe_cols, "PEs per row (N is spread over them)").required().positive();
    sc.add("clock", &P::clock, "PE clock").required().at_least(kMinClockHz, "1 MHz");
    sc.add("macs_bf16", &P::macs_bf16, "BF16 MACs per PE per cycle (0 = unsupported)").at_least(0);
    sc.add("macs_fp8", &P::macs_fp8, "FP8 MACs per PE per cycle").at_least(0);
    sc.add("macs_int8", &P::macs_int8, "INT8 MACs per PE per cycle").at_least(0);
    sc.add("macs_int4", &P::macs_int4, "INT4 MACs per PE per cycle").at_least(0);
    sc.add("mac_energy_bf16", &P::mac_energy_bf16, "energy of one BF16 MAC").at_least(0);
    sc.add("mac_energy_fp8", &P::mac_energy_fp8, "energy of one FP8 MAC").at_least(0);
    sc.add("mac_energy_int8", &P::mac_energy_int8, "energy of one INT8 MAC").at_least(0);
    sc.add("mac_energy_int4", &P::mac_energy_int4, "energy of one INT4 MAC").at_least(0);
    sc.add("vector_op_energy", &P::vector_op_energy, "energy of one element operation on a PE").at_least(0);
    sc.add("leakage", &P::leakage, "static power of the PEs").at_least(0);
    sc.add("pipeline_layers", &P::pipeline_layers,
           "layers hold banks of their own (weights resident) and run side by side, pipelined over micro-batches");
    return sc;
  }();
  return s;
}

void AtMemoryGridParams::check(const std::string& context, const SourceMark& where, Diagnostics& diag) const {
  if (macs_bf16 + macs_fp8 + macs_int8 + macs_int4 == 0) {
    diag.error(where, context + ": every MAC rate is 0; set at least one of macs_bf16, macs_fp8, macs_int8, macs_int4");
  }
}

AtMemoryGrid::AtMemoryGrid(ComponentContext ctx, const AtMemoryGridParams& p)
    : ComputeModel(std::move(ctx)), p_(p), clock_(p.clock) {}

std::int64_t AtMemoryGrid::macs_per_pe(DataType d) const {
  switch (d) {
    case DataType::kBf16: return p_.macs_bf16;
    case DataType::kFp8: return p_.macs_fp8;
    case DataType::kInt8: return p_.macs_int8;
    case DataType::kInt4: return p_.macs_int4;
    default: return 0;
  }
}

Energy AtMemoryGrid::mac_energy(DataType d) const {
  switch (d) {
    case DataType::kBf16: return p_.mac_energy_bf16;
    case DataType::kFp8: return p_.mac_energy_fp8;
    case DataType::kInt8: return p_.mac_energy_int8;
    case DataType::kInt4: return p_.mac_energy_int4;
    default: return Energy(0);
  }
}

bool AtMemoryGrid::supports(TaskClass, DataType dtype) const { return macs_per_pe(dtype) > 0; }

GridMapping AtMemoryGrid::mapping(const ComputeTask& t) const {
  if (t.m <= 0 || t.n <= 0 || t.k <= 0 || t.batch <= 0) {
    throw std::invalid_argument(name() + ": matrix task dims must be positive");
  }
  GridMapping g;
  g.k_per_fold = p_.pe_rows * macs_per_pe(t.dtype);
  g.n_per_fold = p_.pe_cols;
  g.folds = ceil_div(t.k, g.k_per_fold) * ceil_div(t.n, g.n_per_fold) * t.batch;
  g.rounds = ceil_div(g.folds, banks_for(t));
  // Fill: the activation vector enters the PE rows one row per cycle; drain: the row controllers'
  // hardwired reduce tree adds the row's partial sums. Paid once per task: a bank's next fold uses
  // weights already in its SRAM, so folds follow each other without a weight-load bubble.
  g.overhead = p_.pe_rows + ceil_log2(p_.pe_cols);
  return g;
}

TaskCost AtMemoryGrid::estimate(const ComputeTask& t) const {
  if (!supports(t.cls, t.dtype)) {
    throw std::invalid_argument(name() + ": cannot run " + std::string(to_string(t.dtype)));
  }
  TaskCost c;
  if (t.cls == TaskClass::kVector) {
    const double ops = static_cast<double>(t.elements) * t.ops_per_element;
    const std::int64_t pes_used = banks_for(t) * p_.pe_rows * p_.pe_cols;
    const auto issue = static_cast<std::int64_t>(std::ceil(ops / static_cast<double>(pes_used)));
    c.cycles = Cycles(issue > 0 ? issue + (t.fill_drain ? p_.pe_rows : 0) : 0);
    c.energy = p_.vector_op_energy * ops * energy_scale();
    c.flops = Flops(ops);
  } else {
    if (t.dataflow != Dataflow::kWeightStationary) {
      throw std::invalid_argument(name() + ": weights are resident in the banks; only ws is supported");
    }
    const GridMapping g = mapping(t);
    c.cycles = Cycles(g.rounds * t.m + (t.fill_drain ? g.overhead : 0));
    const double macs = static_cast<double>(t.batch) * static_cast<double>(t.m) * static_cast<double>(t.n) *
                        static_cast<double>(t.k);
    c.energy = mac_energy(t.dtype) * macs * energy_scale();
    c.flops = Flops(2.0 * macs);
  }
  c.time = clock_.to_time(c.cycles);
  return c;
}

Completion AtMemoryGrid::execute(const ComputeTask& t, Time now) {
  const TaskCost c = estimate(t);
  const Time start = lanes_.reserve(t, now, c.time);
  ++tasks_;
  busy_cycles_ += c.cycles.count();
  if (t.cls == TaskClass::kMatrix) {
    macs_ += c.flops.count() / 2.0;
  } else {
    vector_ops_ += c.flops.count();
  }
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate AtMemoryGrid::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  const double per_cycle = cls == TaskClass::kMatrix ? 2.0 * static_cast<double>(pes() * macs_per_pe(dtype))
                                                     : static_cast<double>(pes());
  return FlopRate(per_cycle * p_.clock.hz());
}

MatrixGeometry AtMemoryGrid::geometry() const {
  return MatrixGeometry{p_.pe_rows, p_.pe_cols, p_.banks, {Dataflow::kWeightStationary}};
}

std::vector<Stat> AtMemoryGrid::stats() const {
  return {
      {"tasks", static_cast<double>(tasks_), "count", "tasks executed"},
      {"busy_cycles", static_cast<double>(busy_cycles_), "cycles", "cycles the grid was occupied"},
      {"macs", macs_, "MAC", "useful multiply-accumulates"},
      {"vector_ops", vector_ops_, "op", "element operations on the PEs"},
      {"dynamic_energy", energy_.joules(), "J", "MAC and element-operation energy"},
  };
}

void AtMemoryGrid::reset() {
  lanes_.reset();
  tasks_ = busy_cycles_ = 0;
  macs_ = vector_ops_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/at_memory_grid", AtMemoryGrid, AtMemoryGridParams);

}  // namespace xpusim::arch
