// SPDX-License-Identifier: MIT
// Tiered main memory: an address-mapped on-chip SRAM window in front of a backing memory.
#include "arch/memory/tiered_memory.h"
#include "sim/int_math.h"

#include <algorithm>
#include <stdexcept>

#include "arch/chip.h"
#include "arch/registry.h"

namespace xpusim::arch {
const Schema<TieredMemoryParams>& TieredMemoryParams::schema() {
  static const Schema<TieredMemoryParams> s = [] {
    using P = TieredMemoryParams;
    Schema<P> sc(
        "main memory whose addresses below 'capacity' are on-chip SRAM banks (resident data) and whose "
        "higher addresses spill to a backing memory component");
    sc.add("capacity", &P::capacity, "on-chip window; the engine lays data out from address 0 in execution order")
        .required().positive();
    sc.add("banks", &P::banks, "independently accessed SRAM banks").required().positive();
    sc.add("port_width", &P::port_width, "bytes per cycle per bank").required().positive();
    sc.add("clock", &P::clock, "bank clock").required().at_least(kMinClockHz, "1 MHz");
    sc.add("latency_cycles", &P::latency_cycles, "cycles from request to first data").required().at_least(0);
    sc.add("read_energy", &P::read_energy, "energy per byte read from a bank").required().at_least(0);
    sc.add("write_energy", &P::write_energy, "energy per byte written to a bank").required().at_least(0);
    sc.add("transfer_energy", &P::transfer_energy,
           "energy per byte to move a produced byte to the banks that consume it (row/column or fabric hops)")
        .required().at_least(0);
    sc.add("transfer_bandwidth", &P::transfer_bandwidth,
           "aggregate bandwidth of that transfer network; 0 = as fast as the banks").at_least(0);
    sc.add("leakage_power", &P::leakage_power, "static power of the banks").required().at_least(0);
    sc.add("backing", &P::backing, "name of the memory component serving addresses beyond the window").required();
    return sc;
  }();
  return s;
}

TieredMemory::TieredMemory(ComponentContext ctx, const TieredMemoryParams& p)
    : MemoryModel(std::move(ctx)), p_(p), clock_(p.clock) {}

void TieredMemory::connect(const Chip& chip, Diagnostics& diag) {
  Component* c = chip.find(p_.backing);
  backing_ = dynamic_cast<MemoryModel*>(c);
  if (c == this) {
    diag.error(mark(), name() + " (memory/tiered): 'backing' names the tiered memory itself");
    backing_ = nullptr;
  } else if (!backing_) {
    std::vector<std::string> memories;
    for (const auto& comp : chip.components()) {
      if (dynamic_cast<MemoryModel*>(comp.get()) && comp.get() != this) memories.push_back(comp->name());
    }
    diag.error(mark(), name() + " (memory/tiered): 'backing' names '" + p_.backing +
                           "', which is not a memory of this chip" + did_you_mean(p_.backing, memories));
  }
}

Bandwidth TieredMemory::bank_bandwidth() const {
  return Bandwidth(static_cast<double>(p_.banks * p_.port_width.count()) * p_.clock.hz());
}

Bytes TieredMemory::capacity() const { return p_.capacity + (backing_ ? backing_->capacity() : Bytes(0)); }

Bandwidth TieredMemory::peak_bandwidth() const {
  // The banks and the backing memory serve their parts of a request in parallel.
  Bandwidth b = bank_bandwidth();
  return backing_ ? b + backing_->peak_bandwidth() : b;
}

EnergyPerByte TieredMemory::streaming_energy(bool write) const {
  const EnergyPerByte bank = write ? p_.write_energy : p_.read_energy;
  return EnergyPerByte(bank.joules_per_byte() + (write ? p_.transfer_energy.joules_per_byte() : 0.0)) * energy_scale();
}

Time TieredMemory::idle_latency() const { return clock_.to_time(Cycles(p_.latency_cycles)); }

Completion TieredMemory::access(const MemRequest& req, Time now) {
  if (req.bytes.count() <= 0) return Completion{now, now, Energy(0)};
  const auto window = static_cast<std::uint64_t>(p_.capacity.count());
  const std::uint64_t end = req.address + static_cast<std::uint64_t>(req.bytes.count());
  const Bytes onchip(req.address >= window ? 0 : static_cast<std::int64_t>(std::min(end, window) - req.address));
  const Bytes spill = req.bytes - onchip;
  Completion out{Time::max(), now, Energy(0)};
  if (onchip.count() > 0) {
    // All banks serve one request together, as the SRAM model does.
    const Cycles cycles(ceil_div(ceil_div(onchip.count(), p_.port_width.count()), p_.banks));
    Time start = banks_.reserve(now, clock_.to_time(cycles));
    Time done = start + clock_.to_time(cycles + Cycles(p_.latency_cycles));
    Energy e = (req.write ? p_.write_energy : p_.read_energy) * onchip * energy_scale();
    bank_energy_ += e;
    if (req.write) {
      // A result travels over the row/column (or fabric) links to the banks of its consumer.
      const Energy moved = p_.transfer_energy * onchip * energy_scale();
      transfer_energy_ += moved;
      e += moved;
      if (p_.transfer_bandwidth.bytes_per_second() > 0) {
        const Time t = onchip / p_.transfer_bandwidth;
        const Time ts = transfer_.reserve(now, t);
        done = std::max(done, ts + t);
        start = std::min(start, ts);
      }
      onchip_written_ += onchip;
    } else {
      onchip_read_ += onchip;
    }
    out = Completion{start, done, e};
  }
  if (spill.count() > 0) {
    if (!backing_) throw std::logic_error(name() + ": accessed before connect()");
    const std::uint64_t local = std::max(req.address, window) - window;
    MemRequest r = req;
    r.bytes = spill;
    r.address = local;
    const Completion b = backing_->access(r, now);
    out.start = std::min(out.start, b.start);
    out.done = std::max(out.done, b.done);
    out.energy += b.energy;
    spill_energy_ += b.energy;
    (req.write ? spill_written_ : spill_read_) += spill;
  }
  return out;
}

std::vector<Stat> TieredMemory::stats() const {
  return {
      {"onchip_bytes_read", static_cast<double>(onchip_read_.count()), "B", "bytes read from the on-chip banks"},
      {"onchip_bytes_written", static_cast<double>(onchip_written_.count()), "B", "bytes written to the on-chip banks"},
      {"spilled_bytes_read", static_cast<double>(spill_read_.count()), "B", "bytes read from the backing memory"},
      {"spilled_bytes_written", static_cast<double>(spill_written_.count()), "B", "bytes written to the backing memory"},
      {"busy_time", banks_.busy_total().seconds(), "s", "time the banks were reserved"},
      {"bank_energy", bank_energy_.joules(), "J", "bank SRAM read and write energy"},
      {"transfer_energy", transfer_energy_.joules(), "J", "energy moving results to their consumers' banks"},
      {"spill_energy", spill_energy_.joules(), "J", "dynamic energy of the backing memory, booked here"},
  };
}

void TieredMemory::reset() {
  banks_.reset();
  transfer_.reset();
  onchip_read_ = onchip_written_ = spill_read_ = spill_written_ = Bytes(0);
  bank_energy_ = transfer_energy_ = spill_energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/tiered", TieredMemory, TieredMemoryParams);

}  // namespace xpusim::arch
