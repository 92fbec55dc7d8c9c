// SPDX-License-Identifier: MIT
// Runs an op graph on a chip: one process per op, started when its producers finish, that streams
// its tiles through a double-buffered pipeline. Components own all timing; contention between ops
// comes from their reservations, made in simulated-time order. A system run places each op on its
// pipeline stage's representative chip; collectives run as steps of link transfers on the topology.
#include "sim/driver/simulate.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "arch/system.h"
#include "sim/config/config_error.h"
#include "sim/driver/collective_ops.h"
#include "sim/driver/mapper.h"
#include "sim/driver/memory_fit.h"
#include "sim/driver/placement.h"
#include "sim/driver/tensor_layout.h"
#include "sim/driver/unit_queue.h"
#include "sim/kernel/kernel.h"
#include "workloads/transforms/fuse.h"
#include "workloads/transforms/microbatch.h"

namespace xpusim {
namespace {

using arch::Completion;
using arch::MemRequest;

struct OpRecord {
  Time start, end;
  Energy energy{0};
  Bytes offchip{0};
  double memory_floor_s = 0;  // sum over off-chip requests of bytes / their peak bandwidth
  Time compute_busy{0}, memory_busy{0}, link_busy{0};
  Time dequant_busy{0};       // weight decode passes, also in compute_busy
  Time paced_busy[3] = {Time{0}, Time{0}, Time{0}};  // the op's own unit's tasks by what paced them (arch::Feed)
  double dequant_ops = 0;
  Cycles cycles{0};
};

class Run {
 public:
  /// `chips[s]` runs the ops of pipeline stage s; `system` (nullptr for a lone chip) carries collectives.
  Run(std::vector<arch::Chip*> chips, const arch::System* system, const wl::OpGraph& graph, const SimOptions& opt)
      : chips_(std::move(chips)), system_(system), graph_(graph), opt_(opt), collectives_(system) {
    for (const arch::Chip* chip : chips_) {
      for (const auto& c : chip->components()) index_[c.get()] = index_.size();
    }
    ledger_.assign(index_.size() + 1, Energy(0));  // the last entry is the interconnect
    const auto order = graph.topo_order();
    plans_.resize(graph.size());
    driver::PlanMemo planner;
    for (wl::OpId id : order) {
      const wl::OpNode& op = graph.op(id);
      if (op.stage < 0 || static_cast<std::size_t>(op.stage) >= chips_.size()) {
        throw ConfigError(SourceMark{graph.name(), 0, 0}, "op '" + op.name + "' is placed on pipeline stage " + std::to_string(op.stage) +
                                                              ", but the run has " + std::to_string(chips_.size()) + " stage(s)");
      }
      if (wl::is_collective(op)) {
        driver::check_collective(system_, op, graph_.name());
        continue;
      }
      plans_[id] = planner.plan(chip(id), op);
    }
    layout_ = driver::layout_tensors(graph, order);
    records_.resize(graph.size());
    // Ops on one unit run one after another, unless a spatial unit gives their layers regions of
    // their own: then each region is a queue of its own and regions overlap.
    regions_ = driver::place_layers(graph, order, plans_, chips_);
    queue_of_.resize(graph.size(), nullptr);
    microbatch_.resize(graph.size(), 0);
    for (wl::OpId id : order) {
      const wl::OpNode& op = graph.op(id);
      if (wl::is_collective(op)) continue;
      microbatch_[id] = wl::microbatch_of(op.name);
      // Element-wise work on a layer's region is applied to the data as it streams out (fused, as
      // spatial compilers do): its tasks share the region's timeline with the layer's tiles instead
      // of waiting for a whole op of the next micro-batch.
      if (regions_[id].region >= 0 && !plans_[id].matrix) continue;
      queue_of_[id] = &queues_[std::make_tuple(op.stage, plans_[id].unit, regions_[id].region)];
    }
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
  arch::Chip& chip(wl::OpId id) const { return *chips_[static_cast<std::size_t>(graph_.op(id).stage)]; }

  /// Runs a collective step by step: each step's transfers are issued together on the links (pipelined
  /// ones when the transfer they wait for arrives), and the next step waits for the last of them.
  /// Contention with other traffic comes from the reservations.
  void run_collective(wl::OpId id, kernel::Context& ctx) {
    OpRecord& rec = records_[id];
    rec.start = kernel::Context::now();
    const arch::CollectivePlan& plan = collectives_.plan(graph_.op(id));
    for (std::size_t s = 0; s < plan.steps.size(); ++s) {
      const Completion c = arch::issue_step(*system_->topology(), plan, s, kernel::Context::now());
      ledger_.back() += c.energy;
      rec.energy += c.energy;
      kernel::Context::wait_until(c.done);
    }
    rec.end = kernel::Context::now();
    rec.link_busy = rec.end - rec.start;
    finish(id, ctx);
  }

  void finish(wl::OpId id, kernel::Context& ctx) {  // starts every successor whose inputs are all done
    for (wl::OpId s : graph_.successors(id)) {
      if (--pending_inputs_[s] == 0) ctx.spawn([this, s, &ctx] { run_op(s, ctx); });
    }
  }
  Completion access(arch::MemoryModel& mem, const MemRequest& req, OpRecord& rec, bool offchip) {
    Completion c = mem.access(req, kernel::Context::now());
    charge(mem, c, rec);
    if (offchip) {
      rec.offchip += req.bytes;
      rec.memory_busy += c.done - c.start;
      // Codec reads deliver more bytes per stored byte, so their floor is their own peak.
      const Bandwidth peak = req.codec_ratio > 1 ? mem.codec_peak_bandwidth(req.codec_ratio) : mem.peak_bandwidth();
      rec.memory_floor_s += static_cast<double>(req.bytes.count()) / peak.bytes_per_second();
    }
    return c;
  }

  void charge(const arch::Component& comp, const Completion& c, OpRecord& rec) {
    ledger_[index_.at(&comp)] += c.energy;
    rec.energy += c.energy;
    if (opt_.trace && c.done > c.start) timeline_.push_back({comp.name(), current_op_name_, "busy", c.start.ps(), (c.done - c.start).ps()});
  }

  /// How far an op has streamed through each operand's region: A, B, partial sums of C read back,
  /// and C stored.
  struct Cursors {
    std::uint64_t a = 0, b = 0, c = 0, store = 0, extra = 0;
  };

  /// Issues the main-memory reads of a tile and the matching buffer writes; returns when all landed.
  /// Weights (B) under a codec are read with its ratio, decoded at the memory interface.
  Time load(const driver::TileStep& s, const arch::ComputeUnit& u, OpRecord& rec, const driver::OpLayout& where,
            Cursors& at, arch::Chip& ch, double codec_ratio) {
    Time done = kernel::Context::now();
    // load_extra: the outside inputs of a fused epilogue (a residual), read beside the accumulators.
    const std::tuple<Bytes, arch::MemoryModel*, const driver::Region&, std::uint64_t&> parts[] = {
        {s.load_a, u.ifmap_buffer, where.a, at.a},
        {s.load_b, u.filter_buffer, where.b, at.b},
        {s.load_c, u.ofmap_buffer, where.c, at.c},
        {s.load_extra, u.ofmap_buffer, where.a, at.extra}};
    for (std::size_t i = 0; i < 4; ++i) {
      const auto& [bytes, buffer, region, cursor] = parts[i];
      if (bytes.count() == 0) continue;
      MemRequest req{bytes, false, arch::AccessPattern::kSequential, Bytes(64), region.at(cursor)};
      if (i == 1) req.codec_ratio = codec_ratio;
      Completion d = access(ch.main_memory(), req, rec, true);
      cursor += static_cast<std::uint64_t>(bytes.count());
      Completion b = access(*buffer, MemRequest{bytes, true}, rec, false);
      done = std::max({done, d.done, b.done});
    }
    return done;
  }

  /// Runs the weight decode pass of tile `step` of op `id`, if it has one, once the tile's weights are
  /// in at `loaded`; returns when its MACs may start. Started this early, the pass overlaps the previous
  /// tile's MACs where the unit allows.
  Time decode(wl::OpId id, driver::TileStep& step, Time loaded, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
    arch::ComputeTask& task = step.decode;
    if (task.elements == 0) return loaded;
    task.region = regions_[id].region;
    task.parts = regions_[id].parts;
    arch::ComputeModel& unit = *ch.compute_units()[plans_[id].weights.decode_unit].model;
    Completion d = unit.execute(task, loaded);
    charge(unit, d, rec);
    rec.compute_busy += d.done - d.start;
    rec.dequant_busy += d.done - d.start;
    rec.dequant_ops += static_cast<double>(task.elements) * task.ops_per_element;
    if (&unit == u.model) rec.cycles += unit.estimate(task).cycles;  // its busy cycles are the op's unit's
    return d.done;
  }

  /// Runs fused element-wise work `task` of op `id` on its plan's epilogue unit from `ready`; returns
  /// when it is done (`ready` when there is none).
  Time run_fused(wl::OpId id, arch::ComputeTask& task, Time ready, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
    if (task.elements == 0) return ready;
    task.region = regions_[id].region;
    task.parts = regions_[id].parts;
    arch::ComputeModel& unit = *ch.compute_units()[plans_[id].epilogue_unit].model;
    Completion e = unit.execute(task, ready);
    charge(unit, e, rec);
    rec.compute_busy += e.done - e.start;
    if (&unit == u.model) rec.cycles += unit.estimate(task).cycles;
    return e.done;
  }

  /// The second half of a fused attention tile: the softmax of the scores done at `scores_done`, then
  /// P x V on the op's unit; returns when P x V is done.
  Time run_softmax_pv(wl::OpId id, driver::TileStep& step, Time scores_done, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
    const Time probs = run_fused(id, step.softmax, scores_done, u, rec, ch);
    step.pv.region = regions_[id].region;
    step.pv.parts = regions_[id].parts;
    Completion c = u.model->execute(step.pv, probs);
    charge(*u.model, c, rec);
    count_task(u.model->estimate(step.pv), c, rec);
    return c.done;
  }

  /// Books a task of the op's unit: its busy time and cycles, and what paced it.
  static void count_task(const arch::TaskCost& cost, const Completion& c, OpRecord& rec) {
    rec.compute_busy += c.done - c.start;
    rec.cycles += cost.cycles;
    rec.paced_busy[static_cast<int>(cost.feed)] += c.done - c.start;
  }

  void run_op(wl::OpId id, kernel::Context& ctx) {
    if (wl::is_collective(graph_.op(id))) return run_collective(id, ctx);
    arch::Chip& ch = chip(id);
    const driver::OpPlan& plan = plans_[id];
    const arch::ComputeUnit& u = ch.compute_units()[plan.unit];
    OpRecord& rec = records_[id];
    if (queue_of_[id]) queue_of_[id]->acquire(microbatch_[id]);
    rec.start = kernel::Context::now();
    current_op_name_ = graph_.op(id).name;
    const driver::OpLayout& where = layout_[id];
    Cursors at;

    driver::TileWalker walker(plan, ch);
    driver::TileStep cur, nxt;
    bool have = walker.next(cur);
    const double codec = plan.weights.format.codec_ratio;
    kernel::Context::wait_until(load(cur, u, rec, where, at, ch, codec));
    Time stores_done = kernel::Context::now();
    Time cur_decoded = decode(id, cur, kernel::Context::now(), u, rec, ch);
    while (have) {
      const bool have_next = walker.next(nxt);
      current_op_name_ = graph_.op(id).name;
      cur.task.region = regions_[id].region;
      cur.task.parts = regions_[id].parts;
      Completion c = u.model->execute(cur.task, std::max(kernel::Context::now(), cur_decoded));
      charge(*u.model, c, rec);
      count_task(u.model->estimate(cur.task), c, rec);
      Time compute_done = plan.attention ? run_softmax_pv(id, cur, c.done, u, rec, ch) : c.done;
      const std::pair<Bytes, arch::MemoryModel*> operands[] = {
          {cur.buffer_read_a, u.ifmap_buffer}, {cur.buffer_read_b, u.filter_buffer}, {cur.buffer_write_c, u.ofmap_buffer}};
      for (std::size_t i = 0; i < 3; ++i) {
        const auto& [bytes, buffer] = operands[i];
        if (bytes.count() == 0) continue;
        Completion b = access(*buffer, MemRequest{bytes, i == 2}, rec, false);
        compute_done = std::max(compute_done, b.done);
      }
      // Double buffering: the next tile streams into the free half while this one computes.
      const Time next_loaded = have_next ? load(nxt, u, rec, where, at, ch, codec) : kernel::Context::now();
      const Time next_decoded = have_next ? decode(id, nxt, next_loaded, u, rec, ch) : next_loaded;
      // A fused epilogue runs on the finished block before it leaves. The next block's loads are
      // already in flight; its MACs wait for the epilogue (a few ops per element against 2K for the
      // MACs), a small serialisation that keeps every request in simulated-time order.
      kernel::Context::wait_until(std::max(compute_done, run_fused(id, cur.epilogue, compute_done, u, rec, ch)));
      if (cur.store_c.count() > 0) {
        Completion r = access(*u.ofmap_buffer, MemRequest{cur.store_c, false}, rec, false);
        Completion w = access(ch.main_memory(),
                              MemRequest{cur.store_c, true, arch::AccessPattern::kSequential, Bytes(64), where.c.at(at.store)}, rec, true);
        at.store += static_cast<std::uint64_t>(cur.store_c.count());
        stores_done = std::max({stores_done, r.done, w.done});
      }
      kernel::Context::wait_until(next_loaded);
      cur = nxt;
      cur_decoded = next_decoded;
      have = have_next;
    }
    if (queue_of_[id]) queue_of_[id]->release();
    kernel::Context::wait_until(stores_done);
    rec.end = kernel::Context::now();
    finish(id, ctx);
  }

  Result assemble() const;

  /// The resource that limited op `id`: main memory by name when memory-bound; else what paced most
  /// of its unit's time: the unit's operand buffers by name (a GPU's L2 feed), its shared memory, or
  /// the arithmetic itself ("compute").
  std::string bound_level(wl::OpId id, bool compute_bound) const {
    const arch::Chip& ch = chip(id);
    if (!compute_bound) return ch.main_memory().name();
    const OpRecord& rec = records_[id];
    const Time* busy = rec.paced_busy;
    if (busy[2] > busy[0] && busy[2] >= busy[1]) return ch.compute_units()[plans_[id].unit].ifmap_buffer->name();
    if (busy[1] > busy[0] && busy[1] > busy[2]) return "shared_memory";
    return "compute";
  }

  std::vector<arch::Chip*> chips_;
  const arch::System* system_;
  const wl::OpGraph& graph_;
  SimOptions opt_;
  std::vector<driver::OpPlan> plans_;
  std::vector<driver::OpLayout> layout_;
  std::vector<OpRecord> records_;
  std::vector<driver::OpRegion> regions_;
  std::map<std::tuple<std::int32_t, std::size_t, std::int32_t>, driver::UnitQueue> queues_;  // stage, unit, region
  std::vector<driver::UnitQueue*> queue_of_;
  std::vector<std::int64_t> microbatch_;  // the "mb<i>/" index of each op's name, 0 without one
  std::vector<std::size_t> pending_inputs_;
  std::unordered_map<const arch::Component*, std::size_t> index_;  // lookup only; output follows chip order
  std::vector<Energy> ledger_;
  std::vector<TraceSpan> timeline_;
  std::string current_op_name_;
  mutable driver::CollectivePlans collectives_;  // a memo: assemble() asks it for floors
};

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
      r.energy_breakdown_j.emplace_back(prefix + "uncore", e.joules());
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
    const driver::OpPlan& plan = plans_[id];
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
    o.roofline_s = std::max((wl::flops(op) / peak).seconds(), rec.memory_floor_s);
    const std::string ceiling = unit.name() + " " + std::string(to_string(op.dtype));
    const auto& ceilings = r.peak_flops_per_s;
    if (std::none_of(ceilings.begin(), ceilings.end(), [&](const auto& c) { return c.first == ceiling; })) {
      r.peak_flops_per_s.emplace_back(ceiling, peak.per_second());
    }
    r.ops.push_back(std::move(o));
  }
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

}  // namespace

Result simulate(arch::Chip& chip, const wl::OpGraph& graph, const SimOptions& options) {
  graph.validate();
  check_resident_fit(chip, graph);
  chip.reset();
  const wl::OpGraph kernels = wl::fuse(graph, graph.fusion().value_or(chip.fusion()));
  Run run({&chip}, nullptr, kernels, options);
  return run.execute();
}

Result simulate_system(arch::System& system, const wl::OpGraph& graph, const SimOptions& options) {
  graph.validate();
  // Chips whose main memory has nothing behind it cannot run a stage that overflows it.
  bool hard = false;
  for (int s = 0; s < system.stages(); ++s) hard = hard || system.stage_chip(s).main_memory().hard_capacity();
  if (hard) check_memory_fit(system, graph);
  system.reset();
  std::vector<arch::Chip*> chips;
  for (int s = 0; s < system.stages(); ++s) chips.push_back(&system.stage_chip(s));
  // Every stage runs the same chip type, so its compiler stack is the first stage's.
  const wl::OpGraph kernels = wl::fuse(graph, graph.fusion().value_or(chips.front()->fusion()));
  Run run(chips, &system, kernels, options);
  Result r = run.execute();
  // Data-parallel replicas are independent copies: throughput scales with them, latency does not.
  r.throughput_value *= static_cast<double>(system.parallelism().dp);
  return r;
}

}  // namespace xpusim
