// SPDX-License-Identifier: MIT
// Layer pipelining on spatial units: micro-batch copies, regions in proportion to MACs, and the
// pipeline the engine makes of them: k micro-batches through L equal layers take L + k - 1 stage times.
#include <catch2/catch.hpp>

#include <map>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/config/config_node.h"
#include "sim/driver/placement.h"
#include "sim/driver/simulate.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/scenario_spec.h"
#include "workloads/describe.h"
#include "workloads/loader.h"
#include "workloads/transforms/microbatch.h"

using namespace xpusim;

namespace {

// Four banks of one 1 x 4 PE row; a memory without bandwidth limit, so only the grid sets the time.
std::unique_ptr<arch::Chip> toy_grid(bool pipeline) {
  const std::string text = std::string(R"(
chip: {name: toy, main_memory: mem}
components:
  - {name: mem, type: memory/ideal}
  - {name: regs, type: memory/sram, capacity: 1 MiB, banks: 64, port_width: 64 B, clock: 1 GHz, latency_cycles: 0,
     read_energy: 0 pJ/B, write_energy: 0 pJ/B, leakage_power: 0 W}
  - {name: grid, type: compute/at_memory_grid, banks: 4, pe_rows: 1, pe_cols: 4, clock: 1 GHz, macs_int8: 1,
     buffer: regs, pipeline_layers: )") + (pipeline ? "true" : "false") + "}\n";
  return arch::Chip::build(ConfigNode::load_string(text, "toy.yaml"));
}

// A chain of `layers` GEMMs of M = 100 x micro-batches, K = 1, N = 4: one fold each.
wl::OpGraph chain(int layers, std::int64_t m) {
  wl::OpGraph g("chain");
  for (int l = 0; l < layers; ++l) {
    wl::OpNode op;
    op.name = "l" + std::to_string(l);
    op.kind = wl::OpKind::kGemm;
    op.dtype = DataType::kInt8;
    op.shape = wl::GemmShape{1, m, 4, 1, false};
    const wl::OpId id = g.add_op(op);
    if (l > 0) g.add_tensor(id - 1, id, Bytes(m * 4));
  }
  return g;
}

}  // namespace

TEST_CASE("micro-batch copies split the work and keep layer names", "[pipeline]") {
  const auto graph = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml", {"batch=8"});
  const auto split = wl::split_microbatches(graph, 4);
  CHECK(split.size() == 4 * graph.size());
  CHECK(split.items() == graph.items());
  CHECK(wl::describe(split).flops.count() == Approx(wl::describe(graph).flops.count()));
  CHECK(split.op(graph.size()).name == "mb1/" + graph.op(0).name);
  CHECK(wl::layer_key("mb12/layer1.0.conv1") == "layer1.0.conv1");
  CHECK(wl::microbatch_of("mb12/layer1.0.conv1") == 12);
  CHECK(wl::layer_key("mbx/a") == "mbx/a");
  CHECK(wl::microbatch_of("conv1") == 0);
  CHECK_THROWS_WITH(wl::split_microbatches(graph, 3), Catch::Contains("not a multiple of 3"));
  CHECK_THROWS_WITH(wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml", {"microbatches=0"}),
                    Catch::Contains("'microbatches' must be a whole number of at least 1"));
}

TEST_CASE("a batch that micro-batches do not divide is dealt out unevenly, as a scenario's batches need", "[pipeline]") {
  const std::string resnet = std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml";
  const auto whole = wl::load_workload(resnet, {"batch=101"});
  const auto split = wl::load_workload(resnet, {"batch=101", "microbatches=2"});
  REQUIRE(split.size() == 2 * whole.size());
  CHECK(std::get<wl::ConvShape>(split.op(0).shape).batch == 51);
  CHECK(std::get<wl::ConvShape>(split.op(whole.size()).shape).batch == 50);
  CHECK(wl::describe(split).flops.count() == Approx(wl::describe(whole).flops.count()));
  // Fewer samples than micro-batches: one copy per sample.
  const auto tiny = wl::load_workload(resnet, {"batch=3", "microbatches=8"});
  CHECK(tiny.size() == 3 * wl::load_workload(resnet, {"batch=3"}).size());
  // An even split is the one it always was.
  const auto even = wl::load_workload(resnet, {"batch=8", "microbatches=4"});
  CHECK(std::get<wl::ConvShape>(even.op(0).shape).batch == 2);
}

TEST_CASE("a server scenario runs with micro-batches on a chip that pipelines layers", "[pipeline][scenario]") {
  // The batcher forms batches of any size; they used to be refused unless divisible by microbatches.
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/speedai240-slim.yaml");
  const std::string wl_path = std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50-server.yaml";
  const auto spec = resolve_scenario(wl_path, "", {"queries=600"});
  REQUIRE(spec);
  const Result one = run_batch_scenario(*chip, wl_path, {}, *spec);
  const Result two = run_batch_scenario(*chip, wl_path, {"microbatches=2"}, *spec);
  REQUIRE(one.scenario);
  REQUIRE(two.scenario);
  CHECK(two.throughput_value > one.throughput_value);
}

