// SPDX-License-Identifier: MIT
// ResNet-50 v1.5 builder: layer count, MACs and parameters against torchvision's published figures.
#include <catch2/catch.hpp>

#include "workloads/builders/resnet50.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {
struct Totals {
  double macs = 0;
  std::int64_t weights = 0, convs = 0, gemms = 0, pools = 0, adds = 0;
};
Totals totals(const OpGraph& g) {
  Totals t;
  for (OpId i = 0; i < g.size(); ++i) {
    const OpNode& op = g.op(i);
    if (is_matrix(op)) {
      GemmView v = gemm_view(op);
      t.macs += static_cast<double>(v.batch * v.m * v.n * v.k);
      t.weights += v.k * v.n;
    }
    t.convs += op.kind == OpKind::kConv2d;
    t.gemms += op.kind == OpKind::kGemm;
    t.pools += op.kind == OpKind::kPool;
    if (const auto* s = std::get_if<VectorShape>(&op.shape)) t.adds += s->inputs == 2;
  }
  return t;
}
}  // namespace

TEST_CASE("ResNet-50 has torchvision's layers, MACs and weights", "[resnet50]") {
  OpGraph g = build_resnet50(ResNet50Options{});
  Totals t = totals(g);
  INFO("MACs per image: " << t.macs << ", weights: " << t.weights);
  CHECK(t.convs == 53);  // conv1 + 16 blocks x 3 + 4 projections
  CHECK(t.gemms == 1);
  CHECK(t.pools == 2);
  CHECK(t.adds == 16);
  // torchvision: 4.09 GFLOPS (multiply-accumulates) and 25.557 M parameters, of which 53,120 are
  // batch-norm scale/shift (folded here) and 1000 the FC bias (an epilogue add).
  CHECK(t.macs == Approx(4.089e9).epsilon(0.005));
  CHECK(t.weights == 25'557'032 - 53'120 - 1000);
  const auto& fc = std::get<GemmShape>(g.op(g.size() - 1).shape);
  CHECK((fc.k == 2048 && fc.n == 1000));
  CHECK(g.item_unit() == "images");
}

TEST_CASE("ResNet-50 scales with batch and keeps v1.5 strides", "[resnet50]") {
  OpGraph g = build_resnet50(ResNet50Options{8, DataType::kInt8, 224});
  CHECK(totals(g).macs == Approx(8 * 4.089e9).epsilon(0.005));
  CHECK(g.items() == 8);
  for (OpId i = 0; i < g.size(); ++i) {
    const OpNode& op = g.op(i);
    if (op.name == "layer2.0.conv2") {
      const auto& c = std::get<ConvShape>(op.shape);
      CHECK((c.stride == 2 && c.kernel_h == 3 && c.in_h == 56 && c.out_h() == 28));
    }
    if (op.name == "layer2.0.conv1") CHECK(std::get<ConvShape>(op.shape).stride == 1);
    if (op.name == "avgpool") CHECK(std::get<VectorShape>(op.shape).input_elements == 8 * 7 * 7 * 2048);
  }
  CHECK_THROWS_WITH(build_resnet50(ResNet50Options{0, DataType::kBf16, 224}), Catch::Contains("batch must be at least 1"));
}
