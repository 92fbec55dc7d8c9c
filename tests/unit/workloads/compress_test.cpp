// SPDX-License-Identifier: MIT
// The compression transform in closed form: stored bytes and work per format, which ops change, seeds,
// the plan's record, and a clear error for every bad setting (YAML block, --compress, overrides).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/config/config_error.h"
#include "workloads/loader.h"
#include "workloads/transforms/compress.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

/// A GEMM with a K x N weight, an attention-style GEMM whose B is an activation, and a softmax.
OpGraph small_graph() {
  OpGraph g("small");
  OpNode w;
  w.name = "proj";
  w.kind = OpKind::kGemm;
  w.shape = GemmShape{1, 8, 4096, 4096, false};
  OpNode a;
  a.name = "scores";
  a.kind = OpKind::kGemm;
  a.shape = GemmShape{32, 1, 128, 128, true};
  OpNode s;
  s.name = "softmax";
  s.kind = OpKind::kSoftmax;
  s.shape = VectorShape{4096, 1, 0};
  const OpId p = g.add_op(w), q = g.add_op(a), r = g.add_op(s);
  g.add_tensor(p, q, Bytes(8 * 4096 * 2), "x");
  g.add_tensor(q, r, Bytes(32 * 128 * 2), "y");
  return g;
}

CompressionPlan plan(const std::string& spec) {
  ConfigNode block = ConfigNode::map(SourceMark{"test", 0, 0});
  std::vector<std::string> overrides = compression_overrides(spec);
  take_compression_overrides(overrides, block);
  return read_compression(block);
}

std::string error_of(const std::string& spec) {
  try {
    plan(spec);
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& m : e.messages()) all += m + "\n";
    return all;
  }
  return "no error";
}

constexpr std::int64_t kWeights = 4096 * 4096;

}  // namespace

TEST_CASE("weight-only quantization: weights narrow, activations and work unchanged", "[compress]") {
  const OpGraph g = apply_compression(small_graph(), plan("weight_dtype=int4"));
  const OpNode& w = g.op(0);
  CHECK(w.dtype == DataType::kBf16);
  CHECK(weight_type(w) == DataType::kInt4);
  CHECK(weight_bytes(w).count() == kWeights / 2);
  CHECK(flops(w).count() == 2.0 * 8 * kWeights);
  CHECK(output_bytes(w).count() == 8 * 4096 * 2);
  // The activation-only GEMM and the vector op are not weights: untouched.
  CHECK(weight_type(g.op(1)) == DataType::kBf16);
  CHECK(g.op(1).weight_format == WeightFormat{});
  CHECK(g.op(2).dtype == DataType::kBf16);
  CHECK(g.compression() == "weight_dtype=int4");
}

TEST_CASE("activation precision: matrix ops compute in it, weights follow, tensors shrink", "[compress]") {
  const OpGraph g = apply_compression(small_graph(), plan("activation_dtype=fp8"));
  CHECK(g.op(0).dtype == DataType::kFp8);
  CHECK(weight_type(g.op(0)) == DataType::kFp8);  // W8A8
  CHECK(weight_bytes(g.op(0)).count() == kWeights);
  CHECK(input_bytes(g.op(0)).count() == 8 * 4096);
  CHECK(g.op(1).dtype == DataType::kFp8);         // attention's operands are activations
  CHECK(g.op(2).dtype == DataType::kBf16);        // softmax keeps its precision
  const auto t = g.tensors();
  CHECK(t[0].bytes.count() == 8 * 4096);          // fp8 out of the projection
  CHECK(t[1].bytes.count() == 32 * 128);
  // Weights stay at their own type when given: W4A8.
  const OpGraph w4a8 = apply_compression(small_graph(), plan("activation_dtype=fp8,weight_dtype=int4"));
  CHECK(weight_type(w4a8.op(0)) == DataType::kInt4);
}

TEST_CASE("2:4 sparsity: half the values plus a 2-bit index each, half the work", "[compress]") {
  const OpGraph g = apply_compression(small_graph(), plan("sparsity=2:4"));
  const OpNode& w = g.op(0);
  CHECK(w.weight_format.sparsity == Sparsity::kTwoFour);
  CHECK(w.weight_format.density == 0.5);
  CHECK(weight_bytes(w).count() == kWeights / 2 * (16 + 2) / 8);  // 9/16 of dense bf16
  CHECK(flops(w).count() == 8.0 * kWeights);
  const OpGraph int8 = apply_compression(small_graph(), plan("weight_dtype=int8,sparsity=2:4"));
  CHECK(weight_bytes(int8.op(0)).count() == kWeights / 2 * (8 + 2) / 8);
  CHECK(int8.op(1).weight_format.dense());
}

TEST_CASE("unstructured pruning: kept values plus a 1-bit-per-element bitmap, density x the work", "[compress]") {
  const OpGraph g = apply_compression(small_graph(), plan("sparsity=unstructured,density=0.1,seed=7"));
  const OpNode& w = g.op(0);
  CHECK(w.weight_format.sparsity == Sparsity::kUnstructured);
  CHECK(weight_bytes(w).count() == static_cast<std::int64_t>(std::ceil(kWeights * (0.1 * 16 + 1) / 8.0)));
  CHECK(flops(w).count() == Approx(2.0 * 8 * kWeights * 0.1));
  // Below 1/16 density a bf16 bitmap (kWeights / 8 bytes) costs more than the values it indexes.
  const OpGraph sparse = apply_compression(small_graph(), plan("sparsity=unstructured,density=0.01"));
  CHECK(weight_bytes(sparse.op(0)).count() > 2 * static_cast<std::int64_t>(0.01 * kWeights * 2));
  // Seeds: deterministic, per op name, and following the plan's seed.
  const OpGraph again = apply_compression(small_graph(), plan("sparsity=unstructured,density=0.1,seed=7"));
  const OpGraph other = apply_compression(small_graph(), plan("sparsity=unstructured,density=0.1,seed=8"));
  CHECK(again.op(0).weight_format.seed == w.weight_format.seed);
  CHECK(other.op(0).weight_format.seed != w.weight_format.seed);
  CHECK(g.compression() == "sparsity=unstructured,density=0.1,seed=7");
}

