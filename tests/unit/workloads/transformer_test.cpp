// SPDX-License-Identifier: MIT
// Transformer builder: parameter counts against published sizes, KV-cache arithmetic, graph shapes for
// GQA / parallel blocks / MoE, decode FLOPs against 2 x active parameters, and config errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "workloads/builders/transformer.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

std::string model_path(const std::string& stem) { return std::string(XPUSIM_SOURCE_DIR) + "/configs/models/" + stem + ".json"; }

const OpNode& find_op(const OpGraph& g, const std::string& name) {
  for (OpId i = 0; i < g.size(); ++i) {
    if (g.op(i).name == name) return g.op(i);
  }
  FAIL("no op named " << name);
  throw std::logic_error("unreachable");
}

bool has_op(const OpGraph& g, const std::string& name) {
  for (OpId i = 0; i < g.size(); ++i) {
    if (g.op(i).name == name) return true;
  }
  return false;
}

double total_flops(const OpGraph& g) {
  double f = 0;
  for (OpId i = 0; i < g.size(); ++i) f += flops(g.op(i)).count();
  return f;
}

/// Bytes of the B operand (the KV cache) read by every attention GEMM in the graph.
std::int64_t attention_cache_bytes(const OpGraph& g) {
  std::int64_t b = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    const auto* s = std::get_if<GemmShape>(&g.op(i).shape);
    if (s && s->b_is_activation) b += storage(g.op(i).dtype, s->batch * s->k * s->n).count();
  }
  return b;
}

}  // namespace

TEST_CASE("parameter counts match the published model sizes", "[transformer]") {
  struct Case {
    const char* model;
    double total, active;
  };
  // Published totals (Hugging Face safetensors counts and model cards, see configs/models/SOURCES.md).
  const Case cases[] = {{"llama-2-7b", 6.74e9, 6.74e9},       {"llama-2-70b", 68.98e9, 68.98e9},
                        {"gpt-j-6b", 6.05e9, 6.05e9},         {"llama-3.1-8b", 8.03e9, 8.03e9},
                        {"llama-3.1-70b", 70.6e9, 70.6e9},    {"llama-3.1-405b", 405.9e9, 405.9e9},
                        {"mixtral-8x7b", 46.7e9, 12.9e9}};
  for (const auto& c : cases) {
    ParameterCount p = parameter_count(load_hf_config(model_path(c.model)));
    INFO(c.model << ": total " << p.total << ", active " << p.active_per_token);
    // 0.3 %: the published figures are rounded to three significant digits.
    CHECK(static_cast<double>(p.total) == Approx(c.total).epsilon(0.003));
    CHECK(static_cast<double>(p.active_per_token) == Approx(c.active).epsilon(0.003));
  }
  // Exact where the checkpoint's tensor count is known to the parameter.
  CHECK(parameter_count(load_hf_config(model_path("llama-2-7b"))).total == 6'738'415'616);
}

TEST_CASE("KV-cache bytes per token follow 2 x layers x kv_heads x head_dim", "[transformer]") {
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("llama-2-70b")), DataType::kBf16).count() == 327'680);
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("llama-2-7b")), DataType::kBf16).count() == 524'288);
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("llama-3.1-8b")), DataType::kBf16).count() == 131'072);
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("llama-3.1-405b")), DataType::kFp8).count() == 258'048);
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("gpt-j-6b")), DataType::kFp16).count() == 458'752);
  CHECK(kv_cache_bytes_per_token(load_hf_config(model_path("mixtral-8x7b")), DataType::kBf16).count() == 131'072);
}

