// SPDX-License-Identifier: MIT
// Transformer op graph: embedding, per-layer attention (GQA-aware) and MLP or MoE, final norm, LM head.
// Bias adds are folded into their GEMM's epilogue and dropout is absent at inference, so neither is an op.
#include "workloads/builders/transformer.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace xpusim::wl {
namespace {

// Work per output element of the vector ops (OpNode::ops_per_element); per-row reductions such as the
// one reciprocal square root of a norm are amortised over the row and not counted.
constexpr double kRmsNormOps = 4;    // square, accumulate, multiply by 1/rms, multiply by weight
constexpr double kLayerNormOps = 7;  // accumulate (mean), subtract, square, accumulate (var), scale, weight, bias
constexpr double kSoftmaxOps = 5;    // max, subtract max, exp, sum, divide
constexpr double kSoftmaxSpecial = 1;  // of those, transcendental: the exp
constexpr double kRotaryOps = 3;     // x*cos + rotate_half(x)*sin: two multiplies and one add
constexpr double kSiluMulOps = 4;    // silu(g) = g / (1 + exp(-g)): exp, add, divide; then the gating multiply
constexpr double kSiluMulSpecial = 2;  // of those, the exp and the reciprocal the divide is done by
constexpr double kGeluOps = 9;       // gelu_new: x^3 (2), *0.044715, +x, *sqrt(2/pi), tanh, +1, *x, *0.5
constexpr double kGeluSpecial = 1;   // of those, the tanh
constexpr double kMoveOps = 1;       // a gather or a cache write: one move per element, no arithmetic
constexpr double kAddOps = 1;        // residual add, per input beyond the first

/// A producer feeding `elements` activation values into an op.
struct Feed {
  OpId from;
  std::int64_t elements;
  std::string name;
};

class Builder {
 public:
  Builder(const TransformerConfig& c, const TransformerOptions& o, OpGraph& g)
      : c_(c), o_(o), g_(g), prefill_(o.phase == Phase::kPrefill) {
    q_len_ = prefill_ ? o.prompt_len : 1;
    mixed_decode_ = prefill_ ? o.decode_batch : 0;
    tokens_ = o.batch * q_len_ + mixed_decode_;
    ctx_ = window(prefill_ ? o.past_len + o.prompt_len : o.kv_len);
  }

  void build() {
    const std::int64_t th = tokens_ * c_.hidden;
    OpId x = vec("embed", OpKind::kElementwise, th, 1, kMoveOps);
    for (std::int64_t l = 0; l < c_.layers; ++l) x = layer(l, x);
    OpId fn = norm("final_norm", x);
    // Prefill only needs next-token logits for the last position of each sequence (as serving engines
    // compute them); a decode step has one position per sequence anyway.
    const std::int64_t rows = o_.batch + mixed_decode_;
    OpId head = gemm("lm_head", rows, c_.hidden, c_.vocab);
    edge(fn, head, rows * c_.hidden, "hidden");
  }

 private:
  OpId layer(std::int64_t l, OpId x) {
    const std::string p = "L" + std::to_string(l) + ".";
    const std::int64_t th = tokens_ * c_.hidden;
    if (c_.parallel_residual) {
      // x + attn(norm1(x)) + mlp(norm2(x)); GPT-J uses one LayerNorm for both branches.
      OpId n1 = norm(p + "attn_norm", x);
      OpId n2 = c_.model_type == "gptj" ? n1 : norm(p + "mlp_norm", x);
      OpId attn = attention(p, n1);
      OpId mlp_out = mlp_block(p, l, n2);
      OpId add = vec(p + "residual_add", OpKind::kElementwise, th, 3, 2 * kAddOps);  // x + attn + mlp
      edge(x, add, th, "residual");
      edge(attn, add, th, "attn_out");
      edge(mlp_out, add, th, "mlp_out");
      return add;
    }
    OpId n1 = norm(p + "attn_norm", x);
    OpId attn = attention(p, n1);
    OpId add1 = vec(p + "attn_add", OpKind::kElementwise, th, 2, kAddOps);
    edge(x, add1, th, "residual");
    edge(attn, add1, th, "attn_out");
    OpId n2 = norm(p + "mlp_norm", add1);
    OpId mlp_out = mlp_block(p, l, n2);
    OpId add2 = vec(p + "mlp_add", OpKind::kElementwise, th, 2, kAddOps);
    edge(add1, add2, th, "residual");
    edge(mlp_out, add2, th, "mlp_out");
    return add2;
  }

