// SPDX-License-Identifier: MIT
// The fusion pass as a graph transform (no simulation): kNone is the identity; a Llama decode layer
// becomes fused QKV, gate/up with SiLU-and-mul, GEMMs with their residual adds, and one attention
// kernel under kFull; every bundled workload stays a valid acyclic graph whose kernels partition the
// ops; FLOPs are conserved; ResNet-50's convolutions run as implicit GEMMs with their epilogues.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/loader.h"
#include "workloads/transforms/fuse.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

OpGraph load(const std::string& rel, const std::vector<std::string>& overrides = {}) {
  return load_workload(kSrc + "/" + rel, overrides);
}

/// The kernel of `fused` that runs op `member` of the original graph.
const OpNode& kernel_of(const OpGraph& fused, const std::string& member) {
  for (OpId i = 0; i < fused.size(); ++i) {
    const OpNode& k = fused.op(i);
    if (k.fused.members.empty() ? k.name == member
                                : std::find(k.fused.members.begin(), k.fused.members.end(), member) != k.fused.members.end()) {
      return k;
    }
  }
  FAIL("no kernel runs op " << member);
  throw std::logic_error("unreachable");
}

const OpNode& op_named(const OpGraph& g, const std::string& name) {
  for (OpId i = 0; i < g.size(); ++i) {
    if (g.op(i).name == name) return g.op(i);
  }
  FAIL("no op named " << name);
  throw std::logic_error("unreachable");
}

std::size_t count_kind(const OpGraph& g, OpKind kind) {
  std::size_t n = 0;
  for (OpId i = 0; i < g.size(); ++i) n += g.op(i).kind == kind;
  return n;
}

double total_flops(const OpGraph& g) {
  double f = 0;
  for (OpId i = 0; i < g.size(); ++i) f += flops(g.op(i)).count();
  return f;
}

double rel_diff(double a, double b) { return std::abs(a - b) / std::max(std::abs(a), std::abs(b)); }

/// Every op of `original` is in exactly one kernel of `fused`: a member of one kernel, or a kernel by
/// itself (empty members, the op unchanged but for the implicit-GEMM flag of a convolution); every
/// tensor between two kernels' ops is a tensor between the kernels, and no other tensor is.
void check_partition(const OpGraph& original, const OpGraph& fused) {
  std::map<std::string, OpId> op_id;
  for (OpId i = 0; i < original.size(); ++i) op_id.emplace(original.op(i).name, i);
  std::vector<std::string> problems;
  std::vector<int> seen(original.size(), 0);
  std::vector<OpId> kernel(original.size(), 0);
  auto place = [&](const std::string& name, OpId k) {
    const auto it = op_id.find(name);
    if (it == op_id.end()) return problems.push_back("kernel member " + name + " is no op of the graph");
    ++seen[it->second];
    kernel[it->second] = k;
  };
  for (OpId i = 0; i < fused.size(); ++i) {
    const OpNode& k = fused.op(i);
    if (!k.fused.members.empty()) {
      if (k.fused.members.size() < 2) problems.push_back("kernel " + k.name + " has a single member");
      for (const std::string& m : k.fused.members) place(m, i);
      continue;
    }
    place(k.name, i);
    if (const auto it = op_id.find(k.name); it != op_id.end()) {
      OpNode expected = original.op(it->second);
      if (expected.kind == OpKind::kConv2d) expected.fused.implicit_gemm = true;
      if (!(k == expected)) problems.push_back("kernel " + k.name + " differs from its op");
    }
  }
  for (OpId i = 0; i < original.size(); ++i) {
    if (seen[i] != 1) problems.push_back("op " + original.op(i).name + " is in " + std::to_string(seen[i]) + " kernels");
  }
  std::set<std::pair<OpId, OpId>> expected_edges, edges;
  if (problems.empty()) {
    for (const TensorEdge& e : original.tensors()) {
      if (kernel[e.from] != kernel[e.to]) expected_edges.emplace(kernel[e.from], kernel[e.to]);
    }
    for (const TensorEdge& e : fused.tensors()) edges.emplace(e.from, e.to);
    if (edges != expected_edges) problems.push_back("the kernels' tensors are not the ops' tensors between kernels");
  }
  std::string first;
  for (std::size_t i = 0; i < problems.size() && i < 5; ++i) first += problems[i] + "; ";
  INFO(problems.size() << " problems: " << first);
  CHECK(problems.empty());
}

}  // namespace