TEST_CASE("GQA decode reads each KV head's cache once for its query group", "[transformer]") {
  TransformerConfig c = load_hf_config(model_path("llama-2-70b"));
  TransformerOptions o;
  o.batch = 4;
  o.kv_len = 2048;
  OpGraph g = build_transformer(c, o);
  CHECK(g.items() == 4);
  CHECK(g.item_unit() == "tokens");
  const auto& k = std::get<GemmShape>(find_op(g, "L0.k_proj").shape);
  CHECK((k.m == 4 && k.k == 8192 && k.n == 1024));
  const auto& s = std::get<GemmShape>(find_op(g, "L79.scores").shape);
  CHECK((s.batch == 32 && s.m == 8 && s.k == 128 && s.n == 2048 && s.b_is_activation));
  const auto& pv = std::get<GemmShape>(find_op(g, "L79.pv").shape);
  CHECK((pv.batch == 32 && pv.m == 8 && pv.k == 2048 && pv.n == 128));
  // The K and V operands over all layers are exactly the cache: bytes/token x context x batch.
  CHECK(attention_cache_bytes(g) == kv_cache_bytes_per_token(c, DataType::kBf16).count() * 2048 * 4);
  CHECK(std::get<VectorShape>(find_op(g, "L0.kv_write").shape).elements == 4 * 2 * 8 * 128);
  CHECK(std::get<GemmShape>(find_op(g, "lm_head").shape).n == 32000);
}

TEST_CASE("a per-query-head decode kernel reads a GQA cache once per query head, stored once", "[transformer]") {
  TransformerConfig c = load_hf_config(model_path("llama-2-70b"));
  TransformerOptions o;
  o.batch = 4;
  o.kv_len = 2048;
  const OpGraph grouped = build_transformer(c, o);
  o.decode_attention = DecodeAttention::kPerQueryHead;
  const OpGraph per_head = build_transformer(c, o);
  const auto& s = std::get<GemmShape>(find_op(per_head, "L79.scores").shape);
  CHECK((s.batch == 4 * 64 && s.m == 1 && s.k == 128 && s.n == 2048 && s.b_shared == 8));
  // 64 query heads over 8 KV heads: the cache is read 8 times, with the same FLOPs.
  CHECK(attention_cache_bytes(per_head) == 8 * attention_cache_bytes(grouped));
  CHECK(total_flops(per_head) == total_flops(grouped));
  // MHA (no groups) and prefill are unchanged.
  o.phase = Phase::kPrefill;
  o.prompt_len = 64;
  CHECK(std::get<GemmShape>(find_op(build_transformer(c, o), "L0.scores").shape).b_shared == 1);
  CHECK(parse_decode_attention("per_query_head") == DecodeAttention::kPerQueryHead);
  CHECK(!parse_decode_attention("xqa"));
}

TEST_CASE("decode FLOPs are 2 x active parameters plus attention", "[transformer]") {
  for (const char* m : {"llama-2-7b", "llama-3.1-8b", "mixtral-8x7b"}) {
    TransformerConfig c = load_hf_config(model_path(m));
    TransformerOptions o;
    o.batch = 1;
    o.kv_len = 1024;
    OpGraph g = build_transformer(c, o);
    ParameterCount p = parameter_count(c);
    // The embedding table is gathered, not multiplied; attention is 2 GEMMs of heads x head_dim x ctx.
    const double matmul_params = static_cast<double>(p.active_per_token - c.vocab * c.hidden);
    const double attention = 4.0 * static_cast<double>(c.layers * c.heads * c.head_dim * o.kv_len);
    const double f = total_flops(g);
    INFO(m << ": " << f << " FLOPs per token");
    CHECK(f == Approx(2 * matmul_params + attention).epsilon(0.005));
    CHECK(f > 2 * matmul_params + attention);  // vector ops add a little, never subtract
  }
}

TEST_CASE("prefill covers batch x prompt tokens and emits logits for the last one", "[transformer]") {
  TransformerConfig c = load_hf_config(model_path("llama-3.1-8b"));
  TransformerOptions o;
  o.phase = Phase::kPrefill;
  o.batch = 2;
  o.prompt_len = 512;
  o.weight_dtype = DataType::kFp8;
  OpGraph g = build_transformer(c, o);
  CHECK(g.items() == 1024);
  const OpNode& q = find_op(g, "L0.q_proj");
  CHECK(std::get<GemmShape>(q.shape).m == 1024);
  CHECK(weight_bytes(q).count() == 4096 * 4096);  // fp8 weights: one byte each
  CHECK(output_bytes(q).count() == 1024 * 4096 * 2);  // bf16 activations
  const auto& s = std::get<GemmShape>(find_op(g, "L0.scores").shape);
  CHECK((s.batch == 2 * 8 && s.m == 512 * 4 && s.n == 512));
  CHECK(std::get<GemmShape>(find_op(g, "lm_head").shape).m == 2);
  CHECK(std::get<VectorShape>(find_op(g, "L31.softmax").shape).elements == 2 * 32 * 512 * 512);
}

