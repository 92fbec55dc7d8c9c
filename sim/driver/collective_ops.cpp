// SPDX-License-Identifier: MIT
#include "sim/driver/collective_ops.h"

#include "sim/config/config_error.h"

namespace xpusim::driver {

void check_collective(const arch::System* system, const wl::OpNode& op, const std::string& graph_name) {
  const auto& c = std::get<wl::CollectiveShape>(op.shape);
  const bool needs_links = c.group > 1 || op.kind == wl::OpKind::kSendRecv;
  if (needs_links && (!system || !system->topology())) {
    throw ConfigError(SourceMark{graph_name, 0, 0}, "op '" + op.name + "' (" + std::string(wl::to_string(op.kind)) +
                                                        ") needs a multi-chip system; run it with --system");
  }
  if (system && c.group > system->parallelism().tp) {
    throw ConfigError(SourceMark{graph_name, 0, 0}, "op '" + op.name + "' spans " + std::to_string(c.group) +
                                                        " chips, more than the stage's tp=" + std::to_string(system->parallelism().tp));
  }
}

arch::CollectivePlan plan_op_collective(const arch::System& system, const wl::OpNode& op) {
  arch::CollectivePlan plan;
  if (!system.topology()) return plan;
  const auto& c = std::get<wl::CollectiveShape>(op.shape);
  std::vector<int> group = system.stage_group(op.stage);
  if (op.kind == wl::OpKind::kSendRecv) {
    // Every chip of the stage sends its copy of the activations to its peer in the next stage.
    const std::vector<int> peers = system.stage_group(c.peer_stage);
    arch::CollectiveStep step;
    for (std::size_t i = 0; i < group.size(); ++i) step.push_back(arch::Transfer{group[i], peers[i], Bytes(c.bytes)});
    plan.group = group;
    plan.steps.push_back(std::move(step));
    return plan;
  }
  group.resize(static_cast<std::size_t>(c.group));
  const arch::Collective kind = op.kind == wl::OpKind::kAllReduce       ? arch::Collective::kAllReduce
                                : op.kind == wl::OpKind::kAllGather     ? arch::Collective::kAllGather
                                : op.kind == wl::OpKind::kReduceScatter ? arch::Collective::kReduceScatter
                                                                        : arch::Collective::kAllToAll;
  arch::CollectiveAlgorithm a = system.algorithm();
  if (a != arch::CollectiveAlgorithm::kAuto && !arch::supports(a, kind, *system.topology())) a = arch::CollectiveAlgorithm::kRing;
  return arch::plan_collective(kind, Bytes(c.bytes), group, a, system.topology());
}

CollectivePlans::Entry& CollectivePlans::entry(const wl::OpNode& op) {
  const auto& c = std::get<wl::CollectiveShape>(op.shape);
  const auto key = std::make_tuple(static_cast<int>(op.kind), c.bytes, op.stage, c.group, c.peer_stage);
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  return entries_.emplace(key, Entry{system_ ? plan_op_collective(*system_, op) : arch::CollectivePlan{}, std::nullopt}).first->second;
}

const arch::CollectivePlan& CollectivePlans::plan(const wl::OpNode& op) { return entry(op).plan; }

Time CollectivePlans::floor(const wl::OpNode& op) {
  Entry& e = entry(op);
  if (!e.floor) e.floor = system_ && system_->topology() ? arch::estimate(*system_->topology(), e.plan, false) : Time(0);
  return *e.floor;
}

}  // namespace xpusim::driver
