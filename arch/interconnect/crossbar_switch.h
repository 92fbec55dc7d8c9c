// SPDX-License-Identifier: MIT
// A non-blocking crossbar switch (NVSwitch, a PCIe switch or host root complex): every output port
// forwards at `port_bandwidth`, after `latency`. Contention happens where two flows share an output.
// An NVSwitch 3/4 can also reduce in the switch and multicast (NVLink SHARP, "NVLS"): see `nvls`.
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
  bool nvls = false;               // in-switch reduction and multicast (NVLink SHARP)
  double nvls_efficiency = 1.0;    // payload fraction of link bandwidth that multimem traffic achieves
  Bandwidth reduce_bandwidth{0};   // reduced bytes out per second of the reduction units; 0 = not a limit
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
  /// True when the switch reduces and multicasts in the fabric (NVLS).
  bool nvls() const { return p_.nvls; }
  /// Payload efficiency of NVLS (multimem) traffic relative to the links' payload bandwidth.
  double nvls_efficiency() const { return p_.nvls_efficiency; }
  /// Reduces `bytes` of output (from any number of inputs that arrive at the ports) on the switch's
  /// reduction units, starting no earlier than `now`. Without a rated reduce_bandwidth it takes no time.
  Completion reduce(Bytes bytes, Time now);
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  SwitchParams p_;
  std::vector<Reservation> out_;
  Reservation reducer_;
  Bytes moved_{0}, reduced_{0};
};

}  // namespace xpusim::arch
