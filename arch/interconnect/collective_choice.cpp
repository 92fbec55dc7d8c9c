// SPDX-License-Identifier: MIT
// Estimating a collective plan on an idle topology, choosing an algorithm from those estimates (as
// NCCL's tuner picks the least latency + size / bandwidth), and issuing a plan's step on the links.
#include <algorithm>
#include <map>

#include "arch/interconnect/collective.h"

namespace xpusim::arch {

Time estimate(const Topology& topology, const CollectivePlan& plan, bool with_latency) {
  Time total{0};
  for (const CollectiveStep& step : plan.steps) {
    std::map<std::pair<const LinkModel*, int>, Bytes> load;
    std::vector<Time> chain(step.size(), Time(0));  // latency of each transfer's dependency chain
    Time latency{0};
    for (std::size_t i = 0; i < step.size(); ++i) {
      const Transfer& t = step[i];
      for (const auto& [hop, bytes] : topology.loads(t, plan.group)) load[{hop.element, hop.channel}] += bytes;
      chain[i] = topology.path_latency(t) + (t.after >= 0 ? chain[static_cast<std::size_t>(t.after)] : Time(0));
      latency = std::max(latency, chain[i]);
    }
    Time busiest{0};
    for (const auto& [channel, bytes] : load) busiest = std::max(busiest, bytes / channel.first->channel_bandwidth());
    total += busiest + (with_latency ? latency : Time(0));
  }
  return total;
}

CollectiveAlgorithm choose_algorithm(Collective c, Bytes bytes, const std::vector<int>& group, const Topology& topology) {
  // NCCL's candidates on this fabric: rings and trees everywhere, NVLS on an NVLS switch; on a full
  // mesh, "direct" stands for NCCL's rings over every link (same bytes per link, fewer steps).
  std::vector<CollectiveAlgorithm> candidates{CollectiveAlgorithm::kRing, CollectiveAlgorithm::kTree, CollectiveAlgorithm::kNvls};
  if (topology.kind() == TopologyKind::kMesh) candidates.push_back(CollectiveAlgorithm::kDirect);
  CollectiveAlgorithm best = CollectiveAlgorithm::kRing;
  Time best_time = Time::max();
  for (CollectiveAlgorithm a : candidates) {
    if (!supports(a, c, topology)) continue;
    const Time t = estimate(topology, plan_collective(c, bytes, group, a, &topology));
    if (t < best_time) {  // ties keep the earlier (simpler) algorithm: deterministic
      best = a;
      best_time = t;
    }
  }
  return best;
}

Completion issue_step(const Topology& topology, const CollectivePlan& plan, std::size_t s, Time now) {
  const CollectiveStep& step = plan.steps.at(s);
  std::vector<Time> arrived(step.size(), now);
  Completion total{now, now, Energy(0)};
  for (std::size_t i = 0; i < step.size(); ++i) {
    const Transfer& t = step[i];
    const Time ready = t.after >= 0 ? arrived[static_cast<std::size_t>(t.after)] : now;
    Completion c = topology.issue(t, plan.group, ready);
    arrived[i] = c.done;
    total.done = std::max(total.done, c.done);
    total.energy += c.energy;
  }
  return total;
}

}  // namespace xpusim::arch
