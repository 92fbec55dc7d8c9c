// SPDX-License-Identifier: MIT
#include "sim/driver/kernel_demand.h"

#include <algorithm>
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

}  // namespace

arch::KernelDemand kernel_demand(const OpPlan& plan, const arch::Chip& chip) {
  arch::KernelDemand d;
  BusyTimes busy;
  double floor_s = 0;
  const arch::ComputeUnit& u = chip.compute_units()[plan.unit];
  const arch::MemoryModel& main = chip.main_memory();
  auto task = [&](std::size_t unit_index, const arch::ComputeTask& t) {
    if (t.cls == arch::TaskClass::kVector ? t.elements == 0 : t.m == 0) return;
    const arch::ComputeModel& m = *chip.compute_units()[unit_index].model;
    const arch::TaskCost c = m.estimate(t);
    busy.add(&m, c.time);
    d.on_die_energy += c.energy;
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
  for_each_tile(plan, chip, [&](const TileStep& s) {
    task(plan.unit, s.task);
    task(plan.weights.decode_unit, s.decode);
    task(plan.epilogue_unit, s.softmax);
    task(plan.unit, s.pv);
    task(plan.epilogue_unit, s.epilogue);
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
  d.on_die = busy.max();
  d.off_die_floor = Time::from_seconds_ceil(floor_s);
  return d;
}

}  // namespace xpusim::driver
