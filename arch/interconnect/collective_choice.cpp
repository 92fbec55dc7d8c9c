// SPDX-License-Identifier: MIT
// Estimating a collective plan on an idle topology, choosing an algorithm from those estimates (as
// NCCL's tuner picks the least latency + size / bandwidth), and issuing a plan's step on the links.
#include <algorithm>
#include <functional>
#include <map>
#include <queue>

#include "arch/interconnect/collective.h"

namespace xpusim::arch {

Time estimate(const Topology& topology, const CollectivePlan& plan, bool with_latency) {
  Time total{0};
  for (const CollectiveStep& step : plan.steps) {
    std::map<std::pair<const LinkModel*, int>, Bytes> load;
    // A pipeline's chunks overlap: its latency is one transfer plus the one it waits for (a
    // reduction's result before its multicast), not the whole chain of chunks.
    Time latency{0};
    for (const Transfer& t : step) {
      for (const auto& [hop, bytes] : topology.loads(t, plan.group)) load[{hop.element, hop.channel}] += bytes;
      const Time before = t.after >= 0 ? topology.path_latency(step[static_cast<std::size_t>(t.after)]) : Time(0);
      latency = std::max(latency, topology.path_latency(t) + before);
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
  // Transfers are issued in the order they become ready (ties: plan order), so the links' first-come
  // first-served reservations see them in simulated-time order, as the engine issues ops.
  std::vector<std::vector<std::size_t>> waiting(step.size());
  using Ready = std::pair<Time, std::size_t>;
  std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
  for (std::size_t i = 0; i < step.size(); ++i) {
    if (step[i].after >= 0) {
      waiting[static_cast<std::size_t>(step[i].after)].push_back(i);
    } else {
      ready.emplace(now, i);
    }
  }
  Completion total{now, now, Energy(0)};
  while (!ready.empty()) {
    const auto [at, i] = ready.top();
    ready.pop();
    const Completion c = topology.issue(step[i], plan.group, at);
    total.done = std::max(total.done, c.done);
    total.energy += c.energy;
    for (std::size_t next : waiting[i]) ready.emplace(c.done, next);
  }
  return total;
}

}  // namespace xpusim::arch
