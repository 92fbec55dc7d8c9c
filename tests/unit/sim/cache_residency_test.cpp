// SPDX-License-Identifier: MIT
// The memory-side cache: what it holds of the ranges kernels touch (least recently used, write-back),
// and what a run saves by it: a kernel reads what its producer left in the L2, results that fit stay there.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/driver/cache_residency.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "workloads/loader.h"

using namespace xpusim;
using driver::CacheResidency;
using driver::Region;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

double dram_bytes(const Result& r) {
  double b = 0;
  for (const auto& o : r.ops) b += static_cast<double>(o.bytes);
  return b;
}

Result run(const std::string& chip, const std::string& workload, const std::vector<std::string>& wset,
           const std::vector<std::string>& set = {}) {
  auto c = arch::Chip::load(kSrc + "/configs/chips/" + chip + ".yaml", set);
  return simulate(*c, wl::load_workload(kSrc + "/" + workload, wset));
}

}  // namespace

TEST_CASE("cache residency: least recently used bytes leave first, dirty ones are written back", "[cache]") {
  CacheResidency cache(100);
  CHECK(cache.touch(Region{0, 60}, false) == 0);
  CHECK(cache.touch(Region{1000, 30}, true) == 0);
  CHECK(cache.present(Region{0, 60}) == 60);
  CHECK(cache.held() == 90);
  // 40 more bytes: the oldest range loses its first (lowest, earliest streamed) 30 bytes, clean.
  CHECK(cache.touch(Region{2000, 40}, true) == 0);
  CHECK(cache.present(Region{0, 60}) == 30);
  CHECK(cache.present(Region{0, 30}) == 0);
  CHECK(cache.present(Region{30, 30}) == 30);
  CHECK(cache.held() == 100);
  // Re-reading the dirty range keeps it dirty; a new 70 B range evicts the clean rest and 40 dirty bytes.
  CHECK(cache.touch(Region{1000, 30}, false) == 0);
  CHECK(cache.touch(Region{3000, 70}, false) == 40);
  CHECK(cache.present(Region{2000, 40}) == 0);
  CHECK(cache.present(Region{1000, 30}) == 30);
  CHECK(cache.dirty() == 30);
}

TEST_CASE("cache residency: a write over dirty bytes replaces them without a write-back", "[cache]") {
  CacheResidency cache(64);
  CHECK(cache.touch(Region{0, 64}, true) == 0);
  CHECK(cache.touch(Region{16, 32}, true) == 0);  // the runtime reuses the addresses of a dead tensor
  CHECK(cache.held() == 64);
  CHECK(cache.dirty() == 64);
  // A range larger than the cache keeps only its last capacity bytes; all the rest is written back.
  CHECK(cache.touch(Region{1000, 100}, true) == 64 + 36);
  CHECK(cache.present(Region{1036, 64}) == 64);
  CHECK(cache.held() == 64);
}

TEST_CASE("cache residency: partial overlaps split and merge", "[cache]") {
  CacheResidency cache(1000);
  cache.touch(Region{100, 100}, false);
  cache.touch(Region{150, 100}, true);  // half old, half new, all dirty now
  CHECK(cache.present(Region{0, 1000}) == 150);
  CHECK(cache.dirty() == 100);
  cache.touch(Region{50, 300}, false);  // reads around both: gaps filled clean, the dirty middle stays dirty
  CHECK(cache.held() == 300);
  CHECK(cache.dirty() == 100);
  CHECK(cache.present(Region{0, 50}) == 0);
  CHECK(cache.present(Region{340, 1}) == 1);
  CacheResidency none(0);
  CHECK(none.touch(Region{0, 10}, false) == 0);
  CHECK(none.touch(Region{0, 10}, true) == 10);
  CHECK(none.present(Region{0, 10}) == 0);
}

TEST_CASE("an L2 that keeps activations between kernels cuts ResNet-50's DRAM traffic to the weights", "[cache][sim]") {
  // Batch 8 on an L4: every activation (at most 8 x 0.8 MB) and the 25.6 MB of INT8 weights fit its 48 MB
  // L2, so back to back steps read almost nothing from GDDR.
  const Result cached = run("l4", "configs/workloads/resnet50.yaml", {"batch=8"});
  const Result uncached = run("l4", "configs/workloads/resnet50.yaml", {"batch=8"}, {"chip.cache=none"});
  INFO("cached " << dram_bytes(cached) << " B, uncached " << dram_bytes(uncached) << " B");
  CHECK(dram_bytes(cached) < 0.1 * dram_bytes(uncached));
  CHECK(cached.latency_s < uncached.latency_s);
  CHECK(cached.energy_j < uncached.energy_j);
  for (const auto& o : cached.ops) {
    INFO(o.name);
    CHECK(o.end_s - o.start_s >= o.roofline_s - 1e-12);
  }
  double components = 0;
  for (const auto& [name, joules] : cached.energy_breakdown_j) components += joules;
  CHECK(components == Approx(cached.energy_j).epsilon(1e-9));

  // At batch 256 the activations (up to 206 MB a tensor) overflow it: the saving shrinks.
  const Result big = run("l4", "configs/workloads/resnet50.yaml", {"batch=256"});
  const Result big_uncached = run("l4", "configs/workloads/resnet50.yaml", {"batch=256"}, {"chip.cache=none"});
  CHECK(dram_bytes(big) > 0.5 * dram_bytes(big_uncached));
  CHECK(dram_bytes(big) < dram_bytes(big_uncached));
}

TEST_CASE("a GEMM far larger than the L2 moves the same DRAM bytes with or without it", "[cache][sim]") {
  // 8192^3 BF16: A, B and C are 128 MiB each against H100's 50 MiB: the operands stream through, and the
  // result is written back once, either as it leaves or when the next step's result evicts it.
  const Result cached = run("h100-sxm", "configs/workloads/gemm-512.yaml", {"m=8192", "n=8192", "k=8192", "dtype=bf16"});
  const Result uncached = run("h100-sxm", "configs/workloads/gemm-512.yaml", {"m=8192", "n=8192", "k=8192", "dtype=bf16"},
                              {"chip.cache=none"});
  CHECK(dram_bytes(cached) == Approx(dram_bytes(uncached)).epsilon(1e-6));
}

TEST_CASE("chip cache must name an on-chip memory", "[cache][config]") {
  const std::string l4 = kSrc + "/configs/chips/l4.yaml";
  CHECK_THROWS_WITH(arch::Chip::load(l4, {"chip.cache=gddr"}), Catch::Contains("not an on-chip memory"));
  CHECK_THROWS_WITH(arch::Chip::load(l4, {"chip.cache=l3"}), Catch::Contains("did you mean 'l2'"));
  CHECK(arch::Chip::load(l4, {"chip.cache=none"})->cache() == nullptr);
  REQUIRE(arch::Chip::load(l4)->cache() != nullptr);
  CHECK(arch::Chip::load(l4)->cache()->name() == "l2");
}