TEST_CASE("a mixed chunked-prefill step is one pass through the weights with attention per group", "[transformer]") {
  const TransformerConfig c = load_hf_config(model_path("llama-3.1-8b"));
  TransformerOptions chunk;
  chunk.phase = Phase::kPrefill;
  chunk.batch = 2;
  chunk.prompt_len = 256;
  chunk.past_len = 768;  // the last 256-token chunk of 1,024-token prompts
  TransformerOptions decode;
  decode.phase = Phase::kDecode;
  decode.batch = 24;
  decode.kv_len = 1500;
  TransformerOptions mixed = chunk;
  mixed.decode_batch = decode.batch;
  mixed.kv_len = decode.kv_len;
  const OpGraph g = build_transformer(c, mixed), gc = build_transformer(c, chunk), gd = build_transformer(c, decode);
  CHECK(g.items() == 2 * 256 + 24);
  // Linear layers see every token; the weights are streamed once.
  CHECK(std::get<GemmShape>(find_op(g, "L0.q_proj").shape).m == 2 * 256 + 24);
  CHECK(std::get<GemmShape>(find_op(g, "lm_head").shape).m == 2 + 24);
  std::int64_t weights = 0, chunk_weights = 0;
  for (OpId i = 0; i < g.size(); ++i) weights += weight_bytes(g.op(i)).count();
  for (OpId i = 0; i < gc.size(); ++i) chunk_weights += weight_bytes(gc.op(i)).count();
  CHECK(weights == chunk_weights);
  // The chunk's queries attend over past + chunk; the decoding sequences over their own caches.
  const auto& s = std::get<GemmShape>(find_op(g, "L0.scores").shape);
  CHECK((s.batch == 2 * 8 && s.m == 256 * 4 && s.n == 1024));
  const auto& ds = std::get<GemmShape>(find_op(g, "L0.decode.scores").shape);
  CHECK((ds.batch == 24 * 8 && ds.m == 4 && ds.n == 1500));
  CHECK(attention_cache_bytes(g) == attention_cache_bytes(gc) + attention_cache_bytes(gd));
  // Every FLOP of the two steps, and no more: the work is linear in tokens, so nothing is lost or doubled.
  CHECK(total_flops(g) == Approx(total_flops(gc) + total_flops(gd)).epsilon(1e-12));
  TransformerOptions bad = mixed;
  bad.past_len = -1;
  CHECK_THROWS_WITH(build_transformer(c, bad), Catch::Contains("past_len must be non-negative"));
}

TEST_CASE("GPT-J runs attention and a GELU MLP in parallel off one LayerNorm", "[transformer]") {
  TransformerConfig c = load_hf_config(model_path("gpt-j-6b"));
  CHECK((c.hidden == 4096 && c.intermediate == 16384 && c.heads == 16 && c.head_dim == 256 && c.rotary_dim == 64));
  OpGraph g = build_transformer(c, TransformerOptions{});
  CHECK(find_op(g, "L0.attn_norm").kind == OpKind::kLayerNorm);
  CHECK_FALSE(has_op(g, "L0.mlp_norm"));
  CHECK_FALSE(has_op(g, "L0.gate_proj"));
  CHECK(std::get<GemmShape>(find_op(g, "L0.fc_in").shape).n == 16384);
  CHECK(std::get<VectorShape>(find_op(g, "L27.residual_add").shape).inputs == 3);
  CHECK(std::get<VectorShape>(find_op(g, "L0.rotary").shape).elements == (16 + 16) * 64);
}

