// SPDX-License-Identifier: MIT
// SRAM timing in whole clock cycles of the buffer's own clock domain.
#include "arch/memory/sram.h"
#include "sim/int_math.h"

#include <algorithm>

#include "arch/registry.h"

namespace xpusim::arch {
const Schema<SramParams>& SramParams::schema() {
  static const Schema<SramParams> s = [] {
    Schema<SramParams> sc("on-chip SRAM buffer: banks x port width per cycle, fixed latency, per-byte energy");
    sc.add("capacity", &SramParams::capacity, "size").required().positive();
    sc.add("banks", &SramParams::banks, "independently accessed banks").required().positive();
    sc.add("port_width", &SramParams::port_width, "bytes per cycle per bank").required().positive();
    sc.add("clock", &SramParams::clock, "clock of the SRAM").required().at_least(kMinClockHz, "1 MHz");
    sc.add("latency_cycles", &SramParams::latency_cycles, "cycles from request to first data").required().at_least(0);
    sc.add("read_energy", &SramParams::read_energy, "energy per byte read").required().at_least(0);
    sc.add("write_energy", &SramParams::write_energy, "energy per byte written").required().at_least(0);
    sc.add("leakage_power", &SramParams::leakage_power, "static leakage power").required().at_least(0);
    return sc;
  }();
  return s;
}

Sram::Sram(ComponentContext ctx, const SramParams& p) : MemoryModel(std::move(ctx)), p_(p), clock_(p.clock) {}

Time Sram::idle_latency() const { return clock_.to_time(Cycles(p_.latency_cycles)); }

Bandwidth Sram::peak_bandwidth() const {
  return Bandwidth(static_cast<double>(p_.banks * p_.port_width.count()) * p_.clock.hz());
}

Completion Sram::access(const MemRequest& req, Time now) {
  if (req.bytes.count() <= 0) return Completion{now, now, Energy(0)};
  const std::int64_t width = p_.port_width.count();
  std::int64_t bank_cycles = ceil_div(req.bytes.count(), width);
  if (req.pattern == AccessPattern::kRandom) {
    // Each independent access occupies whole port cycles of one bank, even when narrower than a port.
    const std::int64_t size = std::max<std::int64_t>(req.access_size.count(), 1);
    bank_cycles = ceil_div(req.bytes.count(), size) * ceil_div(size, width);
  }
  const Cycles cycles(ceil_div(bank_cycles, p_.banks));
  const Time start = ports_.reserve(now, clock_.to_time(cycles));
  const Time done = start + clock_.to_time(cycles + Cycles(p_.latency_cycles));
  const Energy energy = (req.write ? p_.write_energy : p_.read_energy) * energy_scale() * req.bytes;
  (req.write ? bytes_written_ : bytes_read_) += req.bytes;
  bank_cycles_ += bank_cycles;
  dynamic_energy_ += energy;
  return Completion{start, done, energy};
}

std::vector<Stat> Sram::stats() const {
  return {
      {"bytes_read", static_cast<double>(bytes_read_.count()), "B", "bytes read"},
      {"bytes_written", static_cast<double>(bytes_written_.count()), "B", "bytes written"},
      {"bank_cycles", static_cast<double>(bank_cycles_), "count", "bank port cycles used"},
      {"busy_time", ports_.busy_total().seconds(), "s", "time the banks were reserved"},
      {"dynamic_energy", dynamic_energy_.joules(), "J", "read and write energy"},
  };
}

void Sram::reset() {
  ports_.reset();
  bytes_read_ = bytes_written_ = Bytes(0);
  bank_cycles_ = 0;
  dynamic_energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/sram", Sram, SramParams);

}  // namespace xpusim::arch
