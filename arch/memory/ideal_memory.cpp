// SPDX-License-Identifier: MIT
// Ideal (CALC-mode) memory: fixed latency, no bandwidth limit, no contention.
#include "arch/memory/ideal_memory.h"

#include "arch/registry.h"

namespace xpusim::arch {

const Schema<IdealMemoryParams>& IdealMemoryParams::schema() {
  static const Schema<IdealMemoryParams> s = [] {
    using P = IdealMemoryParams;
    Schema<P> sc("off-chip memory with no bandwidth limit (SCALE-Sim CALC mode): fixed latency only");
    sc.add("latency", &P::latency, "time from request to last byte, whatever the size").at_least(0);
    sc.add("energy_per_byte", &P::energy_per_byte, "dynamic energy per byte read or written (0 = not modelled)")
        .at_least(0);
    sc.add("capacity", &P::capacity, "size; the default is large enough for any workload").positive();
    return sc;
  }();
  return s;
}

IdealMemory::IdealMemory(ComponentContext ctx, const IdealMemoryParams& p) : MemoryModel(std::move(ctx)), p_(p) {}

Completion IdealMemory::access(const MemRequest& req, Time now) {
  Energy e = p_.energy_per_byte * req.bytes;
  if (req.write) {
    ++writes_;
    bytes_written_ += req.bytes;
  } else {
    ++reads_;
    bytes_read_ += req.bytes;
  }
  energy_ += e;
  return Completion{now, now + p_.latency, e};
}

std::vector<Stat> IdealMemory::stats() const {
  return {
      {"reads", static_cast<double>(reads_), "count", "read requests"},
      {"writes", static_cast<double>(writes_), "count", "write requests"},
      {"bytes_read", static_cast<double>(bytes_read_.count()), "B", "bytes read"},
      {"bytes_written", static_cast<double>(bytes_written_.count()), "B", "bytes written"},
      {"dynamic_energy", energy_.joules(), "J", "(bytes_read + bytes_written) * energy_per_byte"},
  };
}

void IdealMemory::reset() {
  reads_ = writes_ = 0;
  bytes_read_ = bytes_written_ = Bytes(0);
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/ideal", IdealMemory, IdealMemoryParams);

}  // namespace xpusim::arch
