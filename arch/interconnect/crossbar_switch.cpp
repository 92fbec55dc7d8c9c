// SPDX-License-Identifier: MIT
#include "arch/interconnect/crossbar_switch.h"

#include <stdexcept>

#include "arch/registry.h"

namespace xpusim::arch {

const Schema<SwitchParams>& SwitchParams::schema() {
  static const Schema<SwitchParams> s = [] {
    Schema<SwitchParams> sc("Non-blocking crossbar switch: per-port bandwidth and a switching latency");
    sc.add("ports", &SwitchParams::ports, "output ports; 0 = one per chip").at_least(0);
    sc.add("port_bandwidth", &SwitchParams::port_bandwidth, "bandwidth of one output port").required().positive();
    sc.add("latency", &SwitchParams::latency, "input to output latency");
    sc.add("energy", &SwitchParams::energy, "energy per bit (or byte) switched");
    return sc;
  }();
  return s;
}

CrossbarSwitch::CrossbarSwitch(ComponentContext ctx, const SwitchParams& p)
    : LinkModel(std::move(ctx)), p_(p), out_(static_cast<std::size_t>(p.ports)) {}

bool CrossbarSwitch::ensure_ports(std::int64_t n) {
  if (p_.ports == 0) {
    p_.ports = n;
    out_.assign(static_cast<std::size_t>(n), Reservation{});
  }
  return p_.ports >= n;
}

Completion CrossbarSwitch::transfer(Bytes bytes, int channel, Time now) {
  if (channel < 0 || channel >= channels()) throw std::invalid_argument(name() + ": no output port " + std::to_string(channel));
  const Time busy = bytes / p_.port_bandwidth;
  const Time start = out_[static_cast<std::size_t>(channel)].reserve(now, busy);
  moved_ += bytes;
  return Completion{start, start + busy + p_.latency, p_.energy * bytes};
}

std::vector<Stat> CrossbarSwitch::stats() const {
  Time busy{0};
  for (const auto& o : out_) busy += o.busy_total();
  return {{"bytes", static_cast<double>(moved_.count()), "B", "bytes switched"},
          {"port_busy", busy.seconds(), "s", "sum over output ports of busy time"}};
}

void CrossbarSwitch::reset() {
  for (auto& o : out_) o.reset();
  moved_ = Bytes(0);
}

XPUSIM_REGISTER_MODEL("switch/crossbar", CrossbarSwitch, SwitchParams);

}  // namespace xpusim::arch
