// SPDX-License-Identifier: MIT
// Links, switches, topologies and collective schedules without the event kernel: steps are issued in
// time order by hand, exactly as the engine does.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "arch/interconnect/p2p_link.h"
#include "arch/system.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

/// A system file for `count` chips on `topology` with one-lane links of `gbps` GB/s and `latency`.
std::string write_system(const std::string& name, const std::string& topology, int count, const std::string& extra = "") {
  const auto path = std::filesystem::temp_directory_path() / ("xpusim-" + name + ".yaml");
  std::ofstream(path) << "system: {name: " << name << ", chip: " << kRoot << "/configs/chips/h100-sxm.yaml, count: " << count
                      << ", topology: " << topology << ", tp: " << count << extra << "}\n"
                      << "link: {type: link/p2p, lanes: 1, lane_rate: 100 GB/s, latency: 1 us}\n"
                      << "switch: {type: switch/crossbar, port_bandwidth: 100 GB/s, latency: 1 us}\n";
  return path.string();
}

/// Runs the steps back to back from `start`, as the engine does; returns the end time.
Time run_steps(const Topology& t, const std::vector<CollectiveStep>& steps, Time start) {
  Time now = start;
  for (const auto& step : steps) {
    Time done = now;
    for (const auto& tr : step) done = std::max(done, t.transfer(tr, now).done);
    now = done;
  }
  return now;
}

std::vector<int> iota(int n) {
  std::vector<int> g;
  for (int i = 0; i < n; ++i) g.push_back(i);
  return g;
}

}  // namespace

TEST_CASE("p2p link: each direction is its own reservation (full duplex)", "[interconnect]") {
  P2pLink lk(ComponentContext{"l", "link/p2p", {}}, P2pLinkParams{4, Bandwidth(25e9), Time(1000), EnergyPerByte(8e-12)});
  const Bytes mb(100'000'000);
  Completion a = lk.transfer(mb, 0, Time(0));
  Completion b = lk.transfer(mb, 1, Time(0));
  CHECK(a.done == Time(1'000'000'000 + 1000));  // 100 MB at 100 GB/s = 1 ms, plus 1 ns
  CHECK(b.start == Time(0));                   // the other direction does not wait
  Completion c = lk.transfer(mb, 0, Time(0));
  CHECK(c.start == Time(1'000'000'000));       // the same direction queues
  CHECK(a.energy.joules() == Approx(8e-4));
}

TEST_CASE("ring all-reduce on an idle ring matches 2(N-1)/N x S / bw + steps x latency", "[interconnect]") {
  for (int n : {2, 4, 8}) {
    auto sys = System::load(write_system("ring" + std::to_string(n), "ring", n));
    const Bytes size(64'000'000);
    const auto steps = plan_collective(Collective::kAllReduce, size, iota(n));
    REQUIRE(steps.size() == static_cast<std::size_t>(2 * (n - 1)));
    const Time t = run_steps(*sys->topology(), steps, Time(0));
    const double expected = 2.0 * (n - 1) / n * 64e6 / 100e9 + 2.0 * (n - 1) * 1e-6;
    INFO("n=" << n);
    CHECK(t.seconds() == Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("two collectives sharing links take longer than one", "[interconnect]") {
  auto sys = System::load(write_system("ring4c", "ring", 4));
  const auto steps = plan_collective(Collective::kAllReduce, Bytes(16'000'000), iota(4));
  const Time alone = run_steps(*sys->topology(), steps, Time(0));
  sys->reset();
  // Interleave two identical all-reduces step by step, both issued at the same times.
  Time now{0};
  for (const auto& step : steps) {
    Time done = now;
    for (int copy = 0; copy < 2; ++copy) {
      for (const auto& tr : step) done = std::max(done, sys->topology()->transfer(tr, now).done);
    }
    now = done;
  }
  CHECK(now.seconds() > 1.8 * alone.seconds());
}

TEST_CASE("routes: switch is up-across-down, torus is dimension-ordered and shortest", "[interconnect]") {
  auto sw = System::load(write_system("sw8", "switch", 8));
  CHECK(sw->topology()->route(0, 5).size() == 3);
  auto torus = System::load(write_system("torus", "torus", 16, ", dims: \"4x4\""));
  CHECK(torus->topology()->route(0, 1).size() == 1);
  CHECK(torus->topology()->route(0, 3).size() == 1);   // wrap-around
  CHECK(torus->topology()->route(0, 10).size() == 4);  // (2,2) away
  auto torus3 = System::load(write_system("torus3", "torus", 8, ", dims: \"2x2x2\""));
  CHECK(torus3->topology()->route(0, 7).size() == 3);
  auto ring = System::load(write_system("ring8", "ring", 8));
  CHECK(ring->topology()->route(0, 6).size() == 2);  // the short way round
}

TEST_CASE("nccl-tests style bus bandwidth of an 8-GPU NVSwitch all-reduce approaches the port rate", "[interconnect]") {
  auto sys = System::load(kRoot + "/configs/systems/hgx-h100-8.yaml");
  const Bytes size(Bytes(1) * (std::int64_t{1} << 30));
  const Time t = run_steps(*sys->topology(), plan_collective(Collective::kAllReduce, size, iota(8)), Time(0));
  const double busbw = static_cast<double>(size.count()) / t.seconds() * bus_bandwidth_factor(Collective::kAllReduce, 8);
  CHECK(busbw < 450e9);
  CHECK(busbw > 0.97 * 450e9);
}

TEST_CASE("tree all-reduce beats ring for small buffers, ring wins for large ones", "[interconnect]") {
  auto sys = System::load(write_system("sw8t", "switch", 8));
  auto time = [&](Bytes s, CollectiveAlgorithm a) {
    sys->reset();
    return run_steps(*sys->topology(), plan_collective(Collective::kAllReduce, s, iota(8), a), Time(0));
  };
  CHECK(time(Bytes(1024), CollectiveAlgorithm::kTree) < time(Bytes(1024), CollectiveAlgorithm::kRing));
  CHECK(time(Bytes(256'000'000), CollectiveAlgorithm::kRing) < time(Bytes(256'000'000), CollectiveAlgorithm::kTree));
}

TEST_CASE("system config errors are clear", "[interconnect][config]") {
  CHECK_THROWS_WITH(System::load(kRoot + "/configs/systems/hgx-h100-8.yaml", {"system.tp=16"}),
                    Catch::Contains("= 16 chips, but the system has 8"));
  CHECK_THROWS_WITH(System::load(kRoot + "/configs/systems/hgx-h100-8.yaml", {"system.topology=tree"}),
                    Catch::Contains("expects one of switch|pcie|ring|torus|mesh"));
  CHECK_THROWS_WITH(System::load(write_system("badtorus", "torus", 8, ", dims: \"3x3\"")), Catch::Contains("product is count"));
}