TEST_CASE("fusion none returns the graph unchanged", "[fusion][fuse]") {
  for (const char* rel : {"configs/workloads/llama-2-7b-decode.yaml", "configs/workloads/resnet50.yaml"}) {
    INFO(rel);
    const OpGraph g = load(rel);
    const OpGraph f = fuse(g, FusionPolicy::kNone);
    REQUIRE(f.size() == g.size());
    CHECK(f.name() == g.name());
    CHECK(f.items() == g.items());
    CHECK(f.fusion() == g.fusion());
    for (OpId i = 0; i < g.size(); ++i) {
      const OpNode& a = g.op(i);
      const OpNode& b = f.op(i);
      INFO("op " << a.name);
      CHECK(b.name == a.name);
      CHECK(b.kind == a.kind);
      CHECK(b.dtype == a.dtype);
      CHECK(b.weight_dtype == a.weight_dtype);
      CHECK(b.shape == a.shape);
      CHECK(b.ops_per_element == a.ops_per_element);
      CHECK(b.stage == a.stage);
      CHECK(b.fused == FusedWork{});
      CHECK(b == a);
    }
    const auto ta = g.tensors(), tb = f.tensors();
    REQUIRE(ta.size() == tb.size());
    for (std::size_t i = 0; i < ta.size(); ++i) {
      CHECK(tb[i].from == ta[i].from);
      CHECK(tb[i].to == ta[i].to);
      CHECK(tb[i].bytes == ta[i].bytes);
      CHECK(tb[i].name == ta[i].name);
    }
  }
}

TEST_CASE("Llama-2-7B decode under epilogue fusion: fused QKV, gate/up with SiLU-and-mul, residual adds in the GEMMs",
          "[fusion][fuse]") {
  // Batch 8, one token each: T = 8 rows; hidden 4096, 32 heads = 32 KV heads of 128, intermediate 11008.
  const OpGraph g = load("configs/workloads/llama-2-7b-decode.yaml");
  const OpGraph f = fuse(g, FusionPolicy::kEpilogue);
  REQUIRE(f.fusion() == FusionPolicy::kEpilogue);
  const std::int64_t T = 8, h = 4096, I = 11008;

  SECTION("q, k and v projections are one GEMM with rotary and the KV-cache write in its epilogue") {
    for (int l : {0, 17, 31}) {
      const std::string p = "L" + std::to_string(l) + ".";
      const OpNode& qkv = kernel_of(f, p + "q_proj");
      INFO(qkv.name);
      CHECK(qkv.name == p + "q_proj+k_proj+v_proj+rotary+kv_write");
      CHECK(qkv.fused.members == std::vector<std::string>{p + "q_proj", p + "k_proj", p + "v_proj", p + "rotary", p + "kv_write"});
      CHECK(qkv.kind == OpKind::kGemm);
      const auto& s = std::get<GemmShape>(qkv.shape);
      const auto n = [&](const char* proj) { return std::get<GemmShape>(op_named(g, p + proj).shape).n; };
      CHECK(s.n == n("q_proj") + n("k_proj") + n("v_proj"));
      CHECK(s.n == 3 * 32 * 128);
      CHECK((s.m == T && s.k == h && s.batch == 1 && !s.b_is_activation));
      CHECK(&kernel_of(f, p + "v_proj") == &qkv);
      // Rotary: 3 ops on each of T x (32 + 32) x 128 values; the cache write one move on T x 2 x 32 x 128.
      const double base = static_cast<double>(T * 3 * 32 * 128);
      CHECK(qkv.fused.epilogue_ops == Approx((3.0 * T * 64 * 128 + 1.0 * T * 64 * 128) / base));
      CHECK(qkv.fused.extra_inputs == 0);
      CHECK(qkv.fused.implicit_gemm == false);
    }
  }

  SECTION("gate and up are one GEMM with SiLU-and-mul as epilogue, which halves what leaves") {
    const OpNode& gu = kernel_of(f, "L3.gate_proj");
    INFO(gu.name);
    CHECK(gu.fused.members == std::vector<std::string>{"L3.gate_proj", "L3.up_proj", "L3.act_mul"});
    CHECK(gu.name == "L3.gate_proj+up_proj+act_mul");
    const auto& s = std::get<GemmShape>(gu.shape);
    CHECK((s.m == T && s.k == h && s.n == 2 * I));
    CHECK(gu.fused.outputs == 0.5);
    CHECK(gu.fused.extra_inputs == 0);
    CHECK(gu.fused.epilogue_ops == Approx(4.0 * T * I / (T * 2.0 * I)));  // 4 ops per SiLU-and-mul result
    CHECK(output_bytes(gu) == storage(DataType::kBf16, T * I));
  }

  SECTION("the residual adds ride in the o_proj and down_proj kernels") {
    for (const auto& [gemm, add, k] : {std::tuple{"L5.o_proj", "L5.attn_add", h}, std::tuple{"L5.down_proj", "L5.mlp_add", I}}) {
      const OpNode& kn = kernel_of(f, gemm);
      INFO(kn.name);
      CHECK(kn.fused.members == std::vector<std::string>{gemm, add});
      const auto& s = std::get<GemmShape>(kn.shape);
      CHECK((s.m == T && s.n == h && s.k == k));
      CHECK(kn.fused.extra_inputs == 1);  // the residual stream, T x h like the GEMM's output
      CHECK(kn.fused.epilogue_ops == 1);
      CHECK(kn.fused.outputs == 1);
      CHECK(input_bytes(kn) == storage(DataType::kBf16, T * k + T * h));
    }
  }

  SECTION("scores, softmax and P x V stay separate kernels; norms stay out of GEMM epilogues") {
    for (const char* name : {"L9.scores", "L9.softmax", "L9.pv", "L9.mlp_norm", "L9.attn_norm", "final_norm", "lm_head"}) {
      const OpNode& k = kernel_of(f, name);
      INFO(name << " in " << k.name);
      CHECK(k.name == name);
      CHECK(k.fused.members.empty());
    }
    CHECK(count_kind(f, OpKind::kAttention) == 0);
    CHECK(count_kind(f, OpKind::kSoftmax) == 32);
    // The embedding gather and the first norm form an element-wise chain.
    CHECK(kernel_of(f, "embed").fused.members == std::vector<std::string>{"embed", "L0.attn_norm"});
    // 17 ops per layer become 9 kernels: norm, QKV, scores, softmax, pv, o_proj, norm, gate/up, down.
    CHECK(g.size() == 1 + 32 * 17 + 2);
    CHECK(f.size() == 32 * 9 + 2);
  }
}

