// SPDX-License-Identifier: MIT
// Attention validation table: simulates every row of tests/validation/attention.yaml (FlashAttention
// forward kernels on A100 and H100) as one layer's scores -> softmax -> P x V fused into one attention
// kernel, and prints simulated vs measured TFLOPS (FlashAttention convention), the error per row and the
// mean absolute error. Only sanity is required; no target error is enforced and nothing is fitted.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"
#include "tests/validation/validation_row.h"
#include "workloads/transforms/fuse.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

constexpr double kSoftmaxOps = 5;  // as workloads/builders/transformer.cpp: max, subtract, exp, sum, divide
constexpr double kSoftmaxSpecial = 1;  // of those, the exp (transformer.cpp's kSoftmaxSpecial)

struct Shape {
  std::int64_t batch = 0, seqlen_q = 0, seqlen_kv = 0, q_heads = 0, kv_heads = 0, head_dim = 0;
  /// FlashAttention's forward FLOP count (non-causal): two GEMMs of 2 x sq x skv x d per query head.
  double flops() const {
    return 4.0 * static_cast<double>(batch) * static_cast<double>(q_heads) * static_cast<double>(seqlen_q) *
           static_cast<double>(seqlen_kv) * static_cast<double>(head_dim);
  }
};

struct Row {
  std::string id, chip, dtype, reference, source;
  Shape shape;
  double measured = 0, time_ms = 0;  // time_ms: 0 when the source gives none
  // Simulated:
  double tflops = 0, kernel_s = 0, peak_tflops = 0, kernel_flops = 0;
  std::size_t ops = 0, fused_ops = 0, members = 0;
  std::string kind, bound;
  std::int64_t bytes = 0;
};

std::int64_t integer(const ConfigNode& row, const char* key) {
  const std::int64_t v = std::stoll(field(row, key));
  if (v < 1) throw ConfigError(row.mark(), std::string("validation row: '") + key + "' must be positive");
  return v;
}

/// One layer's attention as transformer.cpp attend() builds it (prefill, grouped GQA): the query heads
/// of one KV head are the rows of one GEMM instance, so batch = sequences x kv_heads and
/// m = seqlen_q x (q_heads / kv_heads).
wl::OpGraph attention_graph(const std::string& name, const Shape& s, DataType dt) {
  const std::int64_t group = s.q_heads / s.kv_heads, att_m = s.seqlen_q * group, att_batch = s.batch * s.kv_heads;
  wl::OpGraph g(name);
  auto gemm = [&](const char* op_name, std::int64_t m, std::int64_t k, std::int64_t n) {
    wl::OpNode op;
    op.name = op_name;
    op.kind = wl::OpKind::kGemm;
    op.dtype = dt;
    op.shape = wl::GemmShape{att_batch, m, n, k, true, 1};
    return g.add_op(std::move(op));
  };
  const wl::OpId scores = gemm("L0.scores", att_m, s.head_dim, s.seqlen_kv);
  wl::OpNode sm;
  sm.name = "L0.softmax";
  sm.kind = wl::OpKind::kSoftmax;
  sm.dtype = dt;
  const std::int64_t probs = s.batch * s.q_heads * s.seqlen_q * s.seqlen_kv;
  sm.shape = wl::VectorShape{probs, 1, 0};
  sm.ops_per_element = kSoftmaxOps;
  sm.special_per_element = kSoftmaxSpecial;
  const wl::OpId softmax = g.add_op(std::move(sm));
  const wl::OpId pv = gemm("L0.pv", att_m, s.seqlen_kv, s.head_dim);
  g.add_tensor(scores, softmax, storage(dt, probs), "scores");
  g.add_tensor(softmax, pv, storage(dt, probs), "probs");
  g.set_items(static_cast<double>(s.batch * s.seqlen_q), "tokens");
  g.validate();
  return g;
}

Row simulate_row(const ConfigNode& row) {
  Row r;
  r.id = field(row, "id");
  r.chip = field(row, "chip");
  r.dtype = field(row, "dtype");
  r.reference = field(row, "reference");
  r.source = field(row, "source");
  r.measured = std::stod(field(row, "measured"));
  if (row.find("time_ms")) r.time_ms = std::stod(field(row, "time_ms"));
  if (field(row, "causal") != "false") {
    throw ConfigError(row.mark(), "validation row: causal rows are not covered (the fused kernel computes every block)");
  }
  r.shape = Shape{integer(row, "batch"), integer(row, "seqlen_q"), integer(row, "seqlen_kv"),
                  integer(row, "q_heads"), integer(row, "kv_heads"), integer(row, "head_dim")};
  if (r.shape.q_heads % r.shape.kv_heads != 0) throw ConfigError(row.mark(), "validation row: q_heads not a multiple of kv_heads");
  const auto dt = parse_dtype(r.dtype);
  if (!dt) throw ConfigError(row.mark(), "validation row: unknown dtype '" + r.dtype + "'");

  auto chip = arch::Chip::load(kRoot + "/configs/chips/" + r.chip + ".yaml");
  wl::OpGraph g = attention_graph(r.id, r.shape, *dt);
  r.fused_ops = wl::fuse(g, FusionPolicy::kFull).size();  // what the pass makes of it, independently of simulate
  g.set_fusion(FusionPolicy::kFull);                       // the workload's policy, whatever the chip says
  const Result res = simulate(*chip, g);
  r.ops = res.ops.size();
  if (!res.ops.empty()) {
    const OpResult& k = res.ops.front();
    r.kind = k.kind;
    r.members = k.members.size();
    r.kernel_s = k.end_s - k.start_s;
    r.kernel_flops = k.flops;
    r.bound = k.bound_level.empty() ? k.bound : k.bound_level;
    r.bytes = k.bytes;
    r.tflops = r.shape.flops() / r.kernel_s / 1e12;
  }
  r.peak_tflops = chip->compute_units().front().model->peak_rate(arch::TaskClass::kMatrix, *dt).per_second() / 1e12;
  return r;
}

