// SPDX-License-Identifier: MIT
// Layer placement on spatial units (at-memory grids, wafer meshes with pipeline_layers): each layer
// holds a region of the unit's parts, its weights resident there, so layers of different micro-batches
// run side by side and the pipeline emerges in the engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/driver/mapper.h"
#include "workloads/op_graph.h"

namespace xpusim::driver {

/// Where an op runs on its unit: region -1 means the whole unit.
struct OpRegion {
  std::int32_t region = -1;
  std::int64_t parts = 0;
};

/// Places the ops of `graph` that run on spatial units (`plans[id].unit` on chip `chips[stage]` with
/// spatial_parts() > 0). Every layer with weights gets a region of parts in proportion to its MACs (at
/// least one part; with more layers than parts, consecutive layers share a region); an op without
/// weights (norm, activation, add) joins the region of the latest layer before it in its micro-batch
/// copy, or of the first one after it. Ops on other units, and on a spatial unit that has no layer,
/// get region -1 (the whole unit).
std::vector<OpRegion> place_layers(const wl::OpGraph& graph, const std::vector<wl::OpId>& order,
                                   const std::vector<OpPlan>& plans, const std::vector<arch::Chip*>& chips);

}  // namespace xpusim::driver
