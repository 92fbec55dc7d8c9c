// SPDX-License-Identifier: MIT
#include "arch/interconnect/p2p_link.h"

#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {

const Schema<P2pLinkParams>& P2pLinkParams::schema() {
  static const Schema<P2pLinkParams> s = [] {
    Schema<P2pLinkParams> sc("Full-duplex point-to-point link: lanes x lane_rate per direction, latency, energy per bit");
    sc.add("lanes", &P2pLinkParams::lanes, "lanes (or bonded sub-links) in each direction").at_least(1);
    sc.add("lane_rate", &P2pLinkParams::lane_rate, "bandwidth of one lane in one direction (data-sheet rate)").required().positive();
    sc.add("efficiency", &P2pLinkParams::efficiency, "fraction of the lane rate left for payload after packet and protocol overhead")
        .positive()
        .at_most(1.0);
    sc.add("latency", &P2pLinkParams::latency, "first byte in to first byte out");
    sc.add("energy", &P2pLinkParams::energy, "energy per bit (or byte) moved");
    return sc;
  }();
  return s;
}

P2pLink::P2pLink(ComponentContext ctx, const P2pLinkParams& p) : LinkModel(std::move(ctx)), p_(p) {}

Completion P2pLink::transfer(Bytes bytes, int channel, Time now) {
  if (channel < 0 || channel > 1) throw std::invalid_argument(name() + ": link channel must be 0 or 1");
  const auto c = static_cast<std::size_t>(channel);
  const Time busy = bytes / channel_bandwidth();
  const Time start = dir_[c].reserve(now, busy);
  moved_[c] += bytes;
  return Completion{start, start + busy + p_.latency, p_.energy * bytes};
}

std::vector<Stat> P2pLink::stats() const {
  return {{"bytes_ab", static_cast<double>(moved_[0].count()), "B", "bytes moved a->b"},
          {"bytes_ba", static_cast<double>(moved_[1].count()), "B", "bytes moved b->a"},
          {"busy_ab", dir_[0].busy_total().seconds(), "s", "time a->b was busy"},
          {"busy_ba", dir_[1].busy_total().seconds(), "s", "time b->a was busy"}};
}

void P2pLink::reset() {
  for (auto& d : dir_) d.reset();
  moved_ = {Bytes(0), Bytes(0)};
}

XPUSIM_REGISTER_MODEL("link/p2p", P2pLink, P2pLinkParams);

}  // namespace xpusim::arch