  /// Self-attention. Scores and P*V are batched per KV head: batch = sequences x kv_heads and
  /// m = q_len x (heads / kv_heads), so each KV head's cache is read once for its whole query group;
  /// a per-query-head decode kernel instead has batch = sequences x heads, m = 1, and reads each KV
  /// head's cache once per query head of its group (b_shared: stored once). A mixed step attends per
  /// group: the prefill chunks, then the decoding sequences ("decode." ops).
  OpId attention(const std::string& p, OpId in) {
    const std::int64_t T = tokens_, h = c_.hidden, d = c_.head_dim, H = c_.heads, kvh = c_.kv_heads;
    OpId q = gemm(p + "q_proj", T, h, H * d);
    OpId k = gemm(p + "k_proj", T, h, kvh * d);
    OpId v = gemm(p + "v_proj", T, h, kvh * d);
    for (OpId proj : {q, k, v}) edge(in, proj, T * h, "normed");
    OpId q_src = q, k_src = k;
    if (c_.rotary_dim > 0) {
      OpId rot = vec(p + "rotary", OpKind::kElementwise, T * (H + kvh) * c_.rotary_dim, 1, kRotaryOps);
      edge(q, rot, T * H * d, "q");
      edge(k, rot, T * kvh * d, "k");
      q_src = k_src = rot;
    }
    // The new tokens' K and V go into the cache; attention then reads the cache (ctx_ tokens), which in
    // decode is almost all older tokens. That bulk read is the B operand of scores and pv, not an edge.
    OpId kv_write = vec(p + "kv_write", OpKind::kElementwise, T * 2 * kvh * d, 1, kMoveOps);
    edge(k_src, kv_write, T * kvh * d, "k");
    edge(v, kv_write, T * kvh * d, "v");
    // A prompt attends causally; a sliding window that cuts the context makes a band we do not mark.
    const bool causal = prefill_ && (c_.sliding_window == 0 || c_.sliding_window >= o_.past_len + o_.prompt_len);
    const OpId pv = attend(p, o_.batch, q_len_, ctx_, !prefill_, q_src, kv_write, causal);
    const OpId decode_pv = mixed_decode_ > 0 ? attend(p + "decode.", mixed_decode_, 1, window(o_.kv_len), true, q_src, kv_write) : pv;
    OpId o = gemm(p + "o_proj", T, H * d, h);
    edge(pv, o, o_.batch * q_len_ * H * d, "attn");
    if (decode_pv != pv) edge(decode_pv, o, mixed_decode_ * H * d, "decode_attn");
    return o;
  }

  /// Scores, softmax and P*V of `seqs` sequences of `q_len` queries over `ctx` cached tokens each;
  /// returns P*V.
  OpId attend(const std::string& p, std::int64_t seqs, std::int64_t q_len, std::int64_t ctx, bool decoding, OpId q_src,
              OpId kv_write, bool causal = false) {
    const std::int64_t d = c_.head_dim, H = c_.heads, kvh = c_.kv_heads, group = H / kvh, t = seqs * q_len;
    const bool per_head = decoding && o_.decode_attention == DecodeAttention::kPerQueryHead && group > 1;
    const std::int64_t att_m = per_head ? q_len : q_len * group, att_batch = per_head ? seqs * H : seqs * kvh;
    OpId scores = gemm(p + "scores", att_m, d, ctx, att_batch, true, per_head ? group : 1, causal ? ctx - q_len : -1);
    edge(q_src, scores, t * H * d, "q");
    edge(kv_write, scores, t * kvh * d, "k_new");
    const std::int64_t probs = seqs * H * q_len * ctx;
    OpId softmax = vec(p + "softmax", OpKind::kSoftmax, probs, 1, kSoftmaxOps, kSoftmaxSpecial);
    edge(scores, softmax, probs, "scores");
    OpId pv = gemm(p + "pv", att_m, ctx, d, att_batch, true, per_head ? group : 1);
    edge(softmax, pv, probs, "probs");
    edge(kv_write, pv, t * kvh * d, "v_new");
    return pv;
  }

