// SPDX-License-Identifier: MIT
// memory/ideal (SCALE-Sim CALC) and memory/simple (SCALE-Sim USER): latency, bandwidth, contention.
#include "arch/memory/ideal_memory.h"

#include <catch2/catch.hpp>

#include "arch/memory/simple_memory.h"
#include "arch/registry.h"

using namespace xpusim;
using namespace xpusim::arch;
using namespace xpusim::literals;

TEST_CASE("ideal memory: fixed latency, no contention, bytes and energy counted", "[memory]") {
  IdealMemoryParams p;
  p.latency = 5_ns;
  p.energy_per_byte = EnergyPerByte(2e-12);
  IdealMemory m({"dram", "memory/ideal", {}}, p);
  Completion a = m.access({Bytes(1 << 30), false}, 10_ns);
  Completion b = m.access({Bytes(64), true}, 10_ns);  // does not queue behind the 1 GiB read
  CHECK(a.start == 10_ns);
  CHECK(a.done == 15_ns);
  CHECK(b.start == 10_ns);
  CHECK(b.done == 15_ns);
  CHECK(a.energy.pj() == Approx(2.0 * (1 << 30)));
  CHECK(m.off_chip());
  // Finite, so roofline math stays finite; 1 GB is bounded at 1 ns.
  CHECK(Bytes(1'000'000'000) / m.peak_bandwidth() == 1_ns);
  CHECK(m.capacity().count() == std::int64_t{1} << 50);
  double written = 0;
  for (const auto& s : m.stats()) {
    if (s.key == "bytes_written") written = s.value;
  }
  CHECK(written == 64);
}

TEST_CASE("simple memory: latency plus bandwidth, FCFS contention", "[memory]") {
  SimpleMemoryParams p;
  p.bandwidth = Bandwidth(10e9);  // SCALE-Sim USER mode: 10 words/cycle at 1 GHz
  p.latency = 1_ns;
  SimpleMemory m({"dram", "memory/simple", {}}, p);
  Completion a = m.access({Bytes(1000), false}, 0_ns);  // 100 ns transfer
  CHECK(a.start == 0_ns);
  CHECK(a.done == 101_ns);
  Completion b = m.access({Bytes(500), true}, 20_ns);  // waits for the channel until 100 ns
  CHECK(b.start == 100_ns);
  CHECK(b.done == 151_ns);
  Completion c = m.access({Bytes(15), false}, 400_ns);  // idle channel again: 1.5 ns
  CHECK(c.start == 400_ns);
  CHECK(c.done == Time(400'000 + 1'500 + 1'000));
  CHECK(m.peak_bandwidth().bytes_per_second() == Approx(10e9));

  // With a clock, transfers take whole cycles of bandwidth/clock bytes, as SCALE-Sim's lines do.
  p.clock = Frequency(1e9);
  SimpleMemory q({"dram", "memory/simple", {}}, p);
  CHECK(q.transfer_time(Bytes(15)) == 2_ns);
  CHECK(q.transfer_time(Bytes(20)) == 2_ns);
  CHECK(q.transfer_time(Bytes(21)) == 3_ns);
  m.reset();
  CHECK(m.access({Bytes(10), false}, 0_ns).start == 0_ns);
}

TEST_CASE("memory/simple requires a bandwidth with a unit", "[memory][config]") {
  const ModelInfo* info = Registry::instance().find("memory/simple");
  REQUIRE(info);
  REQUIRE(Registry::instance().find("memory/ideal"));
  auto bad = ConfigNode::load_string("{latency: 1 ns, bandwith: 10}", "m.yaml");
  Diagnostics diag;
  CHECK_FALSE(info->make({"dram", "memory/simple", bad.mark()}, bad, diag));
  CHECK_THROWS_WITH(diag.throw_if_any(),
                    Catch::Contains("did you mean 'bandwidth'") && Catch::Contains("missing required key 'bandwidth'"));
}
