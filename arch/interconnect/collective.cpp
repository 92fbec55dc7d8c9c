// SPDX-License-Identifier: MIT
#include "arch/interconnect/collective.h"

#include <stdexcept>

namespace xpusim::arch {
namespace {

Bytes chunk(Bytes total, std::size_t n) {
  const auto parts = static_cast<std::int64_t>(n);
  return Bytes((total.count() + parts - 1) / parts);
}

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

}  // namespace

std::vector<CollectiveStep> plan_collective(Collective c, Bytes bytes, const std::vector<int>& group,
                                            CollectiveAlgorithm algorithm) {
  if (bytes.count() <= 0) throw std::invalid_argument("collective: bytes must be positive");
  std::vector<CollectiveStep> steps;
  const std::size_t n = group.size();
  if (n <= 1) return steps;
  const Bytes piece = chunk(bytes, n);
  switch (c) {
    case Collective::kAllReduce:
      if (algorithm == CollectiveAlgorithm::kTree) {
        tree_steps(steps, group, bytes);
      } else {
        ring_steps(steps, group, piece, 2 * (n - 1), false);
      }
      break;
    case Collective::kAllGather:
    case Collective::kReduceScatter: ring_steps(steps, group, piece, n - 1, false); break;
    case Collective::kAllToAll: ring_steps(steps, group, piece, n - 1, true); break;
  }
  return steps;
}

double bus_bandwidth_factor(Collective c, int group_size) {
  const double n = group_size;
  if (group_size <= 1) return 0;
  return c == Collective::kAllReduce ? 2.0 * (n - 1) / n : (n - 1) / n;
}

}  // namespace xpusim::arch