TEST_CASE("MoE routing is seeded, skewable and capped", "[transformer][moe]") {
  RoutingOptions a;
  a.seed = 7;
  Routing r1 = route_tokens(4096, 8, 2, 3, a);
  Routing r2 = route_tokens(4096, 8, 2, 3, a);
  CHECK(r1.tokens_per_expert == r2.tokens_per_expert);
  CHECK(r1.tokens_per_expert != route_tokens(4096, 8, 2, 4, a).tokens_per_expert);  // another layer
  RoutingOptions b = a;
  b.seed = 8;
  CHECK(r1.tokens_per_expert != route_tokens(4096, 8, 2, 3, b).tokens_per_expert);
  std::int64_t sum = 0;
  for (auto n : r1.tokens_per_expert) sum += n;
  CHECK(sum == 4096 * 2);
  // Uniform: every expert near 1024; skewed (Zipf 1.5): the busiest expert takes far more.
  const auto uniform_max = *std::max_element(r1.tokens_per_expert.begin(), r1.tokens_per_expert.end());
  CHECK(uniform_max < 1024 * 1.15);
  RoutingOptions skew = a;
  skew.skew = 1.5;
  Routing rs = route_tokens(4096, 8, 2, 3, skew);
  CHECK(*std::max_element(rs.tokens_per_expert.begin(), rs.tokens_per_expert.end()) > 1024 * 1.8);
  skew.capacity_factor = 1.0;
  Routing rc = route_tokens(4096, 8, 2, 3, skew);
  CHECK(*std::max_element(rc.tokens_per_expert.begin(), rc.tokens_per_expert.end()) == 1024);
  CHECK(rc.dropped > 0);
  std::int64_t kept = 0;
  for (auto n : rc.tokens_per_expert) kept += n;
  CHECK(kept + rc.dropped == 4096 * 2);
}

TEST_CASE("Mixtral graphs route tokens to experts by seed", "[transformer][moe]") {
  TransformerConfig c = load_hf_config(model_path("mixtral-8x7b"));
  TransformerOptions o;
  o.batch = 1;
  OpGraph decode = build_transformer(c, o);
  // Batch-1 decode: exactly top-2 experts work in every layer.
  for (int l : {0, 31}) {
    int active = 0;
    for (int e = 0; e < 8; ++e) active += has_op(decode, "L" + std::to_string(l) + ".expert" + std::to_string(e) + ".gate_proj");
    CHECK(active == 2);
  }
  auto loads = [&](std::uint64_t seed) {
    TransformerOptions p;
    p.phase = Phase::kPrefill;
    p.prompt_len = 256;
    p.routing.seed = seed;
    OpGraph g = build_transformer(c, p);
    std::vector<std::int64_t> m;
    for (OpId i = 0; i < g.size(); ++i) {
      if (g.op(i).name.find(".gate_proj") != std::string::npos) m.push_back(std::get<GemmShape>(g.op(i).shape).m);
    }
    return m;
  };
  CHECK(loads(1) == loads(1));
  CHECK(loads(1) != loads(2));
  CHECK(std::get<GemmShape>(find_op(decode, "L0.router").shape).n == 8);
}

