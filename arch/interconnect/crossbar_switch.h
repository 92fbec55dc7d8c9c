// SPDX-License-Identifier: MIT
// A non-blocking crossbar switch (NVSwitch, a PCIe switch or host root complex): every output port
// forwards at `port_bandwidth`, after `latency`. Contention happens where two flows share an output.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/link_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct SwitchParams {
  std::int64_t ports = 0;          // 0: one per chip of the system (set by the system builder)
  Bandwidth port_bandwidth{0};     // per output port, one direction
  Time latency{0};
  EnergyPerByte energy{0};
  static const Schema<SwitchParams>& schema();
};

class CrossbarSwitch final : public LinkModel {
 public:
  CrossbarSwitch(ComponentContext ctx, const SwitchParams& p);
  /// `channel` is the output port.
  Completion transfer(Bytes bytes, int channel, Time now) override;
  int channels() const override { return static_cast<int>(out_.size()); }
  Bandwidth channel_bandwidth() const override { return p_.port_bandwidth; }
  Time latency() const override { return p_.latency; }
  /// Sizes the switch to `n` ports when the config left `ports` at 0; returns false if it has fewer.
  bool ensure_ports(std::int64_t n);
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  SwitchParams p_;
  std::vector<Reservation> out_;
  Bytes moved_{0};
};

}  // namespace xpusim::arch