TEST_CASE("full fusion makes scores, softmax and P x V one attention kernel per layer", "[fusion][fuse]") {
  SECTION("Llama-2-7B decode: 32 heads of 32 KV heads, batch 8, 1024 cached tokens") {
    const OpGraph g = load("configs/workloads/llama-2-7b-decode.yaml");
    const OpGraph f = fuse(g, FusionPolicy::kFull);
    REQUIRE(f.fusion() == FusionPolicy::kFull);
    const OpNode& a = kernel_of(f, "L0.softmax");
    CHECK(a.kind == OpKind::kAttention);
    CHECK(a.name == "L0.scores+softmax+pv");
    CHECK(a.fused.members == std::vector<std::string>{"L0.scores", "L0.softmax", "L0.pv"});
    CHECK(std::get<AttentionShape>(a.shape) == AttentionShape{8 * 32, 1, 1024, 128, 1});
    CHECK(a.ops_per_element == 5);  // the softmax's 5 ops per score
    CHECK(&kernel_of(f, "L0.scores") == &a);
    CHECK(&kernel_of(f, "L0.pv") == &a);
    CHECK(count_kind(f, OpKind::kAttention) == 32);
    CHECK(count_kind(f, OpKind::kSoftmax) == 0);
    CHECK(f.size() == 32 * 7 + 2);
    // Q in, O out, K and V of 1024 tokens per instance, bf16.
    CHECK(input_bytes(a) == storage(DataType::kBf16, 256 * 128 + 2 * 256 * 1024 * 128));
    CHECK(output_bytes(a) == storage(DataType::kBf16, 256 * 128));
    // The rest is as under epilogue fusion.
    CHECK(kernel_of(f, "L0.k_proj").name == "L0.q_proj+k_proj+v_proj+rotary+kv_write");
    CHECK(kernel_of(f, "L0.act_mul").fused.outputs == 0.5);
  }
  SECTION("Llama-2-70B decode (GQA): 8 KV heads, groups of 8 query heads as the rows") {
    const OpGraph g = load("configs/workloads/llama-2-70b-decode.yaml");
    const OpGraph f = fuse(g, FusionPolicy::kFull);
    const OpNode& a = kernel_of(f, "L42.pv");
    CHECK(a.kind == OpKind::kAttention);
    CHECK(std::get<AttentionShape>(a.shape) == AttentionShape{16 * 8, 64 / 8, 2048, 128, 1});
    CHECK(count_kind(f, OpKind::kAttention) == 80);
    // fp8 weights merge: same formats on q, k and v.
    const OpNode& qkv = kernel_of(f, "L42.q_proj");
    CHECK(std::get<GemmShape>(qkv.shape).n == (64 + 2 * 8) * 128);
    CHECK(qkv.weight_dtype == DataType::kFp8);
  }
  SECTION("prefill: all query positions of a group are the rows, the prompt is the context") {
    const OpGraph g = load("configs/workloads/llama-2-7b-prefill.yaml");
    const OpGraph f = fuse(g, FusionPolicy::kFull);
    const OpNode& a = kernel_of(f, "L0.scores");
    // A prompt attends causally from the first key: no earlier context.
    CHECK(std::get<AttentionShape>(a.shape) == AttentionShape{32, 1024, 1024, 128, 1, 0});
    // The kernel computes the scores the mask lets through: 1024 x 1025 / 2 per instance.
    const double scores = 32.0 * 1024 * 1025 / 2;
    CHECK(flops(a).count() == Approx(scores * (4 * 128 + a.ops_per_element)).epsilon(1e-12));
  }
}

