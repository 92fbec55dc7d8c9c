// SPDX-License-Identifier: MIT
// Runs an op graph on a chip: one process per op, started when its producers finish, that streams
// its tiles through a double-buffered pipeline. Components own all timing; contention between ops
// comes from their reservations, made in simulated-time order.
#include "sim/driver/simulate.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "sim/driver/mapper.h"
#include "sim/kernel/kernel.h"

namespace xpusim {
namespace {

using arch::Completion;
using arch::MemRequest;

struct OpRecord {
  Time start, end;
  Energy energy{0};
  Bytes offchip{0};
  Time compute_busy{0}, memory_busy{0};
  Cycles cycles{0};
};

/// FIFO ownership of one compute unit: ops on one unit run one after another, in readiness order.
struct UnitQueue {
  bool busy = false;
  std::deque<kernel::Flag*> waiting;
  void acquire() {
    if (!busy) {
      busy = true;
      return;
    }
    kernel::Flag turn;
    waiting.push_back(&turn);
    turn.wait();  // ownership is handed over by release()
  }
  void release() {
    if (waiting.empty()) {
      busy = false;
      return;
    }
    kernel::Flag* next = waiting.front();
    waiting.pop_front();
    next->set();
  }
};

class Run {
 public:
  Run(arch::Chip& chip, const wl::OpGraph& graph, const SimOptions& opt) : chip_(chip), graph_(graph), opt_(opt) {
    for (std::size_t i = 0; i < chip.components().size(); ++i) index_[chip.components()[i].get()] = i;
    ledger_.assign(chip.components().size(), Energy(0));
    const auto order = graph.topo_order();
    plans_.resize(graph.size());
    base_address_.resize(graph.size());
    std::uint64_t next_address = 0;
    for (wl::OpId id : order) {
      plans_[id] = driver::plan_op(chip, graph.op(id));
      // Each op's operands get their own address range, so streams of one op keep rows open.
      base_address_[id] = next_address;
      next_address += static_cast<std::uint64_t>(plans_[id].offchip_bytes.count()) + (1u << 20);
    }
    records_.resize(graph.size());
    units_.resize(chip.compute_units().size());
    for (wl::OpId id = 0; id < graph.size(); ++id) pending_inputs_.push_back(graph.predecessors(id).size());
  }

  Result execute() {
    kernel::Context ctx;
    for (wl::OpId id = 0; id < graph_.size(); ++id) {
      if (pending_inputs_[id] == 0) ctx.spawn([this, id, &ctx] { run_op(id, ctx); });
    }
    ctx.run();
    return assemble();
  }

 private:
  Completion access(arch::MemoryModel& mem, const MemRequest& req, OpRecord& rec, bool offchip) {
    Completion c = mem.access(req, kernel::Context::now());
    charge(mem, c, rec);
    if (offchip) {
      rec.offchip += req.bytes;
      rec.memory_busy += c.done - c.start;
    }
    return c;
  }

  void charge(const arch::Component& comp, const Completion& c, OpRecord& rec) {
    ledger_[index_.at(&comp)] += c.energy;
    rec.energy += c.energy;
    if (opt_.trace && c.done > c.start) timeline_.push_back({comp.name(), current_op_name_, "busy", c.start.ps(), (c.done - c.start).ps()});
  }

  /// Issues the main-memory reads of a tile and the matching buffer writes; returns when all landed.
  Time load(const driver::TileStep& s, const arch::ComputeUnit& u, OpRecord& rec, std::uint64_t& addr) {
    Time done = kernel::Context::now();
    const std::pair<Bytes, arch::MemoryModel*> parts[] = {{s.load_a, u.ifmap_buffer}, {s.load_b, u.filter_buffer}, {s.load_c, u.ofmap_buffer}};
    for (const auto& [bytes, buffer] : parts) {
      if (bytes.count() == 0) continue;
      Completion d = access(chip_.main_memory(), MemRequest{bytes, false, arch::AccessPattern::kSequential, Bytes(64), addr}, rec, true);
      addr += static_cast<std::uint64_t>(bytes.count());
      Completion b = access(*buffer, MemRequest{bytes, true}, rec, false);
      done = std::max({done, d.done, b.done});
    }
    return done;
  }

  void run_op(wl::OpId id, kernel::Context& ctx) {
    const driver::OpPlan& plan = plans_[id];
    const arch::ComputeUnit& u = chip_.compute_units()[plan.unit];
    OpRecord& rec = records_[id];
    units_[plan.unit].acquire();
    rec.start = kernel::Context::now();
    current_op_name_ = graph_.op(id).name;
    std::uint64_t addr = base_address_[id];

    driver::TileWalker walker(plan, chip_);
    driver::TileStep cur, nxt;
    bool have = walker.next(cur);
    kernel::Context::wait_until(load(cur, u, rec, addr));
    Time stores_done = kernel::Context::now();
    while (have) {
      const bool have_next = walker.next(nxt);
      current_op_name_ = graph_.op(id).name;
      Completion c = u.model->execute(cur.task, kernel::Context::now());
      charge(*u.model, c, rec);
      rec.compute_busy += c.done - c.start;
      rec.cycles += u.model->estimate(cur.task).cycles;
      Time compute_done = c.done;
      const std::pair<Bytes, arch::MemoryModel*> operands[] = {
          {cur.buffer_read_a, u.ifmap_buffer}, {cur.buffer_read_b, u.filter_buffer}, {cur.buffer_write_c, u.ofmap_buffer}};
      for (std::size_t i = 0; i < 3; ++i) {
        const auto& [bytes, buffer] = operands[i];
        if (bytes.count() == 0) continue;
        Completion b = access(*buffer, MemRequest{bytes, i == 2}, rec, false);
        compute_done = std::max(compute_done, b.done);
      }
      // Double buffering: the next tile streams into the free half while this one computes.
      const Time next_loaded = have_next ? load(nxt, u, rec, addr) : kernel::Context::now();
      kernel::Context::wait_until(compute_done);
      if (cur.store_c.count() > 0) {
        Completion r = access(*u.ofmap_buffer, MemRequest{cur.store_c, false}, rec, false);
        Completion w = access(chip_.main_memory(),
                              MemRequest{cur.store_c, true, arch::AccessPattern::kSequential, Bytes(64), addr}, rec, true);
        addr += static_cast<std::uint64_t>(cur.store_c.count());
        stores_done = std::max({stores_done, r.done, w.done});
      }
      kernel::Context::wait_until(next_loaded);
      cur = nxt;
      have = have_next;
    }
    units_[plan.unit].release();
    kernel::Context::wait_until(stores_done);
    rec.end = kernel::Context::now();
    for (wl::OpId s : graph_.successors(id)) {
      if (--pending_inputs_[s] == 0) ctx.spawn([this, s, &ctx] { run_op(s, ctx); });
    }
  }

