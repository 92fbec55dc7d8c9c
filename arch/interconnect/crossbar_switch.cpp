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
    sc.add("nvls", &SwitchParams::nvls, "reduces and multicasts in the switch (NVLink SHARP); enables collective: nvls");
    sc.add("nvls_efficiency", &SwitchParams::nvls_efficiency,
           "fraction of the links' payload bandwidth that in-switch reduce/multicast traffic achieves")
        .positive()
        .at_most(1.0);
    sc.add("reduce_bandwidth", &SwitchParams::reduce_bandwidth, "reduced bytes produced per second by the switch's reduction units; 0 = not a limit");
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

Completion CrossbarSwitch::reduce(Bytes bytes, Time now) {
  reduced_ += bytes;
  if (p_.reduce_bandwidth.bytes_per_second() <= 0) return Completion{now, now, Energy(0)};
  const Time busy = bytes / p_.reduce_bandwidth;
  const Time start = reducer_.reserve(now, busy);
  return Completion{start, start + busy, Energy(0)};
}

std::vector<Stat> CrossbarSwitch::stats() const {
  Time busy{0};
  for (const auto& o : out_) busy += o.busy_total();
  std::vector<Stat> s{{"bytes", static_cast<double>(moved_.count()), "B", "bytes switched"},
                      {"port_busy", busy.seconds(), "s", "sum over output ports of busy time"}};
  if (p_.nvls) s.push_back({"bytes_reduced", static_cast<double>(reduced_.count()), "B", "bytes produced by in-switch reductions"});
  return s;
}

void CrossbarSwitch::reset() {
  for (auto& o : out_) o.reset();
  reducer_.reset();
  moved_ = Bytes(0);
  reduced_ = Bytes(0);
}

XPUSIM_REGISTER_MODEL("switch/crossbar", CrossbarSwitch, SwitchParams);

}  // namespace xpusim::arch
