// SPDX-License-Identifier: MIT
// The outcome of one simulation, and its stable JSON / CSV / table forms (keys as in DESIGN.md).
// Plain data in SI units (seconds, joules, bytes) so front ends need no unit library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario_report.h"

namespace xpusim {

struct OpResult {
  std::string name;
  std::string kind;       // "gemm", "conv2d", "softmax", ...
  std::string unit;       // compute unit that ran it
  std::string dataflow;   // "os" / "ws" / "is" for arrays, "" otherwise
  double start_s = 0;
  double end_s = 0;
  double flops = 0;
  std::int64_t bytes = 0;           // off-chip (main memory) bytes read + written
  std::string bound;                // "compute", "memory" or "interconnect"
  std::int64_t compute_cycles = 0;  // busy cycles of its compute unit (SCALE-Sim convention for arrays)
  double energy_j = 0;              // dynamic energy of its actions
  double roofline_s = 0;            // max(flops / peak, bytes / peak bandwidth): no op may beat it
  double dequant_ops = 0;           // element ops of its weight dequantization / sparse expansion passes
  double dequant_s = 0;             // time those passes kept their unit busy (inside the op's time)
  std::vector<std::string> members{};  // a fused kernel's ops (workloads/transforms/fuse.h); empty: one op
  /// The resource behind `bound`: "compute", the on-chip level that fed the compute by its component
  /// name (a GPU's "l2") or "shared_memory", main memory by name ("hbm"), or "interconnect".
  std::string bound_level{};
  /// The clock it ran at, as a fraction of the configured clocks (the power cap's choice); unset on a
  /// chip without a cap or boost clock.
  std::optional<double> clock_ratio{};
};

/// One statistic of one component, with its unit.
struct ComponentStat {
  std::string component;
  std::string key;
  double value = 0;
  std::string unit;
};

/// One span on the timeline (Perfetto/Chrome trace): an op, or a component busy with a request.
struct TraceSpan {
  std::string track;     // "ops" or a component name
  std::string name;
  std::string category;  // "op", "compute", "memory"
  std::int64_t start_ps = 0;
  std::int64_t duration_ps = 0;
};

struct Result {
  std::string chip;
  std::string workload;
  /// The compression what-if applied to the workload, in --compress syntax
  /// ("weight_dtype=int4,sparsity=2:4"); "" when none.
  std::string compression;
  /// The fusion policy the ops were formed into kernels by; "" when none (every op its own kernel).
  std::string fusion;
  double latency_s = 0;
  double throughput_value = 0;
  std::string throughput_unit;  // "inferences/s", "tokens/s", "images/s"
  double energy_j = 0;
  double avg_power_w = 0;
  /// The chip's power cap (`chip: power: tdp:`; unset without one) and the clock the governor left
  /// the ops, as a fraction of the configured clocks weighted by op time (unset on a chip without a cap
  /// or boost clock).
  std::optional<double> power_cap_w, avg_clock_ratio;
  /// Component name -> joules (dynamic + static), in chip order; sums to energy_j.
  std::vector<std::pair<std::string, double>> energy_breakdown_j;
  /// Share of ops' time by what bounded them.
  double bound_compute = 0, bound_memory = 0, bound_interconnect = 0;
  std::vector<OpResult> ops;
  /// Roofline ceilings: the peak FLOP/s of each unit in each dtype its ops ran in ("mxu bf16"), in
  /// order of first use, and main memory's data-sheet peak bandwidth. Reports draw rooflines from them.
  std::vector<std::pair<std::string, double>> peak_flops_per_s;
  double peak_bandwidth_bytes_per_s = 0;
  std::vector<ComponentStat> stats;
  std::vector<TraceSpan> timeline;  // empty unless tracing was asked for
  /// Set when the run was a scenario (many queries over cached step results); the fields above then
  /// describe the whole run (see ScenarioReport and README "Scenarios").
  std::optional<ScenarioReport> scenario;
};

/// Deterministic text forms: the same Result always gives the same bytes.
std::string to_json(const Result& r);
/// One row per op.
std::string to_csv(const Result& r);
/// A short human table: summary, energy breakdown, bounds and the slowest ops.
std::string to_table(const Result& r);
/// Chrome trace-event JSON (opens in ui.perfetto.dev).
std::string to_chrome_trace(const Result& r);

}  // namespace xpusim