TEST_CASE("bad model configs name file, line and key", "[transformer][errors]") {
  auto parse = [](const std::string& json) { return parse_hf_config(ConfigNode::load_string(json, "bad.json"), "bad"); };
  const std::string ok_tail = "\"num_hidden_layers\": 2,\n\"vocab_size\": 100\n}";
  CHECK_THROWS_WITH(parse("{\n\"model_type\": \"llama\",\n\"intermediate_size\": 64,\n\"num_attention_heads\": 4,\n" + ok_tail),
                    Catch::Contains("bad.json:1:1: bad (llama): missing required key 'hidden_size'"));
  CHECK_THROWS_WITH(parse("{\n\"model_type\": \"lama\"\n}"),
                    Catch::Contains("bad.json:2:15: bad: unknown model_type 'lama' (did you mean 'llama'?)"));
  CHECK_THROWS_WITH(parse("{\n\"hidden_size\": 64\n}"), Catch::Contains("missing required key 'model_type'"));
  CHECK_THROWS_WITH(
      parse("{\n\"model_type\": \"llama\",\n\"hidden_size\": 64,\n\"intermediate_size\": 64,\n\"num_attention_heads\": 5,\n" + ok_tail),
      Catch::Contains("bad.json:5:24: bad (llama): the 5 attention heads do not divide hidden size 64"));
  CHECK_THROWS_WITH(parse("{\n\"model_type\": \"mistral\",\n\"hidden_size\": 64,\n\"intermediate_size\": 64,\n"
                          "\"num_attention_heads\": 4,\n\"num_key_value_heads\": 3,\n" + ok_tail),
                    Catch::Contains("bad.json:6:24: bad (mistral): num_key_value_heads 3 does not divide num_attention_heads 4"));
  CHECK_THROWS_WITH(parse("{\n\"model_type\": \"llama\",\n\"hidden_size\": \"big\",\n\"intermediate_size\": 64,\n"
                          "\"num_attention_heads\": 4,\n" + ok_tail),
                    Catch::Contains("bad.json:3:16: bad (llama): 'hidden_size' expects a whole number, got \"big\""));
  CHECK_THROWS_WITH(parse("{\n\"model_type\": \"mixtral\",\n\"hidden_size\": 64,\n\"intermediate_size\": 64,\n"
                          "\"num_attention_heads\": 4,\n\"num_local_experts\": 2,\n\"num_experts_per_tok\": 3,\n" + ok_tail),
                    Catch::Contains("num_experts_per_tok 3 exceeds num_local_experts 2"));
  // An explicit head_dim may legitimately differ from hidden / heads (e.g. Mistral-Nemo).
  TransformerConfig c = parse("{\n\"model_type\": \"llama\",\n\"hidden_size\": 64,\n\"intermediate_size\": 64,\n"
                              "\"num_attention_heads\": 5,\n\"head_dim\": 16,\n" + ok_tail);
  CHECK(c.head_dim == 16);
  TransformerOptions o;
  o.batch = 0;
  CHECK_THROWS_WITH(build_transformer(c, o), Catch::Contains("batch must be at least 1"));
}

TEST_CASE("gpt_neox and mistral family differences", "[transformer]") {
  // Pythia-410m's architecture keys (EleutherAI/pythia-410m config.json).
  TransformerConfig neox = parse_hf_config(
      ConfigNode::load_string("{\"model_type\": \"gpt_neox\", \"hidden_size\": 1024, \"intermediate_size\": 4096,"
                              " \"num_attention_heads\": 16, \"num_hidden_layers\": 24, \"vocab_size\": 50304,"
                              " \"rotary_pct\": 0.25, \"use_parallel_residual\": true}",
                              "pythia.json"),
      "pythia-410m");
  CHECK((neox.head_dim == 64 && neox.rotary_dim == 16 && neox.parallel_residual && neox.attention_bias));
  // Pythia-410m: 405,334,016 parameters (the model card's 405M).
  CHECK(parameter_count(neox).total == 405'334'016);
  OpGraph g = build_transformer(neox, TransformerOptions{});
  CHECK(has_op(g, "L0.mlp_norm"));  // GPT-NeoX normalises each branch separately
  CHECK(std::get<VectorShape>(find_op(g, "L0.residual_add").shape).inputs == 3);

  TransformerConfig mistral = parse_hf_config(
      ConfigNode::load_string("{\"model_type\": \"mistral\", \"hidden_size\": 4096, \"intermediate_size\": 14336,"
                              " \"num_attention_heads\": 32, \"num_key_value_heads\": 8, \"num_hidden_layers\": 32,"
                              " \"vocab_size\": 32000, \"sliding_window\": 4096}",
                              "mistral.json"),
      "mistral-7b");
  TransformerOptions o;
  o.kv_len = 10000;
  // Sliding-window attention reads at most 4096 cached tokens however long the context.
  CHECK(std::get<GemmShape>(find_op(build_transformer(mistral, o), "L0.scores").shape).n == 4096);
  CHECK(parameter_count(mistral).total == 7'241'732'096);  // Mistral-7B-v0.1: 7.24 B
}
