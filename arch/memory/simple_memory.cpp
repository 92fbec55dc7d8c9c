// SPDX-License-Identifier: MIT
// Fixed-latency, fixed-bandwidth memory with FCFS contention on one channel.
#include "arch/memory/simple_memory.h"

#include <cmath>

#include "arch/registry.h"

namespace xpusim::arch {

const Schema<SimpleMemoryParams>& SimpleMemoryParams::schema() {
  static const Schema<SimpleMemoryParams> s = [] {
    using P = SimpleMemoryParams;
    Schema<P> sc("off-chip memory with fixed latency and bandwidth, FCFS (SCALE-Sim USER mode)");
    sc.add("bandwidth", &P::bandwidth, "sustained bandwidth shared by reads and writes").required().positive();
    sc.add("latency", &P::latency, "added to every request after its transfer; does not hold the channel").at_least(0);
    sc.add("clock", &P::clock, "interface clock: if set, transfers take whole cycles of bandwidth/clock bytes")
        .at_least(0);
    sc.add("energy_per_byte", &P::energy_per_byte, "dynamic energy per byte read or written (0 = not modelled)")
        .at_least(0);
    sc.add("capacity", &P::capacity, "size; the default is large enough for any workload").positive();
    return sc;
  }();
  return s;
}

SimpleMemory::SimpleMemory(ComponentContext ctx, const SimpleMemoryParams& p) : MemoryModel(std::move(ctx)), p_(p) {}

Time SimpleMemory::transfer_time(Bytes bytes) const {
  if (bytes.count() <= 0) return Time(0);
  if (p_.clock.hz() <= 0) return bytes / p_.bandwidth;
  // SCALE-Sim moves whole lines of `Bandwidth` words, one per cycle: a partial line costs a cycle.
  Clock clk(p_.clock);
  double per_cycle = p_.bandwidth.bytes_per_second() / p_.clock.hz();
  auto cycles = static_cast<std::int64_t>(std::ceil(static_cast<double>(bytes.count()) / per_cycle - 1e-9));
  return clk.to_time(Cycles(cycles));
}

Completion SimpleMemory::access(const MemRequest& req, Time now) {
  Time transfer = transfer_time(req.bytes);
  Time start = channel_.reserve(now, transfer);
  queue_delay_ += start - now;
  Energy e = p_.energy_per_byte * req.bytes;
  traffic_.record(req, e);
  return Completion{start, start + transfer + p_.latency, e};
}

std::vector<Stat> SimpleMemory::stats() const {
  std::vector<Stat> s = traffic_.stats("(bytes_read + bytes_written) * energy_per_byte");
  s.push_back({"busy_time", channel_.busy_total().seconds(), "s", "time the channel was transferring"});
  s.push_back({"queue_delay", queue_delay_.seconds(), "s", "total time requests waited for the channel"});
  return s;
}

void SimpleMemory::reset() {
  channel_.reset();
  traffic_ = TrafficCount{};
  queue_delay_ = Time(0);
}

XPUSIM_REGISTER_MODEL("memory/simple", SimpleMemory, SimpleMemoryParams);

}  // namespace xpusim::arch