TEST_CASE("causal attention: the scores a block of rows sees, in closed form", "[fusion][fuse]") {
  // 4 positions after 2 earlier keys (ctx 6), 2 rows per position (a GQA group of 2): position p
  // sees 3 + p keys.
  const AttentionShape a{1, 8, 6, 64, 1, 2};
  CHECK(visible_scores(a, 0, 8, 0, 6) == 2 * (3 + 4 + 5 + 6));
  CHECK(visible_scores(a, 0, 2, 0, 6) == 2 * 3);      // position 0: keys 0-2
  CHECK(visible_scores(a, 1, 3, 0, 6) == 3 + 4);      // half of position 0, half of position 1
  CHECK(visible_scores(a, 0, 8, 4, 2) == 2 * (0 + 0 + 1 + 2));  // keys 4-5: positions 2 and 3 only
  CHECK(visible_scores(a, 6, 8, 3, 3) == 2 * 3);      // position 3 sees keys 0-5: all three of 3-5
  const AttentionShape open{1, 8, 6, 64, 1, -1};
  CHECK(visible_scores(open, 0, 8, 0, 6) == 8 * 6);
}

TEST_CASE("fused bundled workloads are valid acyclic graphs whose kernels partition the ops", "[fusion][fuse]") {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kSrc + "/configs/workloads")) {
    if (e.path().extension() == ".yaml" && workload_type(e.path().string()) != "generation") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  files.push_back(kSrc + "/traces/scalesim/resnet50.csv");
  REQUIRE(files.size() >= 10);
  for (const std::string& path : files) {
    const OpGraph g = load_workload(path);
    for (FusionPolicy p : {FusionPolicy::kEpilogue, FusionPolicy::kFull}) {
      INFO(path << " under " << to_string(p));
      const OpGraph f = fuse(g, p);
      CHECK(f.fusion() == p);
      CHECK(f.size() <= g.size());
      CHECK_NOTHROW(f.topo_order());
      CHECK_NOTHROW(f.validate());
      check_partition(g, f);
    }
  }
}

TEST_CASE("fusion conserves FLOPs", "[fusion][fuse]") {
  for (const char* rel : {"configs/workloads/resnet50.yaml", "configs/workloads/llama-2-7b-decode.yaml",
                          "configs/workloads/llama-2-70b-decode.yaml"}) {
    const OpGraph g = load(rel);
    const double total = total_flops(g);
    INFO(rel << ": " << total << " FLOPs");
    CHECK(rel_diff(total_flops(fuse(g, FusionPolicy::kEpilogue)), total) < 1e-9);
    // Full: every kernel but attention does its members' FLOPs; an attention kernel does its two
    // GEMMs' 2 x m x ctx x d each and the softmax's 5 ops per score, as the three ops did.
    const OpGraph f = fuse(g, FusionPolicy::kFull);
    double outside = 0, attention = 0, attention_members = 0;
    for (OpId i = 0; i < f.size(); ++i) {
      const OpNode& k = f.op(i);
      if (k.kind != OpKind::kAttention) {
        outside += flops(k).count();
        continue;
      }
      const auto& a = std::get<AttentionShape>(k.shape);
      const double scores = static_cast<double>(a.batch * a.m * a.ctx);
      CHECK(flops(k).count() == Approx(4.0 * scores * static_cast<double>(a.head_dim) + 5.0 * scores).epsilon(1e-12));
      attention += flops(k).count();
      for (const std::string& m : k.fused.members) attention_members += flops(op_named(g, m)).count();
    }
    CHECK(rel_diff(outside, total - attention_members) < 1e-9);
    if (attention_members == 0) {
      CHECK(attention == 0);  // ResNet-50 has no attention
    } else {
      CHECK(rel_diff(attention, attention_members) < 1e-9);
    }
  }
}