double mae(const std::vector<Row>& rows, bool measured_only) {
  double sum = 0;
  std::size_t n = 0;
  for (const auto& r : rows) {
    if (measured_only && r.reference != "measured") continue;
    sum += std::fabs(percent_error(r.tflops, r.measured));
    ++n;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

/// Every row simulated once, shared by the test cases below.
const std::vector<Row>& table() {
  static const std::vector<Row> rows = [] {
    std::vector<Row> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/attention.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) out.push_back(simulate_row(row));
    std::printf("\n%-28s %-14s %-5s %-25s %9s %9s %8s %8s  %s\n", "id", "chip", "dtype", "b x sq x skv x hq/hkv x d",
                "simulated", "measured", "error", "kernel", "bound");
    std::size_t claims = 0;
    for (const auto& r : out) {
      const Shape& s = r.shape;
      const std::string shape = std::to_string(s.batch) + "x" + std::to_string(s.seqlen_q) + "x" + std::to_string(s.seqlen_kv) +
                                "x" + std::to_string(s.q_heads) + "/" + std::to_string(s.kv_heads) + "x" +
                                std::to_string(s.head_dim);
      const bool claim = r.reference != "measured";
      claims += claim ? 1 : 0;
      std::printf("%-28s %-14s %-5s %-25s %9.1f %9.1f %+7.1f%% %6.3fms  %s%s\n", r.id.c_str(), r.chip.c_str(), r.dtype.c_str(),
                  shape.c_str(), r.tflops, r.measured, percent_error(r.tflops, r.measured), r.kernel_s * 1e3, r.bound.c_str(),
                  claim ? "  (claim, assumed shape)" : "");
    }
    std::printf("TFLOPS = 4 x b x hq x sq x skv x d / kernel time (non-causal)\n");
    std::printf("mean absolute error: %.1f%% over %zu measured rows; %.1f%% over all %zu rows (with %zu claim)\n",
                mae(out, true), out.size() - claims, mae(out, false), out.size(), claims);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("Attention validation rows are one fused kernel under the chip's peak", "[validation][attention]") {
  REQUIRE(table().size() >= 5);
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.tflops << " TFLOPS, measured " << r.measured << ", dense peak " << r.peak_tflops
              << ", kernel " << r.kind << " of " << r.members << " ops");
    CHECK(r.fused_ops == 1);           // fuse(kFull) makes the three ops one kernel
    REQUIRE(r.ops == 1);               // and simulate ran exactly that kernel
    CHECK(r.kind == "attention");
    CHECK(r.members == 3);             // scores, softmax, pv
    CHECK(std::isfinite(r.kernel_s));
    CHECK(r.kernel_s > 0);
    CHECK(std::isfinite(r.tflops));
    CHECK(r.tflops > 0);
    CHECK(r.peak_tflops > 0);
    CHECK(r.tflops <= r.peak_tflops);  // nothing beats the data-sheet dense peak
    CHECK(r.measured <= r.peak_tflops * 1.001);  // the model's peak is not below a real measurement
    // The kernel counts at least the FlashAttention FLOPs (its softmax adds vector work on top).
    CHECK(r.kernel_flops >= r.shape.flops() * 0.999);
    CHECK(r.bytes > 0);
    // The source's kernel time and measured TFLOPS agree with the FLOP convention used here.
    if (r.time_ms > 0) CHECK(std::fabs(r.shape.flops() / (r.time_ms * 1e-3) / 1e12 / r.measured - 1) < 0.005);
  }
}

// The accuracy target is reported, not enforced: [!mayfail] shows a miss in every run without breaking
// CI, so a model change that moves the error is visible and no row is tuned to pass.
TEST_CASE("Attention validation table: target MAE 20% (reported, not enforced)", "[validation][attention][!mayfail]") {
  const double e = mae(table(), true);
  INFO("mean absolute error " << e << "% over the measured rows");
  CHECK(e < 20.0);
}
