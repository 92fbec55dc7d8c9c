// SPDX-License-Identifier: MIT
// A full-duplex point-to-point link (NVLink bundle, PCIe x16, chip-to-chip SerDes): lanes x rate in
// each direction, of which `efficiency` is payload (packet headers, flow control), a fixed latency, and
// energy per bit moved. Each direction is its own reservation.
#pragma once

#include <array>
#include <cstdint>

#include "arch/link_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct P2pLinkParams {
  std::int64_t lanes = 1;
  Bandwidth lane_rate{0};  // signalling bandwidth of one lane in one direction
  Time latency{0};
  EnergyPerByte energy{0};
  double efficiency = 1.0; // fraction of lane_rate that carries payload
  static const Schema<P2pLinkParams>& schema();
};

class P2pLink final : public LinkModel {
 public:
  P2pLink(ComponentContext ctx, const P2pLinkParams& p);
  /// Channel 0 is a->b, 1 is b->a; the two never contend (full duplex).
  Completion transfer(Bytes bytes, int channel, Time now) override;
  int channels() const override { return 2; }
  /// Payload bandwidth: lanes x lane_rate x efficiency.
  Bandwidth channel_bandwidth() const override { return p_.lane_rate * (static_cast<double>(p_.lanes) * p_.efficiency); }
  Time latency() const override { return p_.latency; }
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  P2pLinkParams p_;
  std::array<Reservation, 2> dir_;
  std::array<Bytes, 2> moved_{Bytes(0), Bytes(0)};
};

}  // namespace xpusim::arch