  /// Sliding-window attention (Mistral) reads at most `sliding_window` cached tokens per query.
  std::int64_t window(std::int64_t ctx) const { return c_.sliding_window > 0 ? std::min(ctx, c_.sliding_window) : ctx; }

  OpId mlp_block(const std::string& p, std::int64_t l, OpId in) {
    if (!c_.is_moe()) return mlp(p, tokens_, {Feed{in, tokens_ * c_.hidden, "normed"}});
    const std::int64_t T = tokens_, E = c_.experts, k = c_.experts_per_token;
    OpId router = gemm(p + "router", T, c_.hidden, E);
    edge(in, router, T * c_.hidden, "normed");
    // Softmax over the router logits; the top-k pick among E values is a few compares, counted in it.
    OpId route = vec(p + "route", OpKind::kSoftmax, T * E, 1, kSoftmaxOps, kSoftmaxSpecial);
    edge(router, route, T * E, "logits");
    Routing r = route_tokens(T, E, k, l, o_.routing);
    // The weighted sum of each token's k expert outputs: k multiplies and k - 1 adds per element.
    OpId combine = vec(p + "moe_combine", OpKind::kElementwise, T * c_.hidden, k, static_cast<double>(2 * k - 1));
    edge(route, combine, T * k, "gate_weights");
    for (std::int64_t e = 0; e < E; ++e) {
      const std::int64_t n = r.tokens_per_expert[static_cast<std::size_t>(e)];
      if (n == 0) continue;  // an expert no token chose does no work and reads no weights
      const std::string ep = p + "expert" + std::to_string(e) + ".";
      OpId out = mlp(ep, n, {Feed{in, n * c_.hidden, "tokens"}, Feed{route, n, "routing"}});
      edge(out, combine, n * c_.hidden, "expert_out");
    }
    return combine;
  }

  /// A dense MLP over `tokens` rows; every feed goes into each input matrix.
  OpId mlp(const std::string& p, std::int64_t tokens, const std::vector<Feed>& feeds) {
    const std::int64_t h = c_.hidden, I = c_.intermediate;
    std::vector<OpId> inputs;
    OpId act;
    if (c_.gated_mlp) {
      OpId gate = gemm(p + "gate_proj", tokens, h, I);
      OpId up = gemm(p + "up_proj", tokens, h, I);
      inputs = {gate, up};
      act = vec(p + "act_mul", OpKind::kElementwise, tokens * I, 2, kSiluMulOps, kSiluMulSpecial);
      edge(gate, act, tokens * I, "gate");
      edge(up, act, tokens * I, "up");
    } else {
      OpId fc_in = gemm(p + "fc_in", tokens, h, I);
      inputs = {fc_in};
      act = vec(p + "gelu", OpKind::kElementwise, tokens * I, 1, kGeluOps, kGeluSpecial);
      edge(fc_in, act, tokens * I, "fc_in");
    }
    for (OpId m : inputs) {
      for (const Feed& f : feeds) edge(f.from, m, f.elements, f.name);
    }
    OpId down = gemm(p + (c_.gated_mlp ? "down_proj" : "fc_out"), tokens, I, h);
    edge(act, down, tokens * I, "act");
    return down;
  }

  OpId norm(const std::string& name, OpId in) {
    const std::int64_t th = tokens_ * c_.hidden;
    OpId n = c_.layer_norm ? vec(name, OpKind::kLayerNorm, th, 1, kLayerNormOps)
                           : vec(name, OpKind::kRmsNorm, th, 1, kRmsNormOps);
    edge(in, n, th, "hidden");
    return n;
  }

