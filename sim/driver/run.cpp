// SPDX-License-Identifier: MIT
// Runs an op graph on a chip: one process per op, started when its producers finish, that streams
// its tiles through a double-buffered pipeline. Components own all timing; contention between ops
// comes from their reservations, made in simulated-time order. A system run places each op on its
// pipeline stage's representative chip; collectives run as steps of link transfers on the topology.
#include "sim/driver/run.h"

#include <algorithm>
#include <cmath>

#include "sim/config/config_error.h"
#include "sim/config/input_limits.h"
#include "sim/driver/kernel_demand.h"
#include "workloads/transforms/microbatch.h"

namespace xpusim::driver {

Run::Run(std::vector<arch::Chip*> chips, const arch::System* system, const wl::OpGraph& graph, const SimOptions& opt)
    : chips_(std::move(chips)), system_(system), graph_(graph), opt_(opt), collectives_(system) {
  for (const arch::Chip* chip : chips_) {
    for (const auto& c : chip->components()) index_[c.get()] = index_.size();
  }
  ledger_.assign(index_.size() + 1, Energy(0));  // the last entry is the interconnect
  const auto order = graph.topo_order();
  plans_.resize(graph.size());
  clock_.assign(graph.size(), arch::ClockSetting{});
  governed_of_.assign(graph.size(), -1);
  PlanMemo planner;
  std::map<const OpPlan*, std::int32_t> governed;  // per distinct plan: alike layers share one walk
  std::uint64_t tiles = 0;
  for (wl::OpId id : order) {
    const wl::OpNode& op = graph.op(id);
    if (op.stage < 0 || static_cast<std::size_t>(op.stage) >= chips_.size()) {
      throw ConfigError(SourceMark{graph.name(), 0, 0}, "op '" + op.name + "' is placed on pipeline stage " + std::to_string(op.stage) +
                                                            ", but the run has " + std::to_string(chips_.size()) + " stage(s)");
    }
    if (wl::is_collective(op)) {
      check_collective(system_, op, graph_.name());
      continue;
    }
    const OpPlan& plan = planner.plan(chip(id), op);
    plans_[id] = plan;
    // A shape that asks for billions of tiles would run for hours: refuse it before any is walked.
    tiles += static_cast<std::uint64_t>(std::max<std::int64_t>(plan.tiles, 0));
    if (tiles > limits::tiles()) {
      throw ConfigError(SourceMark{graph.name(), 0, 0}, "op '" + op.name + "' brings the run to more than " +
                                                            std::to_string(limits::tiles()) + " tiles (lower batch, context or sizes)" +
                                                            limits::raise_hint("XPUSIM_MAX_TILES"));
    }
    if (const arch::ClockGovernor* governor = chip(id).governor()) {
      auto [it, fresh] = governed.try_emplace(&plan, static_cast<std::int32_t>(governed_.size()));
      if (fresh) {
        const arch::KernelDemand d = kernel_demand(plan, chip(id));
        governed_.push_back({d, governor->setting(d), false});
      }
      governed_of_[id] = it->second;
    }
  }
  layout_ = layout_tensors(graph, order);
  residency_.resize(chips_.size());
  for (std::size_t s = 0; s < chips_.size(); ++s) {
    if (const arch::MemoryModel* cache = chips_[s]->cache()) residency_[s].emplace(static_cast<std::uint64_t>(cache->capacity().count()));
  }
  if (std::any_of(residency_.begin(), residency_.end(), [](const auto& r) { return r.has_value(); })) {
    producers_.resize(graph.size());
    for (wl::OpId id = 0; id < graph.size(); ++id) producers_[id] = graph.predecessors(id);
    // Warm-up: one pass of the same step leaves the cache as the measured step finds it.
    for (wl::OpId id : order) {
      if (!wl::is_collective(graph.op(id))) cache_share(id);
    }
  }
  records_.resize(graph.size());
  // Ops on one unit run one after another, unless a spatial unit gives their layers regions of
  // their own: then each region is a queue of its own and regions overlap.
  regions_ = place_layers(graph, order, plans_, chips_);
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

Result Run::execute() {
  kernel::Context ctx;
  for (wl::OpId id = 0; id < graph_.size(); ++id) {
    if (pending_inputs_[id] == 0) ctx.spawn([this, id, &ctx] { run_op(id, ctx); });
  }
  ctx.run();
  return assemble();
}

void Run::run_collective(wl::OpId id, kernel::Context& ctx) {
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

void Run::finish(wl::OpId id, kernel::Context& ctx) {
  for (wl::OpId s : graph_.successors(id)) {
    if (--pending_inputs_[s] == 0) ctx.spawn([this, s, &ctx] { run_op(s, ctx); });
  }
}

Completion Run::access(arch::MemoryModel& mem, const MemRequest& req, OpRecord& rec, bool offchip) {
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

void Run::charge(const arch::Component& comp, const Completion& c, OpRecord& rec) {
  ledger_[index_.at(&comp)] += c.energy;
  rec.energy += c.energy;
  if (opt_.trace && c.done > c.start) timeline_.push_back({comp.name(), current_op_name_, "busy", c.start.ps(), (c.done - c.start).ps()});
}

Run::CacheShare Run::cache_share(wl::OpId id) {
  CacheShare share;
  const wl::OpNode& op = graph_.op(id);
  std::optional<CacheResidency>& slot = residency_[static_cast<std::size_t>(op.stage)];
  if (!slot) return share;
  CacheResidency& cache = *slot;
  const OpLayout& where = layout_[id];
  const std::vector<wl::OpId>& producers = producers_[id];
  std::uint64_t inputs = 0, found = 0;
  for (wl::OpId p : producers) {
    const Region& r = layout_[p].c;
    inputs += r.size;
    if (graph_.op(p).stage == op.stage) found += cache.present(r);
  }
  if (inputs > 0) share.a_miss = 1.0 - static_cast<double>(found) / static_cast<double>(inputs);
  if (where.has_b) share.b_miss = 1.0 - static_cast<double>(cache.present(where.b)) / static_cast<double>(where.b.size);
  for (wl::OpId p : producers) {
    if (graph_.op(p).stage == op.stage) share.written_back += cache.touch(layout_[p].c, false);
  }
  if (producers.empty()) share.written_back += cache.touch(where.a, false);
  if (where.has_b) share.written_back += cache.touch(where.b, false);
  share.written_back += cache.touch(where.c, true);
  return share;
}

Bytes Run::write_back(CacheShare& share, const OpPlan& plan, bool last) {
  ++share.tiles_done;
  const double tiles = static_cast<double>(std::max<std::int64_t>(plan.tiles, share.tiles_done));
  const auto due = last ? share.written_back
                        : static_cast<std::uint64_t>(static_cast<double>(share.written_back) * static_cast<double>(share.tiles_done) / tiles);
  const std::uint64_t now = std::max(due, share.paid) - share.paid;
  share.paid += now;
  return Bytes(static_cast<std::int64_t>(now));
}

Time Run::load(const TileStep& s, const arch::ComputeUnit& u, OpRecord& rec, const OpLayout& where,
          Cursors& at, arch::Chip& ch, double codec_ratio, const CacheShare* cached) {
  Time done = kernel::Context::now();
  // load_extra: the outside inputs of a fused epilogue (a residual), read beside the accumulators.
  const std::tuple<Bytes, arch::MemoryModel*, const driver::Region&, std::uint64_t&> parts[] = {
      {s.load_a, u.ifmap_buffer, where.a, at.a},
      {s.load_b, u.filter_buffer, where.b, at.b},
      {s.load_c, u.ofmap_buffer, where.c, at.c},
      {s.load_extra, u.ofmap_buffer, where.a, at.extra}};
  const double miss[] = {cached ? cached->a_miss : 1, cached ? cached->b_miss : 1, 1, cached ? cached->a_miss : 1};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& [all, buffer, region, cursor] = parts[i];
    if (all.count() == 0) continue;
    const Bytes bytes = miss[i] < 1 ? Bytes(static_cast<std::int64_t>(std::ceil(static_cast<double>(all.count()) * miss[i]))) : all;
    if (bytes < all && ch.cache() != buffer) {
      // Found in a cache that is not the unit's buffer: read there, then staged into the buffer.
      Completion h = access(*ch.cache(), MemRequest{all - bytes, false}, rec, false);
      Completion b = access(*buffer, MemRequest{all - bytes, true}, rec, false);
      done = std::max({done, h.done, b.done});
    }
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

Time Run::decode(wl::OpId id, TileStep& step, Time loaded, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
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

Time Run::run_fused(wl::OpId id, arch::ComputeTask& task, Time ready, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
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

Time Run::run_softmax_pv(wl::OpId id, TileStep& step, const Completion& scores, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch) {
  const bool overlap = u.model->overlaps_softmax();
  step.softmax.epilogue = overlap;
  const Time probs = run_fused(id, step.softmax, overlap ? scores.start : scores.done, u, rec, ch);
  step.pv.region = regions_[id].region;
  step.pv.parts = regions_[id].parts;
  Completion c = u.model->execute(step.pv, overlap ? scores.done : probs);
  charge(*u.model, c, rec);
  count_task(u.model->estimate(step.pv), c, rec);
  return std::max(c.done, probs);
}

void Run::count_task(const arch::TaskCost& cost, const Completion& c, OpRecord& rec) {
  rec.compute_busy += c.done - c.start;
  rec.cycles += cost.cycles;
  rec.paced_busy[static_cast<int>(cost.feed)] += c.done - c.start;
}

void Run::run_op(wl::OpId id, kernel::Context& ctx) {
  if (wl::is_collective(graph_.op(id))) return run_collective(id, ctx);
  arch::Chip& ch = chip(id);
  const OpPlan& plan = plans_[id];
  const arch::ComputeUnit& u = ch.compute_units()[plan.unit];
  OpRecord& rec = records_[id];
  if (queue_of_[id]) queue_of_[id]->acquire(microbatch_[id]);
  rec.start = kernel::Context::now();
  // The power controller retunes the clock as a kernel starts: one clock for the whole chip.
  if (governed_of_[id] >= 0) clock_[id] = governed_[static_cast<std::size_t>(governed_of_[id])].setting;
  ch.set_clock(clock_[id]);
  current_op_name_ = graph_.op(id).name;
  const OpLayout& where = layout_[id];
  Cursors at;
  std::optional<CacheShare> share;
  if (residency_[static_cast<std::size_t>(graph_.op(id).stage)]) share = cache_share(id);
  const CacheShare* cached = share ? &*share : nullptr;

  TileWalker walker(plan, ch);
  TileStep cur, nxt;
  bool have = walker.next(cur);
  const double codec = plan.weights.format.codec_ratio;
  kernel::Context::wait_until(load(cur, u, rec, where, at, ch, codec, cached));
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
    Time compute_done = plan.attention ? run_softmax_pv(id, cur, c, u, rec, ch) : c.done;
    const std::pair<Bytes, arch::MemoryModel*> operands[] = {
        {cur.buffer_read_a, u.ifmap_buffer}, {cur.buffer_read_b, u.filter_buffer}, {cur.buffer_write_c, u.ofmap_buffer}};
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& [bytes, buffer] = operands[i];
      if (bytes.count() == 0) continue;
      Completion b = access(*buffer, MemRequest{bytes, i == 2}, rec, false);
      compute_done = std::max(compute_done, b.done);
    }
    // Double buffering: the next tile streams into the free half while this one computes.
    const Time next_loaded = have_next ? load(nxt, u, rec, where, at, ch, codec, cached) : kernel::Context::now();
    const Time next_decoded = have_next ? decode(id, nxt, next_loaded, u, rec, ch) : next_loaded;
    // A fused epilogue runs on the finished block before it leaves. The next block's loads are
    // already in flight; its MACs wait for the epilogue (a few ops per element against 2K for the
    // MACs), a small serialisation that keeps every request in simulated-time order.
    kernel::Context::wait_until(std::max(compute_done, run_fused(id, cur.epilogue, compute_done, u, rec, ch)));
    // Behind a write-back cache the block stays there; what reaches main memory is what it evicts.
    const Bytes stored = share ? write_back(*share, plan, !have_next) : cur.store_c;
    if (stored.count() > 0) {
      Completion r = access(share ? *ch.cache() : *u.ofmap_buffer, MemRequest{stored, false}, rec, false);
      Completion w = access(ch.main_memory(),
                            MemRequest{stored, true, arch::AccessPattern::kSequential, Bytes(64), where.c.at(at.store)}, rec, true);
      at.store += static_cast<std::uint64_t>(stored.count());
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
  correct_demand(id);
  finish(id, ctx);
}

void Run::correct_demand(wl::OpId id) {
  if (governed_of_[id] < 0) return;
  GovernedPlan& g = governed_[static_cast<std::size_t>(governed_of_[id])];
  if (g.measured) return;
  g.measured = true;
  const double predicted = g.demand.duration(clock_[id].clock).seconds();
  const double took = (records_[id].end - records_[id].start).seconds();
  if (predicted <= 0 || took <= 0) return;
  // Latencies and queueing the walk does not see stretch the kernel's time at the clock it ran at;
  // its energy the walk predicts closely. A factor far from 1 means another kernel shared the chip:
  // no correction then.
  const double factor = took / predicted;
  if (factor < 0.5 || factor > 2.0) return;
  g.demand.on_die = Time::from_seconds_ceil(g.demand.on_die.seconds() * factor);
  g.demand.off_die_floor = Time::from_seconds_ceil(g.demand.off_die_floor.seconds() * factor);
  g.setting = chip(id).governor()->setting(g.demand);
}

}  // namespace xpusim::driver
