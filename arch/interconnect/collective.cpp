// SPDX-License-Identifier: MIT
#include "arch/interconnect/collective.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/interconnect/crossbar_switch.h"
#include "sim/int_math.h"

namespace xpusim::arch {
namespace {

/// NCCL's NVLS pipeline chunk (NCCL_NVLS_CHUNKSIZE default, 128 KiB), and at most this many chunks per
/// collective, so a large buffer does not cost thousands of reservations.
constexpr std::int64_t kNvlsChunk = 128 * 1024;
constexpr std::int64_t kMaxNvlsChunks = 64;

Bytes chunk(Bytes total, std::size_t n) { return Bytes(ceil_div(total.count(), static_cast<std::int64_t>(n))); }

/// `rounds` steps in which every chip sends `piece` to the chip `shift(round)` places after it.
void ring_steps(std::vector<CollectiveStep>& out, const std::vector<int>& group, Bytes piece, std::size_t rounds,
                bool pairwise) {
  const std::size_t n = group.size();
  for (std::size_t r = 0; r < rounds; ++r) {
    CollectiveStep step;
    const std::size_t shift = pairwise ? r + 1 : 1;
    for (std::size_t i = 0; i < n; ++i) step.push_back(Transfer{group[i], group[(i + shift) % n], piece});
    out.push_back(std::move(step));
  }
}

void tree_steps(std::vector<CollectiveStep>& out, const std::vector<int>& group, Bytes bytes) {
  // Binary tree on group positions: parent of i is (i - 1) / 2. Level of i: floor(log2(i + 1)).
  const std::size_t n = group.size();
  std::size_t depth = 0;
  while ((std::size_t{1} << (depth + 1)) - 1 < n) ++depth;  // deepest level index
  auto level_of = [](std::size_t i) {
    std::size_t l = 0;
    while ((std::size_t{1} << (l + 1)) - 1 <= i) ++l;
    return l;
  };
  std::vector<CollectiveStep> up;
  for (std::size_t level = depth; level >= 1; --level) {
    CollectiveStep step;
    for (std::size_t i = 1; i < n; ++i) {
      if (level_of(i) == level) step.push_back(Transfer{group[i], group[(i - 1) / 2], bytes});
    }
    up.push_back(std::move(step));
  }
  for (const auto& s : up) out.push_back(s);
  for (auto it = up.rbegin(); it != up.rend(); ++it) {
    CollectiveStep down;
    for (const Transfer& t : *it) down.push_back(Transfer{t.dst, t.src, t.bytes});
    out.push_back(std::move(down));
  }
}

/// One step in which every chip sends `piece` to every other chip.
CollectiveStep all_pairs(const std::vector<int>& group, Bytes piece) {
  CollectiveStep step;
  for (std::size_t k = 1; k < group.size(); ++k) {
    for (std::size_t i = 0; i < group.size(); ++i) step.push_back(Transfer{group[i], group[(i + k) % group.size()], piece});
  }
  return step;
}

/// NVLS all-reduce as one pipelined step. Per chunk k and owner j: a switch reduction of j's part
/// into j, then j's multicast of the result, which waits for that reduction. Owner j has W chunks in
/// flight: its reduction of chunk k waits for its multicast of chunk k - W (a buffer slot frees). W
/// covers a chunk's round trip through the switch (the bandwidth-delay product), at most
/// NCCL_STEPS = 8, the slots NCCL keeps per channel; more would only lengthen the pipeline's fill and
/// drain. Wire bytes are the payload over the switch's NVLS efficiency.
CollectiveStep nvls_step(const std::vector<int>& group, Bytes bytes, const Topology& topology) {
  constexpr std::int64_t kNcclSteps = 8;
  const double efficiency = topology.nvls_switch()->nvls_efficiency();
  const auto n = static_cast<std::int64_t>(group.size());
  const std::int64_t chunks = std::clamp(ceil_div(bytes.count(), kNvlsChunk), std::int64_t{1}, kMaxNvlsChunks);
  const std::int64_t piece = ceil_div(bytes.count(), chunks * n);
  const Bytes wire(static_cast<std::int64_t>(std::ceil(static_cast<double>(piece) / efficiency)));
  // One chunk's traffic on a chip's link ((n + 1) pieces) against a reduction's and a multicast's latency.
  const Transfer probe{-1, group.front(), wire, TransferMode::kSwitchReduce};
  const Time chunk_time = wire * (n + 1) / topology.route_bandwidth(group[0], group[1]);
  const Time round_trip = topology.path_latency(probe) * 2;
  const std::int64_t in_flight =
      std::clamp(ceil_div(round_trip.ps(), std::max<std::int64_t>(chunk_time.ps(), 1)) + 2, std::int64_t{2}, kNcclSteps);
  CollectiveStep step;
  // Index in `step` of the reduction / multicast of chunk k for owner j: [k * n + j].
  std::vector<int> reduction(static_cast<std::size_t>(chunks * n)), multicast(static_cast<std::size_t>(chunks * n));
  const auto at = [n](std::int64_t k, std::int64_t j) { return static_cast<std::size_t>(k * n + j); };
  for (std::int64_t k = 0; k < chunks; ++k) {
    for (std::int64_t j = 0; j < n; ++j) {
      reduction[at(k, j)] = static_cast<int>(step.size());
      const int slot = k >= in_flight ? multicast[at(k - in_flight, j)] : -1;
      step.push_back(Transfer{-1, group[static_cast<std::size_t>(j)], wire, TransferMode::kSwitchReduce, slot});
      multicast[at(k, j)] = static_cast<int>(step.size());
      step.push_back(Transfer{group[static_cast<std::size_t>(j)], -1, wire, TransferMode::kSwitchMulticast, reduction[at(k, j)]});
    }
  }
  return step;
}

}  // namespace

std::string to_string(CollectiveAlgorithm a) {
  switch (a) {
    case CollectiveAlgorithm::kRing: return "ring";
    case CollectiveAlgorithm::kTree: return "tree";
    case CollectiveAlgorithm::kNvls: return "nvls";
    case CollectiveAlgorithm::kDirect: return "direct";
    case CollectiveAlgorithm::kAuto: return "auto";
  }
  return "?";
}

std::optional<CollectiveAlgorithm> parse_algorithm(const std::string& s) {
  for (auto a : {CollectiveAlgorithm::kRing, CollectiveAlgorithm::kTree, CollectiveAlgorithm::kNvls, CollectiveAlgorithm::kDirect,
                 CollectiveAlgorithm::kAuto}) {
    if (s == to_string(a)) return a;
  }
  return std::nullopt;
}

bool supports(CollectiveAlgorithm a, Collective c, const Topology& topology) {
  switch (a) {
    case CollectiveAlgorithm::kTree: return c == Collective::kAllReduce;
    case CollectiveAlgorithm::kNvls: return c == Collective::kAllReduce && topology.nvls_switch() != nullptr;
    default: return true;
  }
}

CollectivePlan plan_collective(Collective c, Bytes bytes, const std::vector<int>& group, CollectiveAlgorithm algorithm,
                               const Topology* topology) {
  if (bytes.count() <= 0) throw std::invalid_argument("collective: bytes must be positive");
  CollectivePlan plan{algorithm, group, {}};
  const std::size_t n = group.size();
  if (n <= 1) return plan;
  if (algorithm == CollectiveAlgorithm::kAuto) {
    if (!topology) throw std::invalid_argument("collective: algorithm auto needs the topology");
    return plan_collective(c, bytes, group, choose_algorithm(c, bytes, group, *topology), topology);
  }
  if (algorithm == CollectiveAlgorithm::kTree && c != Collective::kAllReduce) {
    throw std::invalid_argument("collective: tree is an all-reduce algorithm");
  }
  if (algorithm == CollectiveAlgorithm::kNvls && (!topology || !supports(algorithm, c, *topology))) {
    throw std::invalid_argument("collective: nvls needs an all-reduce on a switch with nvls: true");
  }
  const Bytes piece = chunk(bytes, n);
  switch (algorithm) {
    case CollectiveAlgorithm::kTree: tree_steps(plan.steps, group, bytes); return plan;
    case CollectiveAlgorithm::kNvls: plan.steps.push_back(nvls_step(group, bytes, *topology)); return plan;
    case CollectiveAlgorithm::kDirect:
      // All-to-all and the halves of an all-reduce send each peer its own S/N piece.
      plan.steps.push_back(all_pairs(group, piece));
      if (c == Collective::kAllReduce) plan.steps.push_back(all_pairs(group, piece));
      return plan;
    default: break;
  }
  switch (c) {
    case Collective::kAllReduce: ring_steps(plan.steps, group, piece, 2 * (n - 1), false); break;
    case Collective::kAllGather:
    case Collective::kReduceScatter: ring_steps(plan.steps, group, piece, n - 1, false); break;
    case Collective::kAllToAll: ring_steps(plan.steps, group, piece, n - 1, true); break;
  }
  return plan;
}

double bus_bandwidth_factor(Collective c, int group_size) {
  const double n = group_size;
  if (group_size <= 1) return 0;
  return c == Collective::kAllReduce ? 2.0 * (n - 1) / n : (n - 1) / n;
}

}  // namespace xpusim::arch
