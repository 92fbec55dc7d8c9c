// SPDX-License-Identifier: MIT
#include "arch/interconnect/topology.h"

#include <algorithm>
#include <stdexcept>

#include "arch/interconnect/crossbar_switch.h"

namespace xpusim::arch {

CrossbarSwitch* nvls_of(LinkModel* sw) {
  auto* x = dynamic_cast<CrossbarSwitch*>(sw);
  return x && x->nvls() ? x : nullptr;
}

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

Completion Topology::chain(const Route& hops, Bytes bytes, Time ready, Time min_done) const {
  Completion total{ready, min_done, Energy(0)};
  bool first = true;
  for (const Hop& h : hops) {
    Completion c = h.element->transfer(bytes, h.channel, ready);
    // The last byte leaves this hop no earlier than it arrived from the previous one plus this hop's latency.
    total.done = std::max(c.done, total.done + (first ? Time(0) : h.element->latency()));
    if (first) total.start = c.start;
    first = false;
    total.energy += c.energy;
    ready = c.start + h.element->latency();  // cut-through: the next hop starts on the first bytes
  }
  return total;
}

Completion Topology::transfer(const Transfer& t, Time now) const {
  if (t.src == t.dst || t.bytes.count() == 0) return Completion{now, now, Energy(0)};
  return chain(route(t.src, t.dst), t.bytes, now, now);
}

Hop Topology::up(int chip) const {
  return Hop{elements_[static_cast<std::size_t>(switch_link_.at(static_cast<std::size_t>(chip)))].get(), 0};
}

Route Topology::down(int chip) const {
  return Route{Hop{switch_, chip}, Hop{elements_[static_cast<std::size_t>(switch_link_.at(static_cast<std::size_t>(chip)))].get(), 1}};
}

Completion Topology::issue(const Transfer& t, const std::vector<int>& group, Time now) const {
  if (t.mode == TransferMode::kUnicast) return transfer(t, now);
  if (!nvls_switch_) throw std::logic_error("topology: in-switch reduction or multicast needs a switch with nvls: true");
  if (t.bytes.count() == 0) return Completion{now, now, Energy(0)};
  Completion total{now, now, Energy(0)};
  if (t.mode == TransferMode::kSwitchReduce) {
    // Every member's contribution goes up its own link; the switch reduces as the inputs stream in and
    // sends the result down once all of them have arrived.
    Time first_in = Time::max(), last_in = now;
    for (int m : group) {
      const Hop h = up(m);
      Completion c = h.element->transfer(t.bytes, h.channel, now);
      first_in = std::min(first_in, c.start + h.element->latency());
      last_in = std::max(last_in, c.done);
      total.energy += c.energy;
    }
    Completion r = nvls_switch_->reduce(t.bytes, first_in);
    Completion d = chain(down(t.dst), t.bytes, r.start, std::max(last_in, r.done) + switch_->latency());
    total.start = first_in;
    total.done = d.done;
    total.energy += d.energy;
    return total;
  }
  // Multicast: one copy up, the switch replicates it to every member's port.
  const Hop h = up(t.src);
  Completion c = h.element->transfer(t.bytes, h.channel, now);
  total.start = c.start;
  total.energy += c.energy;
  for (int m : group) {
    Completion d = chain(down(m), t.bytes, c.start + h.element->latency(), c.done + switch_->latency());
    total.done = std::max(total.done, d.done);
    total.energy += d.energy;
  }
  return total;
}

std::vector<std::pair<Hop, Bytes>> Topology::loads(const Transfer& t, const std::vector<int>& group) const {
  std::vector<std::pair<Hop, Bytes>> out;
  if (t.mode == TransferMode::kUnicast) {
    if (t.src != t.dst) {
      for (const Hop& h : route(t.src, t.dst)) out.emplace_back(h, t.bytes);
    }
    return out;
  }
  const bool reduce = t.mode == TransferMode::kSwitchReduce;
  for (int m : group) {
    if (reduce) out.emplace_back(up(m), t.bytes);
    if (!reduce) {
      for (const Hop& h : down(m)) out.emplace_back(h, t.bytes);
    }
  }
  if (reduce) {
    for (const Hop& h : down(t.dst)) out.emplace_back(h, t.bytes);
  } else {
    out.emplace_back(up(t.src), t.bytes);
  }
  return out;
}

Time Topology::path_latency(const Transfer& t) const {
  Time lat{0};
  if (t.mode == TransferMode::kUnicast) {
    if (t.src != t.dst) {
      for (const Hop& h : route(t.src, t.dst)) lat += h.element->latency();
    }
    return lat;
  }
  // Every member's up link and switch port are alike: the chip named by the transfer stands for all.
  const int chip = t.mode == TransferMode::kSwitchReduce ? t.dst : t.src;
  lat += up(chip).element->latency();
  for (const Hop& h : down(chip)) lat += h.element->latency();
  return lat;
}

void Topology::reset() {
  for (auto& e : elements_) e->reset();
}

}  // namespace xpusim::arch
