// SPDX-License-Identifier: MIT
// Shapes whose byte or work counts would not fit 64-bit integers are refused by OpGraph::validate, for
// every op shape, with the op and the tensor named -- never wrapped into a crash or a zero latency.
#include <catch2/catch.hpp>

#include <string>

#include "sim/config/config_error.h"
#include "workloads/op_graph.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

std::string error_of(const OpShape& shape, OpKind kind) {
  OpGraph g("limits");
  OpNode op;
  op.name = "big";
  op.kind = kind;
  op.shape = shape;
  g.add_op(op);
  try {
    g.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("op shapes too large to count are refused with the op and tensor named", "[workloads][limits]") {
  const std::int64_t huge = std::int64_t{1} << 40;
  CHECK(error_of(GemmShape{1, 4096, 4096, 4096}, OpKind::kGemm) == "no error");
  CHECK_THAT(error_of(GemmShape{1, huge, 8, huge}, OpKind::kGemm), Catch::Contains("op 'big' (gemm): A would hold"));
  CHECK_THAT(error_of(GemmShape{1, 1 << 20, 1 << 20, 1 << 21}, OpKind::kGemm), Catch::Contains("multiply-accumulates exceed the 2^60"));
  ConvShape conv;
  conv.in_h = conv.in_w = 1 << 20;
  conv.in_c = conv.out_c = 1 << 17;  // 2^57 input elements
  conv.kernel_h = conv.kernel_w = 3;
  CHECK_THAT(error_of(conv, OpKind::kConv2d), Catch::Contains("the input would hold"));
  ConvShape padded;
  padded.in_h = padded.in_w = padded.in_c = padded.out_c = 8;
  padded.pad = std::int64_t{1} << 62;  // in + 2 x pad would wrap
  CHECK_THAT(error_of(padded, OpKind::kConv2d), Catch::Contains("padded input is larger"));
  CHECK_THAT(error_of(AttentionShape{huge, 1, huge, 128, 1}, OpKind::kAttention), Catch::Contains("K and V would hold"));
  CHECK_THAT(error_of(VectorShape{std::int64_t{1} << 60, 1, 0}, OpKind::kElementwise), Catch::Contains("its output would hold"));
}
