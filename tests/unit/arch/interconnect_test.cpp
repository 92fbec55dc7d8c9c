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

/// A system file for `count` chips on `topology` with one-lane 100 GB/s links and 1 us latency;
/// `extra` is added to `system:`, `switch_extra` to `switch:`.
std::string write_system(const std::string& name, const std::string& topology, int count, const std::string& extra = "",
                         const std::string& switch_extra = "") {
  const auto path = std::filesystem::temp_directory_path() / ("xpusim-" + name + ".yaml");
  std::ofstream(path) << "system: {name: " << name << ", chip: " << kRoot << "/configs/chips/h100-sxm.yaml, count: " << count
                      << ", topology: " << topology << ", tp: " << count << extra << "}\n"
                      << "link: {type: link/p2p, lanes: 1, lane_rate: 100 GB/s, latency: 1 us}\n"
                      << "switch: {type: switch/crossbar, port_bandwidth: 100 GB/s, latency: 1 us" << switch_extra << "}\n";
  return path.string();
}

/// Runs the steps back to back from `start`, as the engine does; returns the end time.
Time run_steps(const Topology& t, const CollectivePlan& plan, Time start) {
  Time now = start;
  for (std::size_t s = 0; s < plan.steps.size(); ++s) now = issue_step(t, plan, s, now).done;
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
    const auto plan = plan_collective(Collective::kAllReduce, size, iota(n));
    REQUIRE(plan.steps.size() == static_cast<std::size_t>(2 * (n - 1)));
    const Time t = run_steps(*sys->topology(), plan, Time(0));
    const double expected = 2.0 * (n - 1) / n * 64e6 / 100e9 + 2.0 * (n - 1) * 1e-6;
    INFO("n=" << n);
    CHECK(t.seconds() == Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("two collectives sharing links take longer than one", "[interconnect]") {
  auto sys = System::load(write_system("ring4c", "ring", 4));
  const auto plan = plan_collective(Collective::kAllReduce, Bytes(16'000'000), iota(4));
  const Time alone = run_steps(*sys->topology(), plan, Time(0));
  sys->reset();
  // Interleave two identical all-reduces step by step, both issued at the same times.
  Time now{0};
  for (const auto& step : plan.steps) {
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

TEST_CASE("nccl-tests style bus bandwidth of an 8-GPU NVSwitch ring all-reduce approaches the links' payload rate", "[interconnect]") {
  auto sys = System::load(kRoot + "/configs/systems/hgx-h100-8.yaml");
  const Bytes size(Bytes(1) * (std::int64_t{1} << 30));
  const Time t = run_steps(*sys->topology(), plan_collective(Collective::kAllReduce, size, iota(8)), Time(0));
  const double busbw = static_cast<double>(size.count()) / t.seconds() * bus_bandwidth_factor(Collective::kAllReduce, 8);
  const double payload = 18 * 25e9 * 0.824;  // 18 NVLink 4 links x 25 GB/s x protocol efficiency
  CHECK(busbw < payload);
  CHECK(busbw > 0.97 * payload);
}

TEST_CASE("tree all-reduce beats ring for small buffers, ring wins for large ones", "[interconnect]") {
  auto sys = System::load(write_system("sw8t", "switch", 8));
  auto time = [&](Bytes s, CollectiveAlgorithm a) {
    sys->reset();
    return run_steps(*sys->topology(), plan_collective(Collective::kAllReduce, s, iota(8), a, sys->topology()), Time(0));
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
  CHECK_THROWS_WITH(System::load(kRoot + "/configs/systems/hgx-h100-8.yaml", {"system.collective=nvsl"}),
                    Catch::Contains("did you mean 'nvls'"));
  // NVLS needs a switch that reduces: not a plain crossbar, not PCIe, not a mesh.
  CHECK_THROWS_WITH(System::load(write_system("nonvls", "switch", 8, ", collective: nvls")), Catch::Contains("nvls: true"));
  CHECK_THROWS_WITH(System::load(kRoot + "/configs/systems/hgx-a100-4.yaml", {"system.collective=nvls"}), Catch::Contains("nvls: true"));
  CHECK_THROWS_WITH(System::load(kRoot + "/configs/systems/hgx-h100-8.yaml", {"switch.nvls_efficiency=1.5"}), Catch::Contains("nvls_efficiency"));
}

namespace {

double busbw(Collective c, Bytes size, int n, Time t) {
  return static_cast<double>(size.count()) / t.seconds() * bus_bandwidth_factor(c, n);
}

std::int64_t link_bytes_sent(const System& sys, int chip) {  // a switch system's chip -> switch direction
  for (const auto& e : sys.topology()->elements()) {
    if (e->name() != "link" + std::to_string(chip)) continue;
    for (const auto& st : e->stats()) {
      if (st.key == "bytes_ab") return static_cast<std::int64_t>(st.value);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("NVLS all-reduce: each link carries S (n+1)/n over the NVLS efficiency, not the ring's 2 S (n-1)/n", "[interconnect][nvls]") {
  const double eff = 0.8;
  const Bytes size(256'000'000);
  for (int n : {2, 4, 8}) {
    INFO("n=" << n);
    auto sys = System::load(write_system("nvls" + std::to_string(n), "switch", n, ", collective: nvls",
                                         ", nvls: true, nvls_efficiency: 0.8"));
    const CollectivePlan plan = plan_collective(Collective::kAllReduce, size, iota(n), CollectiveAlgorithm::kNvls, sys->topology());
    const Time t = run_steps(*sys->topology(), plan, Time(0));
    // Closed form: the busiest direction moves S (n+1)/n / eff at 100 GB/s; the pipeline adds a fill of a
    // few chunks (64 chunks here) and two switch round trips.
    const double wire = 256e6 * (n + 1) / n / eff;
    CHECK(t.seconds() >= wire / 100e9);
    CHECK(t.seconds() <= wire / 100e9 * 1.05 + 10e-6);
    // No all-reduce beats every chip sending its S once over its link (plus one latency).
    CHECK(t.seconds() >= 256e6 / 100e9 + 1e-6);
    // Conservation: every chip put S/n per owner for the reductions and S/n of its own result on its link.
    const double sent = static_cast<double>(link_bytes_sent(*sys, 0));
    CHECK(sent == Approx(wire).epsilon(0.001));
    CHECK(estimate(*sys->topology(), plan) <= t);
  }
}

TEST_CASE("NVLS beats the ring on 8 chips and loses on 2, so auto switches by group size", "[interconnect][nvls]") {
  auto sys = System::load(kRoot + "/configs/systems/hgx-h100-8.yaml");
  const Bytes size(Bytes(1) * (std::int64_t{1} << 30));
  auto time = [&](int n, CollectiveAlgorithm a) {
    sys->reset();
    return run_steps(*sys->topology(), plan_collective(Collective::kAllReduce, size, iota(n), a, sys->topology()), Time(0));
  };
  CHECK(time(8, CollectiveAlgorithm::kNvls) < time(8, CollectiveAlgorithm::kRing));
  CHECK(time(2, CollectiveAlgorithm::kRing) < time(2, CollectiveAlgorithm::kNvls));
  CHECK(choose_algorithm(Collective::kAllReduce, size, iota(8), *sys->topology()) == CollectiveAlgorithm::kNvls);
  CHECK(choose_algorithm(Collective::kAllReduce, size, iota(2), *sys->topology()) == CollectiveAlgorithm::kRing);
  // NVLS is an all-reduce algorithm: an all-gather stays on the ring.
  CHECK(choose_algorithm(Collective::kAllGather, size, iota(8), *sys->topology()) == CollectiveAlgorithm::kRing);
  CHECK(plan_collective(Collective::kAllReduce, size, iota(8), CollectiveAlgorithm::kAuto, sys->topology()).algorithm ==
        CollectiveAlgorithm::kNvls);
  // nccl#1455: busbw with NVLS grows with the GPU count (5..8 GPUs), as the S/n own share shrinks.
  double last = 0;
  for (int n = 5; n <= 8; ++n) {
    const double b = busbw(Collective::kAllReduce, size, n, time(n, CollectiveAlgorithm::kNvls));
    CHECK(b > last);
    last = b;
  }
}

TEST_CASE("NVLS is deterministic and two at once share the links", "[interconnect][nvls]") {
  auto sys = System::load(kRoot + "/configs/systems/hgx-h100-8.yaml");
  const auto plan = plan_collective(Collective::kAllReduce, Bytes(64'000'000), iota(8), CollectiveAlgorithm::kNvls, sys->topology());
  const Time once = run_steps(*sys->topology(), plan, Time(0));
  sys->reset();
  CHECK(run_steps(*sys->topology(), plan, Time(0)) == once);
  sys->reset();
  Time a = issue_step(*sys->topology(), plan, 0, Time(0)).done;
  Time b = issue_step(*sys->topology(), plan, 0, Time(0)).done;
  CHECK(std::max(a, b).seconds() > 1.8 * once.seconds());
}

TEST_CASE("direct all-pairs on a full mesh uses every link: all-reduce busbw is (n-1) links", "[interconnect][mesh]") {
  for (int n : {3, 4, 6}) {
    INFO("n=" << n);
    auto sys = System::load(write_system("mesh" + std::to_string(n), "mesh", n));
    const Bytes size(60'000'000);
    auto time = [&](Collective c, CollectiveAlgorithm a) {
      sys->reset();
      return run_steps(*sys->topology(), plan_collective(c, size, iota(n), a, sys->topology()), Time(0));
    };
    // Each directed link carries S/n per step: two steps for an all-reduce, one for the others.
    const Time ar = time(Collective::kAllReduce, CollectiveAlgorithm::kDirect);
    CHECK(ar.seconds() == Approx(2 * (60e6 / n / 100e9 + 1e-6)).epsilon(1e-6));
    CHECK(busbw(Collective::kAllReduce, size, n, ar) == Approx((n - 1) * 100e9).epsilon(0.01));
    CHECK(time(Collective::kAllToAll, CollectiveAlgorithm::kDirect).seconds() == Approx(60e6 / n / 100e9 + 1e-6).epsilon(1e-6));
    CHECK(time(Collective::kAllGather, CollectiveAlgorithm::kDirect).seconds() == Approx(60e6 / n / 100e9 + 1e-6).epsilon(1e-6));
    // One ring uses one link of each chip in one direction: n-1 times slower in bandwidth.
    const Time ring = time(Collective::kAllReduce, CollectiveAlgorithm::kRing);
    CHECK(ring.seconds() > (n - 1) * 0.99 * (2 * 60e6 / n / 100e9));
    CHECK(choose_algorithm(Collective::kAllReduce, size, iota(n), *sys->topology()) == CollectiveAlgorithm::kDirect);
  }
}

TEST_CASE("the HGX A100 4-GPU board's all-reduce reaches its twelve links' payload rate", "[interconnect][mesh]") {
  auto sys = System::load(kRoot + "/configs/systems/hgx-a100-4.yaml");
  const Bytes size(Bytes(1) * (std::int64_t{1} << 30));
  const auto plan = plan_collective(Collective::kAllReduce, size, iota(4), sys->algorithm(), sys->topology());
  CHECK(plan.algorithm == CollectiveAlgorithm::kDirect);
  const double b = busbw(Collective::kAllReduce, size, 4, run_steps(*sys->topology(), plan, Time(0)));
  const double links = 12 * 25e9 * 0.8;  // 12 NVLink 3 links x 25 GB/s each way x protocol efficiency
  CHECK(b < links);
  CHECK(b > 0.99 * links);
}

TEST_CASE("a rated switch reduction unit bounds NVLS: the switch must produce S of results", "[interconnect][nvls]") {
  const Bytes size(64'000'000);
  auto fast = System::load(write_system("nvlsfast", "switch", 8, "", ", nvls: true"));
  auto slow = System::load(write_system("nvlsslow", "switch", 8, "", ", nvls: true, reduce_bandwidth: 20 GB/s"));
  auto time = [&](System& s) {
    s.reset();
    return run_steps(*s.topology(), plan_collective(Collective::kAllReduce, size, iota(8), CollectiveAlgorithm::kNvls, s.topology()),
                     Time(0));
  };
  CHECK(time(*fast).seconds() < 64e6 / 20e9);
  CHECK(time(*slow).seconds() >= 64e6 / 20e9);
  CHECK(time(*slow).seconds() <= 64e6 / 20e9 * 1.05 + 10e-6);
}
