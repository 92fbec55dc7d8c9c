// SPDX-License-Identifier: MIT
// Tensor placement in main memory: activation buffers are reused once their consumers have run,
// persistent tensors sit above them, and an at-memory chip keeps a batched network's working set on chip.
#include "sim/driver/tensor_layout.h"

#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "arch/memory/tiered_memory.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

wl::OpNode linear(const std::string& name, std::int64_t m, std::int64_t n, std::int64_t k, std::int32_t stage = 0) {
  wl::OpNode op;
  op.name = name;
  op.kind = wl::OpKind::kGemm;
  op.dtype = DataType::kBf16;
  op.shape = wl::GemmShape{1, m, n, k, false};
  op.stage = stage;
  return op;
}

bool overlap(const driver::Region& x, const driver::Region& y) { return x.base < y.base + y.size && y.base < x.base + x.size; }

}  // namespace

TEST_CASE("a chain reuses two activation buffers however long it is", "[layout]") {
  wl::OpGraph g("chain");
  const std::int64_t m = 256, h = 1024;  // every output: 256 x 1024 bf16 = 512 KiB
  wl::OpId prev = g.add_op(linear("l0", m, h, h));
  for (int i = 1; i < 50; ++i) {
    const wl::OpId id = g.add_op(linear("l" + std::to_string(i), m, h, h));
    g.add_tensor(prev, id, Bytes(m * h * 2));
    prev = id;
  }
  const auto layout = driver::layout_tensors(g, g.topo_order());
  const std::uint64_t out = m * h * 2;
  std::uint64_t highest = 0;
  for (wl::OpId id = 0; id < g.size(); ++id) {
    highest = std::max(highest, layout[id].c.base + layout[id].c.size);
    if (id > 0) {
      CHECK(layout[id].a.base == layout[id - 1].c.base);  // A is the producer's output
      CHECK_FALSE(overlap(layout[id].c, layout[id - 1].c));  // never written over what it reads
    }
  }
  // The graph's input buffer and two outputs alive at a time: three buffers, not fifty.
  CHECK(highest <= 3 * out);
  // Weights: 50 distinct 2 MiB ranges above every activation.
  for (wl::OpId id = 0; id < g.size(); ++id) {
    CHECK(layout[id].b.size == static_cast<std::uint64_t>(h * h * 2));
    CHECK(layout[id].b.base >= highest);
    if (id > 0) CHECK_FALSE(overlap(layout[id].b, layout[id - 1].b));
  }
}

TEST_CASE("a tensor with two consumers stays until the later one -- stages have their own space", "[layout]") {
  wl::OpGraph g("fork");
  const wl::OpId a = g.add_op(linear("a", 64, 64, 64));
  const wl::OpId b = g.add_op(linear("b", 64, 64, 64));
  const wl::OpId c = g.add_op(linear("c", 64, 64, 64));
  const wl::OpId d = g.add_op(linear("d", 64, 64, 64, 1));
  g.add_tensor(a, b, Bytes(8192));
  g.add_tensor(b, c, Bytes(8192));
  g.add_tensor(a, c, Bytes(8192));  // a's output is read again by c
  g.add_tensor(c, d, Bytes(8192));
  const auto layout = driver::layout_tensors(g, g.topo_order());
  CHECK_FALSE(overlap(layout[c].c, layout[a].c));
  CHECK_FALSE(overlap(layout[b].c, layout[a].c));
  // Stage 1 starts its own address space: its first output sits at 0 again.
  CHECK(layout[d].c.base == 0);
  CHECK(layout[d].b.base >= layout[d].c.base + layout[d].c.size);
}

TEST_CASE("an at-memory chip keeps batched ResNet-50 on chip: no activation spills to LPDDR", "[layout]") {
  // 16 images' activations (tens of MB live at once, ~1 GB over the whole network) against 238 MB of
  // banks: only the live set needs room, so nothing is forwarded to the backing LPDDR.
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/speedai240.yaml");
  const auto graph = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml", {"batch=16"});
  Bytes total{0};
  for (wl::OpId id = 0; id < graph.size(); ++id) total += wl::output_bytes(graph.op(id));
  REQUIRE(total > Bytes(238'000'000));  // the banks' window (configs/chips/speedai240.yaml)
  (void)simulate(*chip, graph);
  const auto& banks = dynamic_cast<const arch::TieredMemory&>(chip->main_memory());
  CHECK(banks.spilled_bytes() == Bytes(0));
}