TEST_CASE("ResNet-50: implicit-GEMM convolutions with their ReLU and residual-add epilogues, pooling alone",
          "[fusion][fuse]") {
  const OpGraph g = load("configs/workloads/resnet50.yaml", {"batch=4"});
  for (FusionPolicy p : {FusionPolicy::kEpilogue, FusionPolicy::kFull}) {
    INFO(to_string(p));
    const OpGraph f = fuse(g, p);
    std::size_t convs = 0;
    for (OpId i = 0; i < f.size(); ++i) {
      const OpNode& k = f.op(i);
      if (k.kind == OpKind::kConv2d) {
        ++convs;
        INFO(k.name);
        CHECK(k.fused.implicit_gemm);
      } else {
        CHECK_FALSE(k.fused.implicit_gemm);
      }
    }
    CHECK(convs == 53);  // every convolution is a kernel's anchor

    const OpNode& stem = kernel_of(f, "conv1");
    CHECK(stem.fused.members == std::vector<std::string>{"conv1", "relu1"});
    CHECK(stem.name == "conv1+relu1");
    CHECK((stem.fused.epilogue_ops == 1 && stem.fused.extra_inputs == 0 && stem.fused.outputs == 1));
    // Output bytes of the kernel: the ReLU's result only (4 x 112 x 112 x 64 int8).
    CHECK(output_bytes(stem) == Bytes(4 * 112 * 112 * 64));

    const OpNode& c2 = kernel_of(f, "layer2.1.conv2");
    CHECK(c2.fused.members == std::vector<std::string>{"layer2.1.conv2", "layer2.1.conv2.relu"});
    CHECK(c2.name == "layer2.1.conv2+conv2.relu");

    // A block without projection: conv3 + add + relu, the shortcut read from outside (same size).
    const OpNode& c3 = kernel_of(f, "layer1.1.add");
    CHECK(c3.fused.members == std::vector<std::string>{"layer1.1.conv3", "layer1.1.add", "layer1.1.relu"});
    CHECK((c3.fused.extra_inputs == 1 && c3.fused.epilogue_ops == 2 && c3.fused.outputs == 1));
    CHECK(c3.fused.implicit_gemm);
    // Every block's add and relu share a kernel anchored by one of its convolutions (conv3 or the
    // projection shortcut).
    for (const char* block : {"layer1.0", "layer1.2", "layer2.0", "layer3.0", "layer3.5", "layer4.0", "layer4.2"}) {
      const std::string b = block;
      const OpNode& k = kernel_of(f, b + ".add");
      INFO(k.name);
      CHECK(k.kind == OpKind::kConv2d);
      REQUIRE(k.fused.members.size() == 3);
      CHECK((k.fused.members[0] == b + ".conv3" || k.fused.members[0] == b + ".downsample"));
      CHECK(k.fused.members[1] == b + ".add");
      CHECK(k.fused.members[2] == b + ".relu");
      CHECK(k.fused.extra_inputs == 1);
    }

    for (const char* pool : {"maxpool", "avgpool"}) {
      const OpNode& k = kernel_of(f, pool);
      CHECK(k.name == pool);
      CHECK(k.kind == OpKind::kPool);
      CHECK(k.fused.members.empty());
    }
    CHECK(kernel_of(f, "fc").fused.members.empty());
    // 121 ops: stem (2) + pool + 16 blocks (12 x 3 kernels, 4 x 4 with the projection) + avgpool + fc.
    CHECK(g.size() == 121);
    CHECK(f.size() == 1 + 1 + 12 * 3 + 4 * 4 + 1 + 1);
  }
}

