// SPDX-License-Identifier: MIT
// The timelines of a spatial unit (at-memory grid, wafer mesh) whose layers may hold regions of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "arch/component.h"
#include "arch/compute_model.h"

namespace xpusim::arch {

/// One timeline for the whole unit (region -1) and one per region, so tasks of different regions
/// overlap while each region is first-come first-served. On a layer's region, element-wise work rides
/// the output path of the layer's PEs (fused): it has a lane of its own there instead of queueing
/// behind the region's next matrix tile.
class SpatialLanes {
 public:
  /// Reserves `duration` for `task` on its lane, no earlier than `now`; returns the start.
  Time reserve(const ComputeTask& task, Time now, Time duration) {
    const bool fused = task.cls == TaskClass::kVector && task.region >= 0;
    return lane(fused ? fused_ : main_, task.region).reserve(now, duration);
  }
  void reset() {
    main_.clear();
    fused_.clear();
    whole_.reset();
  }

 private:
  Reservation& lane(std::vector<Reservation>& lanes, std::int32_t region) {
    if (region < 0) return whole_;
    const auto r = static_cast<std::size_t>(region);
    if (r >= lanes.size()) lanes.resize(r + 1);
    return lanes[r];
  }

  Reservation whole_;
  std::vector<Reservation> main_, fused_;
};

}  // namespace xpusim::arch
