// SPDX-License-Identifier: MIT
#include "arch/interconnect/topology.h"

#include <algorithm>
#include <stdexcept>

namespace xpusim::arch {

void Topology::add_link(int a, int b, std::unique_ptr<LinkModel> link) {
  const int index = static_cast<int>(elements_.size());
  elements_.push_back(std::move(link));
  neighbor_link_[static_cast<std::size_t>(a * chips_ + b)] = index;
  neighbor_link_[static_cast<std::size_t>(b * chips_ + a)] = index;
}

Hop Topology::hop(int from, int to) const {
  const int index = neighbor_link_[static_cast<std::size_t>(from * chips_ + to)];
  if (index < 0) throw std::logic_error("topology: chips " + std::to_string(from) + " and " + std::to_string(to) + " are not adjacent");
  // A link built between a < b carries a -> b on channel 0.
  return Hop{elements_[static_cast<std::size_t>(index)].get(), from < to ? 0 : 1};
}

void Topology::compute_routes(const std::vector<int>& dims) {
  routes_.assign(static_cast<std::size_t>(chips_ * chips_), Route{});
  std::vector<int> stride(dims.size(), 1);
  for (std::size_t d = 1; d < dims.size(); ++d) stride[d] = stride[d - 1] * dims[d - 1];
  for (int s = 0; s < chips_; ++s) {
    for (int t = 0; t < chips_; ++t) {
      if (s == t) continue;
      Route& r = routes_[static_cast<std::size_t>(s * chips_ + t)];
      if (kind_ == TopologyKind::kSwitch) {
        // Up the source's link, across the switch to the destination's port, down its link.
        r.push_back(Hop{elements_[static_cast<std::size_t>(switch_link_[static_cast<std::size_t>(s)])].get(), 0});
        r.push_back(Hop{switch_, t});
        r.push_back(Hop{elements_[static_cast<std::size_t>(switch_link_[static_cast<std::size_t>(t)])].get(), 1});
        continue;
      }
      if (kind_ == TopologyKind::kMesh) {
        r.push_back(hop(s, t));
        continue;
      }
      // Dimension-order routing, the shorter way round each ring (ties go forward).
      int cur = s;
      for (std::size_t d = 0; d < dims.size(); ++d) {
        const int n = dims[d];
        const int from = (cur / stride[d]) % n, to = (t / stride[d]) % n;
        const int forward = (to - from + n) % n;
        const int step = forward <= n - forward ? 1 : -1;
        for (int k = 0, moves = std::min(forward, n - forward); k < moves; ++k) {
          const int coord = (cur / stride[d]) % n;
          const int next = cur + ((coord + step + n) % n - coord) * stride[d];
          r.push_back(hop(cur, next));
          cur = next;
        }
      }
    }
  }
}

const Route& Topology::route(int src, int dst) const {
  if (src < 0 || dst < 0 || src >= chips_ || dst >= chips_) throw std::out_of_range("topology: chip index out of range");
  return routes_[static_cast<std::size_t>(src * chips_ + dst)];
}

Bandwidth Topology::route_bandwidth(int src, int dst) const {
  Bandwidth bw{0};
  for (const Hop& h : route(src, dst)) {
    if (bw.bytes_per_second() == 0 || h.element->channel_bandwidth() < bw) bw = h.element->channel_bandwidth();
  }
  return bw;
}

Completion Topology::transfer(const Transfer& t, Time now) const {
  Completion total{now, now, Energy(0)};
  if (t.src == t.dst || t.bytes.count() == 0) return total;
  Time ready = now;
  bool first = true;
  for (const Hop& h : route(t.src, t.dst)) {
    Completion c = h.element->transfer(t.bytes, h.channel, ready);
    // The last byte leaves this hop no earlier than it arrived from the previous one plus this hop's latency.
    total.done = first ? c.done : std::max(c.done, total.done + h.element->latency());
    if (first) total.start = c.start;
    first = false;
    total.energy += c.energy;
    ready = c.start + h.element->latency();  // cut-through: the next hop starts on the first bytes
  }
  return total;
}

void Topology::reset() {
  for (auto& e : elements_) e->reset();
}

}  // namespace xpusim::arch