TEST_CASE("codec: stored format unchanged, the ratio travels with the op -- plans stack in the record", "[compress]") {
  const OpGraph g = apply_compression(small_graph(), plan("codec_ratio=2.5"));
  CHECK(g.op(0).weight_format.codec_ratio == 2.5);
  CHECK(weight_bytes(g.op(0)).count() == 2 * kWeights);  // decoded at the memory interface, not here
  const OpGraph twice = apply_compression(g, plan("sparsity=none,weight_dtype=fp8"));
  CHECK(twice.compression() == "codec_ratio=2.5; weight_dtype=fp8,sparsity=none");
  CHECK(twice.op(0).weight_format.codec_ratio == 2.5);
}

TEST_CASE("bad compression settings are clear errors", "[compress]") {
  CHECK_THAT(error_of("sparsty=2:4"), Catch::Contains("unknown key 'sparsty' (did you mean 'sparsity'?)"));
  CHECK_THAT(error_of("weight_dtype=int3"), Catch::Contains("'weight_dtype' expects one of"));
  CHECK_THAT(error_of("sparsity=3:4"), Catch::Contains("expects one of none|2:4|unstructured"));
  CHECK_THAT(error_of("sparsity=unstructured"), Catch::Contains("needs 'density'"));
  CHECK_THAT(error_of("sparsity=unstructured,density=0"), Catch::Contains("'density' must be in (0, 1], got 0"));
  CHECK_THAT(error_of("sparsity=unstructured,density=1.5"), Catch::Contains("'density' must be in (0, 1], got 1.5"));
  CHECK_THAT(error_of("sparsity=2:4,density=0.5"), Catch::Contains("'density' applies only with sparsity=unstructured"));
  CHECK_THAT(error_of("seed=3"), Catch::Contains("'seed' applies only with sparsity=unstructured"));
  CHECK_THAT(error_of("codec_ratio=0.5"), Catch::Contains("'codec_ratio' must be at least 1"));
  CHECK_THAT(error_of("weight_dtype=bf16,activation_dtype=fp8"), Catch::Contains("is wider than activation_dtype fp8"));
  CHECK_THROWS_WITH(compression_overrides("weight_dtype"), Catch::Contains("expects KEY=VALUE"));
  // Weights wider than an op's own activations (an int8 SCALE-Sim layer) are refused per op.
  CHECK_THROWS_WITH(load_workload(kSrc + "/traces/scalesim/resnet50.csv", {"compression.weight_dtype=bf16"}),
                    Catch::Contains("weight_dtype bf16 is wider than op 'conv1''s int8 activations"));
}

TEST_CASE("the switch works on any workload file: spec block, overrides, csv, HF config", "[compress]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "xpusim_compress_test";
  fs::create_directories(dir);
  const fs::path spec = dir / "gemm.yaml";
  std::ofstream(spec) << "workload: {type: gemm, m: 64, n: 1024, k: 1024}\ncompression:\n  weight_dtype: int4\n";
  OpGraph g = load_workload(spec.string());
  CHECK(weight_bytes(g.op(0)).count() == 1024 * 1024 / 2);
  CHECK(g.compression() == "weight_dtype=int4");
  // Overrides extend (and override) the block.
  g = load_workload(spec.string(), {"m=8", "compression.sparsity=2:4", "compression.weight_dtype=int8"});
  CHECK(g.compression() == "weight_dtype=int8,sparsity=2:4");
  CHECK(std::get<GemmShape>(g.op(0).shape).m == 8);
  const fs::path bad = dir / "bad.yaml";
  std::ofstream(bad) << "workload: {type: gemm, m: 64, n: 1024, k: 1024}\ncompression:\n  weight_dtype: int4\n  density: 2\n";
  CHECK_THROWS_WITH(load_workload(bad.string()), Catch::Contains("bad.yaml:4:") &&
                                                     Catch::Contains("'density' applies only with sparsity=unstructured"));
  const fs::path typo = dir / "typo.yaml";
  std::ofstream(typo) << "workload: {type: gemm, m: 64, n: 1024, k: 1024}\ncompresion: {}\n";
  CHECK_THROWS_WITH(load_workload(typo.string()), Catch::Contains("(did you mean 'compression'?)"));
  // A SCALE-Sim topology and a bare HF config take compression.* (and only that).
  OpGraph csv = load_workload(kSrc + "/traces/scalesim/resnet50.csv", {"compression.sparsity=2:4"});
  CHECK(csv.op(0).weight_format.sparsity == Sparsity::kTwoFour);
  CHECK_THROWS_WITH(load_workload(kSrc + "/traces/scalesim/resnet50.csv", {"batch=2"}), Catch::Contains("takes no overrides"));
  OpGraph hf = load_workload(kSrc + "/configs/models/llama-2-7b.json", {"compression.activation_dtype=fp8"});
  CHECK(hf.compression() == "activation_dtype=fp8");
  fs::remove_all(dir);
}
