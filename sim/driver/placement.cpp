// SPDX-License-Identifier: MIT
// Layer regions on spatial units: parts dealt in proportion to each layer's MACs.
#include "sim/driver/placement.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "workloads/transforms/microbatch.h"

namespace xpusim::driver {
namespace {

/// The micro-batch copy an op belongs to: its "mb<i>/" prefix, or "" for an unsplit graph.
std::string copy_of(const std::string& name) {
  const std::string key = wl::layer_key(name);
  return name.substr(0, name.size() - key.size());
}

}  // namespace

std::vector<OpRegion> place_layers(const wl::OpGraph& graph, const std::vector<wl::OpId>& order,
                                   const std::vector<OpPlan>& plans, const std::vector<arch::Chip*>& chips) {
  std::vector<OpRegion> where(graph.size());
  auto spatial_parts = [&](wl::OpId id) -> std::int64_t {
    const wl::OpNode& op = graph.op(id);
    if (wl::is_collective(op)) return 0;
    return chips[static_cast<std::size_t>(op.stage)]->compute_units()[plans[id].unit].model->spatial_parts();
  };
  // A unit is identified by its stage and index; each has its own layers and parts.
  using Unit = std::pair<std::int32_t, std::size_t>;
  auto unit_of = [&](wl::OpId id) { return Unit{graph.op(id).stage, plans[id].unit}; };

  // Layers (ops with weights) per unit, in order of first appearance, with their MACs per copy.
  std::map<Unit, std::vector<std::string>> layers;
  std::map<std::pair<Unit, std::string>, double> macs;
  for (wl::OpId id : order) {
    if (spatial_parts(id) == 0) continue;
    const wl::OpNode& op = graph.op(id);
    if (wl::weight_bytes(op).count() == 0) continue;
    const auto key = std::make_pair(unit_of(id), wl::layer_key(op.name));
    if (macs.emplace(key, wl::flops(op).count() / 2.0).second) layers[key.first].push_back(key.second);
  }

  // Regions in proportion to MACs, at least one part each; any excess taken back from the largest.
  // With more layers than parts, consecutive layers share a region (in equal numbers).
  std::map<std::pair<Unit, std::string>, OpRegion> region_of;
  for (const auto& [unit, names] : layers) {
    const std::int64_t parts = chips[static_cast<std::size_t>(unit.first)]->compute_units()[unit.second].model->spatial_parts();
    const auto count = static_cast<std::int64_t>(names.size());
    const std::int64_t regions = std::min(count, parts);
    auto region_index = [&](std::size_t i) { return static_cast<std::int64_t>(i) * regions / count; };
    std::vector<double> region_macs(static_cast<std::size_t>(regions), 0.0);
    double total = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const double m = macs.at({unit, names[i]});
      region_macs[static_cast<std::size_t>(region_index(i))] += m;
      total += m;
    }
    std::vector<std::int64_t> share(region_macs.size());
    std::int64_t used = 0;
    for (std::size_t r = 0; r < share.size(); ++r) {
      const double exact = total > 0 ? static_cast<double>(parts) * region_macs[r] / total : 1.0;
      share[r] = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(exact)));
      used += share[r];
    }
    while (used > parts) {  // only the at-least-one rule can overshoot
      --*std::max_element(share.begin(), share.end());
      --used;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::int64_t r = region_index(i);
      region_of[{unit, names[i]}] = OpRegion{static_cast<std::int32_t>(r), share[static_cast<std::size_t>(r)]};
    }
  }

  // Every op on a spatial unit: its own layer's region, or the latest (else the next) layer's of its copy.
  std::map<std::pair<Unit, std::string>, OpRegion> latest;  // per unit and copy
  std::vector<wl::OpId> waiting;                             // ops seen before any layer of their copy
  for (wl::OpId id : order) {
    if (spatial_parts(id) == 0) continue;
    const wl::OpNode& op = graph.op(id);
    const Unit unit = unit_of(id);
    const auto own = region_of.find({unit, wl::layer_key(op.name)});
    const auto copy = std::make_pair(unit, copy_of(op.name));
    if (own != region_of.end()) {
      where[id] = own->second;
      latest[copy] = own->second;
    } else if (const auto l = latest.find(copy); l != latest.end()) {
      where[id] = l->second;
    } else {
      waiting.push_back(id);
      continue;
    }
    // Ops of this copy that came before its first layer join that layer.
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (unit_of(*it) == unit && copy_of(graph.op(*it).name) == copy.second) {
        where[*it] = where[id];
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
  }
  // A unit without any layer (only vector work): nothing to pipeline, the ops share the whole unit.
  return where;
}

}  // namespace xpusim::driver
