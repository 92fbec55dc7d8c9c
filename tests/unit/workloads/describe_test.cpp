// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "workloads/builders/transformer.h"
#include "workloads/describe.h"

using namespace xpusim;
using namespace xpusim::wl;

TEST_CASE("describe sums work and traffic over the ops", "[describe]") {
  OpGraph g("tiny");
  OpNode a;
  a.name = "mm";
  a.shape = GemmShape{1, 16, 32, 64, false};  // bf16
  OpNode b;
  b.name = "act";
  b.kind = OpKind::kElementwise;
  b.shape = VectorShape{16 * 32, 1, 0};
  b.ops_per_element = 3;
  OpId ia = g.add_op(a), ib = g.add_op(b);
  g.add_tensor(ia, ib, Bytes(16 * 32 * 2));
  GraphSummary s = describe(g);
  CHECK(s.ops == 2);
  CHECK(s.tensors == 1);
  CHECK(s.flops.count() == 2.0 * 16 * 32 * 64 + 3.0 * 16 * 32);
  CHECK(s.weight_bytes.count() == 64 * 32 * 2);
  CHECK(s.compulsory_bytes.count() == (16 * 64 + 64 * 32 + 16 * 32) * 2 + 2 * 16 * 32 * 2);
  REQUIRE(s.rows.size() == 2);
  CHECK(s.rows[0].shape == "gemm [16x64]x[64x32]");
  CHECK(s.rows[1].shape == "vec 512");
  std::string text = format_summary(s, 1);
  CHECK_THAT(text, Catch::Contains("tiny: 2 ops, 1 tensors"));
  CHECK_THAT(text, Catch::Contains("... 1 more ops"));
}

TEST_CASE("describe of a decode step reads every dense weight once", "[describe]") {
  TransformerConfig c = load_hf_config(std::string(XPUSIM_SOURCE_DIR) + "/configs/models/llama-2-7b.json");
  GraphSummary s = describe(build_transformer(c, TransformerOptions{}));
  ParameterCount p = parameter_count(c);
  // All matrices are read; norm weights and the gathered embedding table are not GEMM weights.
  const std::int64_t norms = (2 * c.layers + 1) * c.hidden;
  CHECK(s.weight_bytes.count() == 2 * (p.total - c.vocab * c.hidden - norms));
  CHECK(s.rows.front().name == "embed");
  CHECK(s.rows.back().name == "lm_head");
  CHECK(s.rows[2].shape == "gemm [1x4096]x[4096x4096]");
}
