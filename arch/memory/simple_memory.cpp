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
  if (req.write) {
    ++writes_;
    bytes_written_ += req.bytes;
  } else {
    ++reads_;
    bytes_read_ += req.bytes;
  }
  energy_ += e;
  return Completion{start, start + transfer + p_.latency, e};
}

std::vector<Stat> SimpleMemory::stats() const {
  return {
      {"reads", static_cast<double>(reads_), "count", "read requests"},
      {"writes", static_cast<double>(writes_), "count", "write requests"},
      {"bytes_read", static_cast<double>(bytes_read_.count()), "B", "bytes read"},
      {"bytes_written", static_cast<double>(bytes_written_.count()), "B", "bytes written"},
      {"busy_time", channel_.busy_total().seconds(), "s", "time the channel was transferring"},
      {"queue_delay", queue_delay_.seconds(), "s", "total time requests waited for the channel"},
      {"dynamic_energy", energy_.joules(), "J", "(bytes_read + bytes_written) * energy_per_byte"},
  };
}

void SimpleMemory::reset() {
  channel_.reset();
  reads_ = writes_ = 0;
  bytes_read_ = bytes_written_ = Bytes(0);
  queue_delay_ = Time(0);
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/simple", SimpleMemory, SimpleMemoryParams);

}  // namespace xpusim::arch