  Result assemble() const;

  arch::Chip& chip_;
  const wl::OpGraph& graph_;
  SimOptions opt_;
  std::vector<driver::OpPlan> plans_;
  std::vector<std::uint64_t> base_address_;
  std::vector<OpRecord> records_;
  std::vector<UnitQueue> units_;
  std::vector<std::size_t> pending_inputs_;
  std::unordered_map<const arch::Component*, std::size_t> index_;  // lookup only; output follows chip order
  std::vector<Energy> ledger_;
  std::vector<TraceSpan> timeline_;
  std::string current_op_name_;
};

Result Run::assemble() const {
  Result r;
  r.chip = chip_.name();
  r.workload = graph_.name();
  Time end{0};
  for (const auto& rec : records_) end = std::max(end, rec.end);
  r.latency_s = end.seconds();
  r.throughput_value = end.ps() > 0 ? graph_.items() / r.latency_s : 0;
  r.throughput_unit = graph_.item_unit() + "/s";

  Energy total{0};
  for (std::size_t i = 0; i < chip_.components().size(); ++i) {
    const auto& comp = *chip_.components()[i];
    Energy e = ledger_[i] + comp.static_power() * end;
    r.energy_breakdown_j.emplace_back(comp.name(), e.joules());
    total += e;
  }
  if (chip_.uncore_static_power().watts() > 0) {
    Energy e = chip_.uncore_static_power() * end;
    r.energy_breakdown_j.emplace_back("uncore", e.joules());
    total += e;
  }
  r.energy_j = total.joules();
  r.avg_power_w = end.ps() > 0 ? (total / end).watts() : 0;

  double by_bound[2] = {0, 0};
  const Bandwidth peak_bw = chip_.main_memory().peak_bandwidth();
  r.peak_bandwidth_bytes_per_s = peak_bw.bytes_per_second();
  for (wl::OpId id = 0; id < graph_.size(); ++id) {
    const wl::OpNode& op = graph_.op(id);
    const OpRecord& rec = records_[id];
    const driver::OpPlan& plan = plans_[id];
    const arch::ComputeModel& unit = *chip_.compute_units()[plan.unit].model;
    OpResult o;
    o.name = op.name;
    o.kind = std::string(wl::to_string(op.kind));
    o.unit = unit.name();
    o.dataflow = plan.matrix && unit.geometry().rows > 0 ? arch::to_string(plan.mat.dataflow) : "";
    o.start_s = rec.start.seconds();
    o.end_s = rec.end.seconds();
    o.flops = wl::flops(op).count();
    o.bytes = rec.offchip.count();
    const bool compute_bound = rec.compute_busy >= rec.memory_busy;
    o.bound = compute_bound ? "compute" : "memory";
    by_bound[compute_bound ? 0 : 1] += (rec.end - rec.start).seconds();
    o.compute_cycles = unit.reported_cycles(rec.cycles);
    o.energy_j = rec.energy.joules();
    const auto cls = plan.matrix ? arch::TaskClass::kMatrix : arch::TaskClass::kVector;
    const FlopRate peak = unit.peak_rate(cls, op.dtype);
    o.roofline_s = std::max((wl::flops(op) / peak).seconds(), (rec.offchip / peak_bw).seconds());
    const std::string ceiling = unit.name() + " " + std::string(to_string(op.dtype));
    const auto& ceilings = r.peak_flops_per_s;
    if (std::none_of(ceilings.begin(), ceilings.end(), [&](const auto& c) { return c.first == ceiling; })) {
      r.peak_flops_per_s.emplace_back(ceiling, peak.per_second());
    }
    r.ops.push_back(std::move(o));
  }
  const double busy = by_bound[0] + by_bound[1];
  if (busy > 0) {
    r.bound_compute = by_bound[0] / busy;
    r.bound_memory = by_bound[1] / busy;
  }
  for (const auto& comp : chip_.components()) {
    for (const auto& s : comp->stats()) r.stats.push_back({comp->name(), s.key, s.value, s.unit});
  }
  r.timeline = timeline_;
  if (opt_.trace) {
    for (wl::OpId id = 0; id < graph_.size(); ++id) {
      const auto& rec = records_[id];
      r.timeline.push_back({chip_.compute_units()[plans_[id].unit].model->name() + " ops", graph_.op(id).name, "op",
                            rec.start.ps(), (rec.end - rec.start).ps()});
    }
  }
  return r;
}

}  // namespace

Result simulate(arch::Chip& chip, const wl::OpGraph& graph, const SimOptions& options) {
  graph.validate();
  chip.reset();
  Run run(chip, graph, options);
  return run.execute();
}

}  // namespace xpusim
