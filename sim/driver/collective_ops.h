// SPDX-License-Identifier: MIT
// Collective ops of a sharded graph on a system: whether they can run, the link-transfer plan they
// become, and the floor no collective can beat.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "arch/interconnect/collective.h"
#include "arch/system.h"
#include "workloads/op.h"

namespace xpusim::driver {

/// Throws ConfigError when collective `op` of graph `graph_name` cannot run: it needs links and
/// `system` (nullptr for a lone chip) has none, or it spans more chips than the stage's tp.
void check_collective(const arch::System* system, const wl::OpNode& op, const std::string& graph_name);

/// The plan of collective op `op` over its stage's chips: send/recv to the peer stage's chips, or the
/// collective under the system's algorithm (`auto`: chosen by size). A configured algorithm the
/// collective cannot use (nvls for an all-gather, tree for an all-to-all) falls back to the ring, as
/// NCCL does. Empty for a system without links.
arch::CollectivePlan plan_op_collective(const arch::System& system, const wl::OpNode& op);

/// The collective plans of one run. Identical collectives (same kind, size, stage, group and peer)
/// share one, so an algorithm is chosen, and the floor worked out, once per run and size.
class CollectivePlans {
 public:
  /// `system`: nullptr for a lone chip (every plan is then empty).
  explicit CollectivePlans(const arch::System* system) : system_(system) {}
  /// plan_op_collective's plan of `op`.
  const arch::CollectivePlan& plan(const wl::OpNode& op);
  /// The busiest channel's bytes over its bandwidth, step by step: no run of the plan can beat it.
  /// 0 without links.
  Time floor(const wl::OpNode& op);

 private:
  struct Entry {
    arch::CollectivePlan plan;
    std::optional<Time> floor;
  };
  Entry& entry(const wl::OpNode& op);

  const arch::System* system_;
  std::map<std::tuple<int, std::int64_t, std::int32_t, std::int64_t, std::int32_t>, Entry> entries_;
};

}  // namespace xpusim::driver
