// SPDX-License-Identifier: MIT
// Systolic array timing: SCALE-Sim v2's folds, each fully serialised with its own fill and drain.
#include "arch/compute/systolic_array.h"
#include "sim/int_math.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/compute/sparse_blocks.h"
#include "arch/registry.h"

namespace xpusim::arch {
namespace {


void require_positive(std::int64_t v, const char* what) {
  if (v <= 0) {
    throw std::invalid_argument(std::string("systolic array: ") + what + " must be positive, got " + std::to_string(v));
  }
}

}  // namespace

SystolicMapping systolic_mapping(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                 std::int64_t cols) {
  require_positive(m, "m");
  require_positive(n, "n");
  require_positive(k, "k");
  require_positive(rows, "rows");
  require_positive(cols, "cols");
  SystolicMapping s;
  switch (df) {
    case Dataflow::kOutputStationary:
      s.sr = m, s.sc = n, s.t = k;
      // Operands stream in skewed across R-1 rows and C-1 columns; results drain the same way.
      s.overhead = rows + cols - 2;
      break;
    case Dataflow::kWeightStationary:
      s.sr = k, s.sc = n, s.t = m;
      // Plus R cycles to load the stationary tile, repeated in every fold (no double-buffered PEs).
      s.overhead = 2 * rows + cols - 2;
      break;
    case Dataflow::kInputStationary:
      s.sr = k, s.sc = m, s.t = n;
      s.overhead = 2 * rows + cols - 2;
      break;
  }
  s.row_folds = ceil_div(s.sr, rows);
  s.col_folds = ceil_div(s.sc, cols);
  s.folds = s.row_folds * s.col_folds;
  return s;
}

std::int64_t scalesim_layer_cycles(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                   std::int64_t cols) {
  SystolicMapping s = systolic_mapping(m, n, k, df, rows, cols);
  return s.folds * (s.t + s.overhead) - 1;
}

double scalesim_mapping_efficiency(std::int64_t m, std::int64_t n, std::int64_t k, Dataflow df, std::int64_t rows,
                                   std::int64_t cols) {
  SystolicMapping s = systolic_mapping(m, n, k, df, rows, cols);
  return (static_cast<double>(s.sr) / static_cast<double>(s.row_folds * rows)) *
         (static_cast<double>(s.sc) / static_cast<double>(s.col_folds * cols));
}

const Schema<SystolicArrayParams>& SystolicArrayParams::schema() {
  static const Schema<SystolicArrayParams> s = [] {
    using P = SystolicArrayParams;
    Schema<P> sc("2D systolic array of MACs; SCALE-Sim v2 fold timing (os/ws/is)");
    sc.add("rows", &P::rows, "PE rows (R): the spatial dimension Sr is spread over them").required().positive();
    sc.add("cols", &P::cols, "PE columns (C): the spatial dimension Sc is spread over them").required().positive();
    sc.add("arrays", &P::arrays, "identical arrays sharing the buffers; a tile's folds are dealt out among them")
        .at_least(1);
    sc.add("clock", &P::clock, "array clock; one MAC per PE per cycle").required().at_least(kMinClockHz, "1 MHz");
    sc.add("dtype", &P::dtype, "native MAC precision; narrower dtypes run at the same MAC rate");
    sc.add("dataflow", &P::dataflow, "stationary operand, or auto to let the mapper choose per op")
        .one_of({"os", "ws", "is", "auto"});
    sc.add("load_rows", &P::load_rows, "rows of the stationary tile written per cycle in ws/is (SCALE-Sim: 1)").at_least(1);
    sc.add("pipelined_folds", &P::pipelined_folds,
           "double-buffered stationary tile: folds overlap, fill and drain once per op (SCALE-Sim: false)");
    sc.add("mac_energy", &P::mac_energy, "dynamic energy of one MAC at the native dtype (0 = not modelled)")
        .at_least(0);
    sc.add("leakage", &P::leakage, "static power of the array, charged for the whole run").at_least(0);
    sc.add("native_weight_dtypes", &P::native_weight_dtypes,
           "comma-separated weight dtypes the PEs take directly (no dequantization pass); empty = none");
    sc.add("unstructured_sparsity", &P::unstructured_sparsity,
           "PEs skip zero weights of unstructured-pruned tiles, each holding a block of the tile's weights");
    sc.add("survivor_cycles", &P::survivor_cycles,
           "cycles per activation row per surviving weight with unstructured_sparsity (index decode and "
           "gather; dense = 1; the default 2 is an assumption)")
        .at_least(1);
    return sc;
  }();
  return s;
}

void SystolicArrayParams::check(const std::string& context, const SourceMark& where, Diagnostics& diag) const {
  try {
    parse_dtype_list(native_weight_dtypes);
  } catch (const UnitError& e) {
    diag.error(where, context + ": 'native_weight_dtypes' " + e.what());
  }
}

std::int64_t sparse_array_cycles(const ComputeTask& task, std::int64_t pes, double survivor_cycles,
                                 std::int64_t overhead) {
  const std::int64_t weights = task.k * task.n;
  const std::int64_t blocks = std::min(pes, weights);
  const std::int64_t steps = max_block_survivors(blocks, ceil_div(weights, blocks), task.density, task.sparse_seed);
  const auto per_step = static_cast<std::int64_t>(std::ceil(static_cast<double>(task.m) * survivor_cycles - 1e-9));
  return task.batch * steps * (per_step + overhead);
}

SystolicArray::SystolicArray(ComponentContext ctx, const SystolicArrayParams& p)
    : ComputeModel(std::move(ctx)), p_(p), clock_(p.clock), native_weights_(parse_dtype_list(p.native_weight_dtypes)) {
  geometry_.rows = p_.rows;
  geometry_.cols = p_.cols;
  geometry_.arrays = p_.arrays;
  if (p_.dataflow == "os" || p_.dataflow == "auto") geometry_.dataflows.push_back(Dataflow::kOutputStationary);
  if (p_.dataflow == "ws" || p_.dataflow == "auto") geometry_.dataflows.push_back(Dataflow::kWeightStationary);
  if (p_.dataflow == "is" || p_.dataflow == "auto") geometry_.dataflows.push_back(Dataflow::kInputStationary);
}

bool SystolicArray::supports(TaskClass cls, DataType dtype) const {
  return cls == TaskClass::kMatrix && bits(dtype) <= bits(p_.dtype);
}

bool SystolicArray::native_weight(DataType weight, DataType compute) const {
  return weight == compute || std::find(native_weights_.begin(), native_weights_.end(), weight) != native_weights_.end();
}

bool SystolicArray::skips_zeros(Sparsity s) const {
  return s == Sparsity::kDense || (s == Sparsity::kUnstructured && p_.unstructured_sparsity);
}

TaskCost SystolicArray::estimate(const ComputeTask& task) const {
  if (!supports(task.cls, task.dtype)) {
    throw std::invalid_argument(name() + ": cannot run a " +
                                std::string(task.cls == TaskClass::kMatrix ? "matrix" : "vector") + " task in " +
                                std::string(to_string(task.dtype)));
  }
  bool allowed = false;
  for (Dataflow d : geometry_.dataflows) allowed = allowed || d == task.dataflow;
  if (!allowed) {
    throw std::invalid_argument(name() + ": dataflow " + to_string(task.dataflow) +
                                " is not allowed (configured: " + p_.dataflow + ")");
  }
  double macs = static_cast<double>(task.batch) * static_cast<double>(task.m) * static_cast<double>(task.n) *
                static_cast<double>(task.k);
  std::int64_t cycles = 0;
  if (task.sparsity == Sparsity::kUnstructured && p_.unstructured_sparsity) {
    require_positive(task.m, "m");
    require_positive(task.n, "n");
    require_positive(task.k, "k");
    const std::int64_t overhead = task.fill_drain ? 2 * p_.rows + p_.cols - 2 : 0;  // weight-stationary steps
    cycles = sparse_array_cycles(task, p_.rows * p_.cols * p_.arrays, p_.survivor_cycles, overhead);
    macs *= task.density;  // only surviving weights are multiplied
  } else {
    SystolicMapping s = systolic_mapping(task.m, task.n, task.k, task.dataflow, p_.rows, p_.cols);
    // Folds are dealt out round-robin to the arrays. The stationary tile loads load_rows rows per cycle
    // (with load_rows = 1 the per-fold overhead is SCALE-Sim's 2R + C - 2 for ws/is, R + C - 2 for os).
    const std::int64_t folds = ceil_div(s.folds * task.batch, p_.arrays);
    const std::int64_t load = task.dataflow == Dataflow::kOutputStationary ? 0 : ceil_div(p_.rows, p_.load_rows);
    const std::int64_t skew = p_.rows + p_.cols - 2;
    if (p_.pipelined_folds) {
      // Each fold streams while the next tile loads, also across the tiles of one op (its tasks follow
      // each other on this array): the first load and the fill/drain are exposed once, on the op's first task.
      cycles = folds * std::max(s.t, load) + (task.starts_op ? load + skew : 0);
    } else {
      // Serialised folds, each with its own load, fill and drain unless a chunked mapper charges it elsewhere.
      cycles = folds * s.t + (task.fill_drain ? folds * (load + skew) : 0);
    }
  }
  TaskCost c;
  c.cycles = Cycles(cycles);
  c.time = clock_.to_time(c.cycles);
  c.energy = p_.mac_energy * macs * energy_scale();  // only useful MACs: idle PEs of partial folds are not charged
  c.flops = Flops(2.0 * macs);
  return c;
}

Completion SystolicArray::execute(const ComputeTask& task, Time now) {
  TaskCost c = estimate(task);
  Time start = array_.reserve(now, c.time);
  ++tasks_;
  busy_cycles_ += c.cycles.count();
  macs_ += static_cast<std::int64_t>(std::llround(c.flops.count() / 2.0));
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate SystolicArray::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  return FlopRate(2.0 * static_cast<double>(p_.rows * p_.cols * p_.arrays) * p_.clock.hz());
}

MatrixGeometry SystolicArray::geometry() const { return geometry_; }

std::vector<Stat> SystolicArray::stats() const {
  const double pes = static_cast<double>(p_.rows * p_.cols * p_.arrays);
  const double busy = static_cast<double>(busy_cycles_);
  return {
      {"tasks", static_cast<double>(tasks_), "count", "matrix tasks executed"},
      {"busy_cycles", busy, "cycles", "cycles the array was occupied, fill and drain included"},
      {"busy_time", array_.busy_total().seconds(), "s", "time the array was occupied"},
      {"macs", static_cast<double>(macs_), "MAC", "useful multiply-accumulates (m*n*k of each task)"},
      {"pe_count", pes, "PE", "rows * cols * arrays: MACs the unit can do per cycle"},
      {"busy_utilization", busy > 0 ? static_cast<double>(macs_) / (busy * pes) : 0.0, "ratio",
       "macs / (busy_cycles * pe_count): PE use while busy (SCALE-Sim's overall utilisation when stall-free)"},
      {"dynamic_energy", energy_.joules(), "J", "macs * mac_energy"},
  };
}

void SystolicArray::reset() {
  array_.reset();
  tasks_ = 0;
  busy_cycles_ = 0;
  macs_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/systolic", SystolicArray, SystolicArrayParams);

}  // namespace xpusim::arch
