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
  traffic_.record(req, e);
  return Completion{now, now + p_.latency, e};
}

std::vector<Stat> IdealMemory::stats() const {
  return traffic_.stats("(bytes_read + bytes_written) * energy_per_byte");
}

void IdealMemory::reset() {
  traffic_ = TrafficCount{};
}

XPUSIM_REGISTER_MODEL("memory/ideal", IdealMemory, IdealMemoryParams);

}  // namespace xpusim::arch
