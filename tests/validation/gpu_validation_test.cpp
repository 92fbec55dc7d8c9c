// SPDX-License-Identifier: MIT
// GPU validation table: simulates every row of tests/validation/gpu.yaml, prints simulated vs measured
// and the error per row and the mean absolute error. Rows outside the target are reported, not hidden.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "arch/system.h"
#include "sim/config/config_node.h"
#include "tests/validation/validation_row.h"
#include "sim/driver/simulate.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

struct Simulated {
  double value = 0;  // in the row's unit
  double ceiling = 0;  // data-sheet peak in the same unit: no simulation may exceed it
};

/// nccl-tests all_reduce_perf on a system: one all-reduce of `bytes` over `gpus` chips, bus bandwidth
/// in GB/s. Ceiling: the switch ports' line rate, times 2(n-1)/(n+1) when the chosen algorithm is NVLS
/// (each port then carries S (n+1)/n, not the ring's 2 S (n-1)/n).
Simulated simulate_allreduce(const ConfigNode& row, const ConfigNode& op) {
  const int n = std::stoi(field(op, "gpus"));
  auto sys = arch::System::load(kRoot + "/configs/systems/" + field(row, "system") + ".yaml",
                                {"system.tp=" + std::to_string(n), "system.dp=1", "system.collective=" + field(op, "algorithm")});
  const std::int64_t bytes = std::stoll(field(op, "bytes"));
  wl::OpGraph g(field(row, "id"));
  wl::OpNode node;
  node.name = "allreduce";
  node.kind = wl::OpKind::kAllReduce;
  node.shape = wl::CollectiveShape{bytes, n, 0};
  g.add_op(node);
  const Result r = simulate_system(*sys, g);
  const double factor = arch::bus_bandwidth_factor(arch::Collective::kAllReduce, n);
  const arch::Topology& topo = *sys->topology();
  const auto plan = arch::plan_collective(arch::Collective::kAllReduce, Bytes(bytes), sys->stage_group(0), sys->algorithm(), &topo);
  const double line = topo.route(0, 1)[1].element->channel_bandwidth().bytes_per_second();  // the switch port
  const double nvls = plan.algorithm == arch::CollectiveAlgorithm::kNvls ? 2.0 * (n - 1) / (n + 1) : 1.0;
  return Simulated{static_cast<double>(bytes) / r.latency_s * factor / 1e9, line * nvls / 1e9};
}

Simulated simulate_row(const ConfigNode& row) {
  if (row.find("system")) return simulate_allreduce(row, *row.find("op"));
  auto chip = arch::Chip::load(kRoot + "/configs/chips/" + field(row, "chip") + ".yaml");
  const ConfigNode& op = *row.find("op");
  const DataType dt = *parse_dtype(field(op, "dtype"));
  wl::OpGraph g(field(row, "id"));
  wl::OpNode node;
  node.name = "op";
  node.dtype = dt;
  Simulated s;
  if (field(op, "kind") == "gemm") {
    node.kind = wl::OpKind::kGemm;
    node.shape = wl::GemmShape{1, std::stoll(field(op, "m")), std::stoll(field(op, "n")), std::stoll(field(op, "k")), false};
    g.add_op(node);
    Result r = simulate(*chip, g);
    s.value = r.ops.front().flops / r.latency_s / 1e12;
    s.ceiling = chip->compute_units().front().model->peak_rate(arch::TaskClass::kMatrix, dt).per_second() / 1e12;
  } else {
    // A device-to-device copy: every byte read once and written once.
    const std::int64_t bytes = std::stoll(field(op, "bytes"));
    node.kind = wl::OpKind::kElementwise;
    node.shape = wl::VectorShape{bytes * 8 / bits(dt), 1, 0};
    node.ops_per_element = 1;  // one move per element (the graph requires positive work)
    g.add_op(node);
    Result r = simulate(*chip, g);
    s.value = 2.0 * static_cast<double>(bytes) / r.latency_s / 1e12;
    s.ceiling = chip->main_memory().peak_bandwidth().bytes_per_second() / 1e12;
  }
  return s;
}

struct TableRow {
  std::string id, chip, unit;
  double measured = 0;
  Simulated sim;
};

/// Every row simulated once, shared by the test cases below.
const std::vector<TableRow>& table() {
  static const std::vector<TableRow> rows = [] {
    std::vector<TableRow> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/gpu.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) {
      out.push_back({field(row, "id"), field(row, row.find("system") ? "system" : "chip"), field(row, "unit"),
                     std::stod(field(row, "measured")), simulate_row(row)});
    }
    std::vector<validation::PrintedRow> printed;
    for (const auto& r : out) {
      printed.push_back({validation::padded(r.id, 28) + " " + validation::padded(r.chip, 14), r.sim.value, r.measured, r.unit});
    }
    validation::print_table(validation::padded("id", 28) + " " + validation::padded("chip", 14), printed, 1);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("GPU validation rows obey the data-sheet ceilings", "[validation][gpu]") {
  REQUIRE(table().size() >= 10);
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.sim.value << ", measured " << r.measured << ", ceiling " << r.sim.ceiling);
    CHECK(r.sim.value > 0);
    CHECK(r.sim.value <= r.sim.ceiling);       // nothing beats the data-sheet peak
    CHECK(r.measured <= r.sim.ceiling * 1.001);  // the model's peak is not below a real measurement
  }
}

// The accuracy target is reported, not enforced: [!mayfail] shows a miss in every run without
// breaking CI, so a model change that moves the error is visible and no row is tuned to pass.
TEST_CASE("GPU validation table: target MAE 20% (reported, not enforced)", "[validation][gpu][!mayfail]") {
  double sum_abs = 0;
  for (const auto& r : table()) sum_abs += std::fabs(percent_error(r.sim.value, r.measured));
  const double mae = sum_abs / static_cast<double>(table().size());
  INFO("mean absolute error " << mae << "%");
  CHECK(mae < 20.0);
}