TEST_CASE("layers get regions in proportion to their MACs -- element-wise ops join their layer", "[pipeline]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/speedai240.yaml", {"grid.pipeline_layers=true"});
  const auto graph = wl::split_microbatches(
      wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml", {"batch=2"}), 2);
  const auto order = graph.topo_order();
  std::vector<driver::OpPlan> plans;
  for (wl::OpId id = 0; id < graph.size(); ++id) plans.push_back(driver::plan_op(*chip, graph.op(id)));
  const auto where = driver::place_layers(graph, order, plans, {chip.get()});
  const std::int64_t banks = chip->compute_units().front().model->spatial_parts();
  REQUIRE(banks == 729);
  std::map<std::int32_t, std::int64_t> parts;
  std::map<std::int32_t, double> macs;
  for (wl::OpId id = 0; id < graph.size(); ++id) {
    const wl::OpNode& op = graph.op(id);
    INFO(op.name);
    REQUIRE(where[id].region >= 0);
    CHECK(where[id].parts >= 1);
    parts[where[id].region] = where[id].parts;
    if (wl::weight_bytes(op).count() > 0 && wl::microbatch_of(op.name) == 0) macs[where[id].region] += wl::flops(op).count();
  }
  std::int64_t used = 0;
  for (const auto& [r, p] : parts) used += p;
  CHECK(used <= banks);
  CHECK(parts.size() == 54);  // ResNet-50's 53 convolutions and the classifier
  // The same layer of both micro-batches shares a region; its ReLU runs there too.
  const auto id_of = [&](const std::string& name) {
    for (wl::OpId id = 0; id < graph.size(); ++id) {
      if (graph.op(id).name == name) return id;
    }
    FAIL("no op " << name);
    return wl::OpId{0};
  };
  CHECK(where[id_of("mb0/layer2.1.conv2")].region == where[id_of("mb1/layer2.1.conv2")].region);
  CHECK(where[id_of("mb1/layer2.1.conv2.relu")].region == where[id_of("mb1/layer2.1.conv2")].region);
  // A layer with four times the MACs holds about four times the banks.
  const auto ratio = [&](const std::string& a, const std::string& b) {
    const auto ra = where[id_of(a)], rb = where[id_of(b)];
    return (static_cast<double>(ra.parts) / static_cast<double>(rb.parts)) / (macs[ra.region] / macs[rb.region]);
  };
  CHECK(ratio("mb0/layer1.0.conv2", "mb0/layer1.0.conv1") == Approx(1.0).epsilon(0.15));
  CHECK(ratio("mb0/layer3.0.conv2", "mb0/layer2.0.conv3") == Approx(1.0).epsilon(0.15));
  // The classifier's share rounds down to nothing: it keeps the one bank every layer gets.
  CHECK(where[id_of("mb0/fc")].parts == 1);
}

TEST_CASE("k micro-batches through L equal pipelined layers take L + k - 1 stage times", "[pipeline]") {
  const int layers = 4;
  for (std::int64_t k : {1, 2, 8}) {
    INFO("micro-batches " << k);
    const auto graph = wl::split_microbatches(chain(layers, 100 * k), k);
    auto whole = toy_grid(false);
    auto piped = toy_grid(true);
    const Result one_at_a_time = simulate(*whole, graph);
    const Result pipelined = simulate(*piped, graph);
    // Each layer has one fold; on its own bank or on all four it streams 100 rows: the same stage time.
    const double stage = one_at_a_time.latency_s / static_cast<double>(layers * k);
    CHECK(pipelined.latency_s == Approx(stage * static_cast<double>(layers + k - 1)).epsilon(0.02));
    for (const auto& op : pipelined.ops) CHECK(op.end_s - op.start_s >= op.roofline_s - 1e-12);
  }
}

TEST_CASE("a pipelined at-memory chip trades single-image latency for throughput", "[pipeline]") {
  const std::string dir = std::string(XPUSIM_SOURCE_DIR);
  auto whole = arch::Chip::load(dir + "/configs/chips/speedai240.yaml", {"grid.pipeline_layers=false"});
  auto piped = arch::Chip::load(dir + "/configs/chips/speedai240.yaml", {"grid.pipeline_layers=true"});
  const auto one = wl::load_workload(dir + "/configs/workloads/resnet50.yaml", {"batch=1"});
  const auto sixteen = wl::load_workload(dir + "/configs/workloads/resnet50.yaml", {"batch=16", "microbatches=16"});
  // One image: each layer has only its own banks, so it is slower than on the whole grid.
  CHECK(simulate(*piped, one).latency_s > simulate(*whole, one).latency_s);
  // Sixteen images in flight: layers work side by side and throughput rises well above one at a time.
  CHECK(simulate(*piped, sixteen).throughput_value > 1.5 * simulate(*whole, sixteen).throughput_value);
}
