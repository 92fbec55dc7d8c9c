// SPDX-License-Identifier: MIT
// The Result of a finished run: latency and throughput, energy by component (static energy included),
// each op's times, traffic, bound and roofline, the roofline's ceilings, statistics and the timeline.
#include <algorithm>

#include "sim/driver/run.h"

namespace xpusim::driver {

Result Run::assemble() const {
  Result r;
  const bool sys = system_ != nullptr;
  // Every chip of a stage's tensor-parallel group and every data-parallel replica does the
  // representative chip's work, so its energy counts once per such chip.
  const double copies = sys ? static_cast<double>(system_->parallelism().tp * system_->parallelism().dp) : 1.0;
  r.chip = sys ? system_->name() : chips_.front()->name();
  r.workload = graph_.name();
  r.compression = graph_.compression();
  if (graph_.fusion() && *graph_.fusion() != FusionPolicy::kNone) r.fusion = std::string(to_string(*graph_.fusion()));
  Time end{0};
  for (const auto& rec : records_) end = std::max(end, rec.end);
  r.latency_s = end.seconds();
  r.throughput_value = end.ps() > 0 ? graph_.items() / r.latency_s : 0;
  r.throughput_unit = graph_.item_unit() + "/s";

  Energy total{0};
  for (std::size_t s = 0; s < chips_.size(); ++s) {
    const arch::Chip& ch = *chips_[s];
    const std::string prefix = chips_.size() > 1 ? "s" + std::to_string(s) + "." : "";
    for (const auto& comp : ch.components()) {
      Energy e = (ledger_[index_.at(comp.get())] + comp->static_power() * end) * copies;
      r.energy_breakdown_j.emplace_back(prefix + comp->name(), e.joules());
      total += e;
    }
    if (ch.uncore_static_power().watts() > 0) {
      Energy e = ch.uncore_static_power() * end * copies;
      r.energy_breakdown_j.emplace_back(prefix + ch.uncore_name(), e.joules());
      total += e;
    }
  }
  if (sys && system_->topology()) {
    Energy e = ledger_.back() * static_cast<double>(system_->parallelism().dp);
    r.energy_breakdown_j.emplace_back("interconnect", e.joules());
    total += e;
  }
  r.energy_j = total.joules();
  r.avg_power_w = end.ps() > 0 ? (total / end).watts() : 0;

  const arch::ClockGovernor* governor = chips_.front()->governor();
  double clock_time = 0, busy_time = 0;  // op time weighted by clock, and op time
  if (governor && governor->tdp().watts() > 0) r.power_cap_w = governor->tdp().watts();
  double by_bound[3] = {0, 0, 0};
  const Bandwidth peak_bw = chips_.front()->main_memory().peak_bandwidth();
  r.peak_bandwidth_bytes_per_s = peak_bw.bytes_per_second();
  for (wl::OpId id = 0; id < graph_.size(); ++id) {
    const wl::OpNode& op = graph_.op(id);
    const OpRecord& rec = records_[id];
    OpResult o;
    o.name = op.name;
    o.kind = std::string(wl::to_string(op.kind));
    o.start_s = rec.start.seconds();
    o.end_s = rec.end.seconds();
    o.flops = wl::flops(op).count();
    o.energy_j = rec.energy.joules();
    o.members = op.fused.members;
    if (wl::is_collective(op)) {
      o.unit = "interconnect";
      o.bound = o.bound_level = "interconnect";
      by_bound[2] += (rec.end - rec.start).seconds();
      o.roofline_s = collectives_.floor(op).seconds();
      r.ops.push_back(std::move(o));
      continue;
    }
    const OpPlan& plan = plans_[id];
    const arch::ComputeModel& unit = *chip(id).compute_units()[plan.unit].model;
    o.unit = unit.name();
    o.dataflow = plan.matrix && !plan.attention && unit.geometry().rows > 0 ? arch::to_string(plan.mat.dataflow) : "";
    o.bytes = rec.offchip.count();
    const bool compute_bound = rec.compute_busy >= rec.memory_busy;
    o.bound = compute_bound ? "compute" : "memory";
    o.bound_level = bound_level(id, compute_bound);
    by_bound[compute_bound ? 0 : 1] += (rec.end - rec.start).seconds();
    o.compute_cycles = unit.reported_cycles(rec.cycles);
    o.dequant_ops = rec.dequant_ops;
    o.dequant_s = rec.dequant_busy.seconds();
    const auto cls = plan.matrix ? arch::TaskClass::kMatrix : arch::TaskClass::kVector;
    const FlopRate peak = unit.peak_rate(cls, op.dtype);
    // The roofline at the clock in force: peaks are data-sheet figures at the configured clocks, and an
    // on-chip main memory slows with the core clock.
    const double ratio = clock_[id].clock;
    const bool onchip_main = !chip(id).main_memory().off_chip();
    o.roofline_s = std::max((wl::flops(op) / peak).seconds() / ratio, rec.memory_floor_s / (onchip_main ? ratio : 1.0));
    if (governor) {
      o.clock_ratio = ratio;
      clock_time += ratio * (rec.end - rec.start).seconds();
      busy_time += (rec.end - rec.start).seconds();
    }
    // One ceiling per unit, dtype and kind of work: a GPU's SMs have a tensor-core and a CUDA-core
    // peak, and the first op on them (an embedding lookup) must not set the tensor ceiling.
    const bool both = !plan.matrix && unit.supports(arch::TaskClass::kMatrix, op.dtype);
    const std::string ceiling = unit.name() + " " + std::string(to_string(op.dtype)) + (both ? " vector" : "");
    const auto& ceilings = r.peak_flops_per_s;
    if (std::none_of(ceilings.begin(), ceilings.end(), [&](const auto& c) { return c.first == ceiling; })) {
      r.peak_flops_per_s.emplace_back(ceiling, peak.per_second());
    }
    r.ops.push_back(std::move(o));
  }
  if (governor) r.avg_clock_ratio = busy_time > 0 ? clock_time / busy_time : 1.0;
  const double busy = by_bound[0] + by_bound[1] + by_bound[2];
  if (busy > 0) {
    r.bound_compute = by_bound[0] / busy;
    r.bound_memory = by_bound[1] / busy;
    r.bound_interconnect = by_bound[2] / busy;
  }
  for (std::size_t s = 0; s < chips_.size(); ++s) {
    const std::string prefix = chips_.size() > 1 ? "s" + std::to_string(s) + "." : "";
    for (const auto& comp : chips_[s]->components()) {
      for (const auto& st : comp->stats()) r.stats.push_back({prefix + comp->name(), st.key, st.value, st.unit});
    }
  }
  if (sys && system_->topology()) {
    for (const auto& e : system_->topology()->elements()) {
      for (const auto& st : e->stats()) r.stats.push_back({e->name(), st.key, st.value, st.unit});
    }
  }
  r.timeline = timeline_;
  if (opt_.trace) {
    for (wl::OpId id = 0; id < graph_.size(); ++id) {
      const auto& rec = records_[id];
      const std::string track = wl::is_collective(graph_.op(id)) ? std::string("interconnect")
                                                                  : chip(id).compute_units()[plans_[id].unit].model->name() + " ops";
      r.timeline.push_back({track, graph_.op(id).name, "op", rec.start.ps(), (rec.end - rec.start).ps()});
    }
  }
  return r;
}

std::string Run::bound_level(wl::OpId id, bool compute_bound) const {
  const arch::Chip& ch = chip(id);
  if (!compute_bound) return ch.main_memory().name();
  const OpRecord& rec = records_[id];
  const Time* busy = rec.paced_busy;
  if (busy[2] > busy[0] && busy[2] >= busy[1]) return ch.compute_units()[plans_[id].unit].ifmap_buffer->name();
  if (busy[1] > busy[0] && busy[1] > busy[2]) return "shared_memory";
  return "compute";
}

}  // namespace xpusim::driver
