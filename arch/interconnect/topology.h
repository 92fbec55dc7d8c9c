// SPDX-License-Identifier: MIT
// How the chips of a system are wired: all chips on one switch (NVSwitch, PCIe host switch), a ring,
// a full mesh of direct links, or a 2D/3D torus. Owns the links and switches, and gives the route (hops) between any two chips.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/link_model.h"

namespace xpusim::arch {

enum class TopologyKind { kSwitch, kRing, kTorus, kMesh };

/// One element a route passes through, and which of its channels it uses.
struct Hop {
  LinkModel* element = nullptr;
  int channel = 0;
};
using Route = std::vector<Hop>;

class CrossbarSwitch;

/// How a transfer uses the fabric. The switch modes need a switch with in-fabric reduction (NVLS).
enum class TransferMode {
  kUnicast,          // chip `src` to chip `dst` along the route
  kSwitchReduce,     // every chip of the group sends `bytes` up to the switch, which reduces them and
                     // sends the result (`bytes`) down to `dst` (multimem.ld_reduce)
  kSwitchMulticast,  // `src` sends `bytes` up once; the switch copies them down to every chip of the group (multimem.st)
};

/// A move of `bytes` (system chip indices). `after` >= 0: the transfer is ready only when transfer
/// number `after` of the same step has arrived (pipelined algorithms); -1: ready at the step's start.
struct Transfer {
  int src = 0, dst = 0;
  Bytes bytes{0};
  TransferMode mode = TransferMode::kUnicast;
  int after = -1;
};

class Topology {
 public:
  /// `make_link(name)` builds one point-to-point link; `sw` is the switch (kSwitch only). `dims` are the
  /// torus extents (their product is `chips`). Throws std::invalid_argument on inconsistent shapes.
  template <class MakeLink>
  static std::unique_ptr<Topology> build(TopologyKind kind, int chips, const std::vector<int>& dims, MakeLink make_link,
                                         std::unique_ptr<LinkModel> sw);

  TopologyKind kind() const { return kind_; }
  int chips() const { return chips_; }
  const Route& route(int src, int dst) const;
  /// Every link and switch, in construction order (stable output order).
  const std::vector<std::unique_ptr<LinkModel>>& elements() const { return elements_; }
  /// Bandwidth a chip can inject towards `dst`: the slowest hop of the route.
  Bandwidth route_bandwidth(int src, int dst) const;
  /// Issues `t` at `now` through its route with cut-through: each hop starts when the previous one's
  /// first byte arrives (or when it is free), so a transfer costs the slowest hop's time plus the sum
  /// of latencies. Returns start, arrival of the last byte, and the energy over all hops.
  Completion transfer(const Transfer& t, Time now) const;
  /// Issues `t` in any mode at `now`; `group` are the chips a switch reduction or multicast spans.
  /// Throws std::logic_error for a switch mode without an NVLS switch.
  Completion issue(const Transfer& t, const std::vector<int>& group, Time now) const;
  /// The switch when it reduces and multicasts in the fabric (NVLS), else nullptr.
  CrossbarSwitch* nvls_switch() const { return nvls_switch_; }
  /// The hops a transfer loads (for estimates): its route, or for the switch modes the links and ports
  /// it uses, each with the bytes it carries there.
  std::vector<std::pair<Hop, Bytes>> loads(const Transfer& t, const std::vector<int>& group) const;
  /// Latency of a transfer from its first byte leaving to its first byte arriving.
  Time path_latency(const Transfer& t) const;
  void reset();

 private:
  Topology(TopologyKind kind, int chips) : kind_(kind), chips_(chips) {}
  void add_link(int a, int b, std::unique_ptr<LinkModel> link);
  void compute_routes(const std::vector<int>& dims);
  Hop hop(int from, int to) const;  // the direct link between two neighbours

  TopologyKind kind_;
  int chips_;
  std::vector<std::unique_ptr<LinkModel>> elements_;
  std::vector<int> neighbor_link_;  // chips x chips -> index into elements_, -1 when not adjacent
  std::vector<Route> routes_;       // chips x chips
  Completion chain(const Route& hops, Bytes bytes, Time ready, Time min_done) const;
  Hop up(int chip) const;           // a chip's link into the switch
  Route down(int chip) const;       // the switch's port to a chip and that chip's link

  LinkModel* switch_ = nullptr;
  CrossbarSwitch* nvls_switch_ = nullptr;
  std::vector<int> switch_link_;    // chip -> its link to the switch
};

/// `sw` as a crossbar with in-switch reduction, else nullptr (keeps crossbar_switch.h out of this header).
CrossbarSwitch* nvls_of(LinkModel* sw);

template <class MakeLink>
std::unique_ptr<Topology> Topology::build(TopologyKind kind, int chips, const std::vector<int>& dims, MakeLink make_link,
                                          std::unique_ptr<LinkModel> sw) {
  auto t = std::unique_ptr<Topology>(new Topology(kind, chips));
  t->neighbor_link_.assign(static_cast<std::size_t>(chips * chips), -1);
  if (kind == TopologyKind::kSwitch) {
    t->switch_ = sw.get();
    t->nvls_switch_ = nvls_of(sw.get());
    t->elements_.push_back(std::move(sw));
    for (int c = 0; c < chips; ++c) {
      t->switch_link_.push_back(static_cast<int>(t->elements_.size()));
      t->elements_.push_back(make_link("link" + std::to_string(c)));
    }
  } else if (kind == TopologyKind::kMesh) {
    for (int a = 0; a < chips; ++a) {
      for (int b = a + 1; b < chips; ++b) t->add_link(a, b, make_link("link" + std::to_string(a) + "_" + std::to_string(b)));
    }
  } else {
    const std::vector<int> shape = kind == TopologyKind::kRing ? std::vector<int>{chips} : dims;
    std::vector<int> stride(shape.size(), 1);
    for (std::size_t d = 1; d < shape.size(); ++d) stride[d] = stride[d - 1] * shape[d - 1];
    for (int c = 0; c < chips; ++c) {
      for (std::size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] < 2) continue;
        const int coord = (c / stride[d]) % shape[d];
        const int next = c + ((coord + 1) % shape[d] - coord) * stride[d];
        const int a = std::min(c, next), b = std::max(c, next);
        if (t->neighbor_link_[static_cast<std::size_t>(a * chips + b)] >= 0) continue;  // a 2-wide ring has one link
        t->add_link(a, b, make_link("link" + std::to_string(a) + "_" + std::to_string(b)));
      }
    }
  }
  t->compute_routes(kind == TopologyKind::kRing ? std::vector<int>{chips} : dims);
  return t;
}

}  // namespace xpusim::arch
