// SPDX-License-Identifier: MIT
#include "sim/driver/kernel_demand.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace xpusim::driver {
namespace {

/// Busy time per component; a kernel touches a handful, so a flat list beats a map.
class BusyTimes {
 public:
  void add(const arch::Component* c, Time t) {
    for (auto& [who, busy] : busy_) {
      if (who == c) {
        busy += t;
        return;
      }
    }
    busy_.emplace_back(c, t);
  }
  Time max() const {
    Time m{0};
    for (const auto& [who, busy] : busy_) m = std::max(m, busy);
    return m;
  }

 private:
  std::vector<std::pair<const arch::Component*, Time>> busy_;
};

/// Cost estimates of the last few distinct tasks: a kernel's tiles repeat a handful of shapes (full
/// and edge tiles, their decode passes and epilogues), so the walk asks each unit once per shape.
class CostCache {
 public:
  const arch::TaskCost& estimate(const arch::ComputeModel& unit, const arch::ComputeTask& task) {
    for (const Entry& e : entries_) {
      if (e.unit == &unit && e.task == task) return e.cost;
    }
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    e = Entry{&unit, task, unit.estimate(task)};
    return e.cost;
  }

 private:
  struct Entry {
    const arch::ComputeModel* unit = nullptr;
    arch::ComputeTask task;
    arch::TaskCost cost;
  };
  std::array<Entry, 8> entries_{};
  std::size_t next_ = 0;
};

}  // namespace

arch::KernelDemand kernel_demand(const OpPlan& plan, const arch::Chip& chip) {
  arch::KernelDemand d;
  BusyTimes busy;
  CostCache costs;
  double floor_s = 0;
  const arch::ComputeUnit& u = chip.compute_units()[plan.unit];
  const arch::MemoryModel& main = chip.main_memory();
  // A task's energy, and its time when it runs on the op's own unit; tasks of other units only keep
  // those busy.
  auto task = [&](std::size_t unit_index, const arch::ComputeTask& t) -> Time {
    if (t.cls == arch::TaskClass::kVector ? t.elements == 0 : t.m == 0) return Time(0);
    const arch::ComputeModel& m = *chip.compute_units()[unit_index].model;
    const arch::TaskCost& c = costs.estimate(m, t);
    d.on_die_energy += c.energy;
    if (&m == u.model) return c.time;
    busy.add(&m, c.time);
    return Time(0);
  };
  auto buffer = [&](const arch::MemoryModel* b, Bytes n, bool write) {
    if (n.count() == 0) return;
    d.on_die_energy += b->streaming_energy(write) * n;
    busy.add(b, n / b->peak_bandwidth());
  };
  auto main_memory = [&](Bytes n, bool write) {
    if (n.count() == 0) return;
    const Energy e = main.streaming_energy(write) * n;
    if (main.off_chip()) {
      d.off_die_energy += e;
      floor_s += static_cast<double>(n.count()) / main.peak_bandwidth().bytes_per_second();
    } else {
      d.on_die_energy += e;
      busy.add(&main, n / main.peak_bandwidth());
    }
  };
  // The op's unit runs as Run::run_op schedules it: a tile's MACs (with attention's softmax and P x V),
  // beside them the next tile's weight decode (on a side pipe, else after them), then the epilogue.
  // Not modelled: a decode pass also waits for its weights to land, behind the buffer's operand reads
  // (such kernels run 10-15 % longer than predicted; Run::correct_demand corrects alike ones after).
  Time macs{0}, side{0}, epilogues{0};
  for_each_tile(plan, chip, [&](const TileStep& s) {
    macs += task(plan.unit, s.task) + task(plan.epilogue_unit, s.softmax) + task(plan.unit, s.pv);
    const Time decode = task(plan.weights.decode_unit, s.decode);
    side += decode;
    epilogues += task(plan.epilogue_unit, s.epilogue);
    const std::pair<Bytes, const arch::MemoryModel*> loads[] = {
        {s.load_a, u.ifmap_buffer}, {s.load_b, u.filter_buffer}, {s.load_c, u.ofmap_buffer}, {s.load_extra, u.ofmap_buffer}};
    for (const auto& [bytes, into] : loads) {
      main_memory(bytes, false);
      buffer(into, bytes, true);
    }
    buffer(u.ifmap_buffer, s.buffer_read_a, false);
    buffer(u.filter_buffer, s.buffer_read_b, false);
    buffer(u.ofmap_buffer, s.buffer_write_c, true);
    buffer(u.ofmap_buffer, s.store_c, false);
    main_memory(s.store_c, true);
  });
  const bool beside = u.model->side_pipe();
  d.on_die = std::max((beside ? std::max(macs, side) : macs + side) + epilogues, busy.max());
  d.off_die_floor = Time::from_seconds_ceil(floor_s);
  return d;
}

}  // namespace xpusim::driver