TEST_CASE("a workload asks for a policy with fusion=VALUE, the last one winning", "[fusion][fuse]") {
  CHECK_FALSE(load("configs/workloads/gemm-512.yaml").fusion().has_value());
  CHECK(load("configs/workloads/gemm-512.yaml", {"fusion=full"}).fusion() == FusionPolicy::kFull);
  CHECK(load("configs/workloads/gemm-512.yaml", {"fusion=full", "fusion=epilogue"}).fusion() == FusionPolicy::kEpilogue);
  CHECK(load("traces/scalesim/resnet50.csv", {"fusion=none"}).fusion() == FusionPolicy::kNone);
  // (Bad values are ConfigErrors; not checked here: under AddressSanitizer an exception thrown in a
  // process where SystemC's coroutines ran, as when this runs after the [fusion][sim] cases, is
  // misreported.)
}

TEST_CASE("fusion of random graphs: kernels stay acyclic and partition the ops", "[fusion][fuse]") {
  // Random DAGs of weight GEMMs (some siblings of one module with shared inputs, so they merge),
  // element-wise ops with up to three producers (residual-like joins across branches), norms and
  // attention triples: whatever joins whatever, the kernel graph must stay acyclic and hold every op
  // once. Seeded, so a failure reproduces.
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::uint64_t state = seed * 0x9E3779B97F4A7C15ull;
    auto next = [&](std::uint64_t n) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state % n;
    };
    OpGraph g("random" + std::to_string(seed));
    std::vector<OpId> ids;
    auto add = [&](OpNode op, const std::vector<OpId>& from) {
      const OpId id = g.add_op(std::move(op));
      for (OpId f : from) g.add_tensor(f, id, Bytes(64 * 64 * 2), "t");
      ids.push_back(id);
      return id;
    };
    auto pick = [&] { return ids[next(ids.size())]; };
    auto vector_op = [&](const std::string& name, OpKind kind, std::int64_t inputs) {
      OpNode v;
      v.name = name;
      v.kind = kind;
      v.shape = VectorShape{64 * 64, inputs, 0};
      return v;
    };
    auto gemm = [&](const std::string& name) {
      OpNode m;
      m.name = name;
      m.kind = OpKind::kGemm;
      m.shape = GemmShape{1, 64, 64, 64, false};
      return m;
    };
    add(vector_op("in", OpKind::kElementwise, 1), {});
    const int ops = 20 + static_cast<int>(next(40));
    for (int i = 0; i < ops; ++i) {
      const std::string mod = "m" + std::to_string(i) + ".";
      switch (next(5)) {
        case 0: {  // sibling projections of one module on one input
          const OpId src = pick();
          const std::uint64_t n = 1 + next(3);
          for (std::uint64_t j = 0; j < n; ++j) add(gemm(mod + "proj" + std::to_string(j)), {src});
          break;
        }
        case 1: {  // an element-wise join of up to three producers
          std::vector<OpId> from{pick()};
          for (std::uint64_t j = next(3); j > 0; --j) {
            const OpId f = pick();
            if (std::find(from.begin(), from.end(), f) == from.end()) from.push_back(f);
          }
          add(vector_op(mod + "add", OpKind::kElementwise, static_cast<std::int64_t>(from.size())), from);
          break;
        }
        case 2:
          add(vector_op(mod + "norm", OpKind::kRmsNorm, 1), {pick()});
          break;
        case 3: {  // scores -> softmax -> pv, reading two producers
          const OpId q = pick(), kv = pick();
          OpNode s = gemm(mod + "scores");
          std::get<GemmShape>(s.shape).b_is_activation = true;
          const OpId sid = add(s, q == kv ? std::vector<OpId>{q} : std::vector<OpId>{q, kv});
          const OpId x = add(vector_op(mod + "softmax", OpKind::kSoftmax, 1), {sid});
          OpNode pv = gemm(mod + "pv");
          std::get<GemmShape>(pv.shape).b_is_activation = true;
          add(pv, {x, kv});
          break;
        }
        default:
          add(gemm(mod + "fc"), {pick()});
          break;
      }
    }
    for (FusionPolicy policy : {FusionPolicy::kEpilogue, FusionPolicy::kFull}) {
      INFO("seed " << seed << ", " << to_string(policy));
      const OpGraph f = fuse(g, policy);
      REQUIRE_NOTHROW(f.validate());  // acyclic, positive shapes, unique names
      check_partition(g, f);
    }
  }
}