  OpId gemm(std::string name, std::int64_t m, std::int64_t k, std::int64_t n, std::int64_t batch = 1,
            bool b_is_activation = false, std::int64_t b_shared = 1, std::int64_t causal_past = -1) {
    OpNode op;
    op.name = std::move(name);
    op.kind = OpKind::kGemm;
    op.dtype = o_.activation_dtype;
    if (!b_is_activation) op.weight_dtype = o_.weight_dtype;
    if (b_is_activation && o_.kv_dtype && *o_.kv_dtype != o_.activation_dtype) op.kv_dtype = o_.kv_dtype;
    GemmShape shape{batch, m, n, k, b_is_activation, b_shared};
    shape.causal_past = causal_past;
    op.shape = shape;
    return g_.add_op(std::move(op));
  }

  /// `special`: of the `ops` per element, the transcendental ones (OpNode::special_per_element).
  OpId vec(std::string name, OpKind kind, std::int64_t elements, std::int64_t inputs, double ops, double special = 0) {
    OpNode op;
    op.name = std::move(name);
    op.kind = kind;
    op.dtype = o_.activation_dtype;
    op.shape = VectorShape{elements, inputs, 0};
    op.ops_per_element = ops;
    op.special_per_element = special;
    return g_.add_op(std::move(op));
  }

  void edge(OpId from, OpId to, std::int64_t elements, std::string name) {
    g_.add_tensor(from, to, storage(o_.activation_dtype, elements), std::move(name));
  }

  const TransformerConfig& c_;
  const TransformerOptions& o_;
  OpGraph& g_;
  bool prefill_;
  std::int64_t q_len_ = 1, tokens_ = 1, ctx_ = 1;
  std::int64_t mixed_decode_ = 0;  // sequences decoding inside a prefill step
};

}  // namespace

std::string_view to_string(Phase p) { return p == Phase::kPrefill ? "prefill" : "decode"; }

std::optional<DecodeAttention> parse_decode_attention(const std::string& s) {
  if (s == "grouped") return DecodeAttention::kGrouped;
  if (s == "per_query_head") return DecodeAttention::kPerQueryHead;
  return std::nullopt;
}

OpGraph build_transformer(const TransformerConfig& config, const TransformerOptions& options) {
  const SourceMark where{config.name, 0, 0};
  Diagnostics diag;
  if (options.batch < 1) diag.error(where, "batch must be at least 1, got " + std::to_string(options.batch));
  if (options.phase == Phase::kPrefill && options.prompt_len < 1) {
    diag.error(where, "prompt_len must be at least 1 for prefill, got " + std::to_string(options.prompt_len));
  }
  if (options.phase == Phase::kDecode && options.kv_len < 1) {
    diag.error(where, "kv_len must be at least 1 for decode (it counts the new token), got " + std::to_string(options.kv_len));
  }
  if (options.past_len < 0) diag.error(where, "past_len must be non-negative, got " + std::to_string(options.past_len));
  if (options.decode_batch < 0) diag.error(where, "decode_batch must be non-negative, got " + std::to_string(options.decode_batch));
  if (options.decode_batch > 0 && options.phase == Phase::kPrefill && options.kv_len < 1) {
    diag.error(where, "kv_len must be at least 1 for the decoding sequences of a mixed step, got " + std::to_string(options.kv_len));
  }
  if (options.routing.skew < 0) diag.error(where, "routing skew must be non-negative");
  if (options.routing.capacity_factor < 0) diag.error(where, "capacity_factor must be non-negative (0 = no limit)");
  diag.throw_if_any();

  OpGraph g(config.name + "-" + std::string(to_string(options.phase)));
  Builder(config, options, g).build();
  const std::int64_t tokens = options.phase == Phase::kPrefill ? options.batch * options.prompt_len + options.decode_batch : options.batch;
  g.set_items(static_cast<double>(tokens), "tokens");
  g.validate();
  return g;
}

}  // namespace xpusim::wl
