// SPDX-License-Identifier: MIT
// Layer arithmetic follows diffusers (ResnetBlock2D, Transformer2DModel, BasicTransformerBlock, GEGLU,
// Attention) and transformers' CLIPEncoderLayer. Parameters are counted as the checkpoints store them.
#include "workloads/builders/sdxl_layers.h"

#include <algorithm>

namespace xpusim::wl::sdxl {
namespace {

// Work per output element of the vector ops (OpNode::ops_per_element); per-row reductions amortised.
constexpr double kNormOps = 7;     // accumulate (mean), subtract, square, accumulate (var), scale, weight, bias
constexpr double kSiluOps = 4;     // x * sigmoid(x): exp, add, divide, multiply
constexpr double kSiluSpecial = 2; // of those, transcendental: the exp and the reciprocal the divide is done by
constexpr double kSoftmaxOps = 5;  // max, subtract max, exp, sum, divide
constexpr double kSoftmaxSpecial = 1;  // of those, the exp
constexpr double kAddOps = 1;
constexpr double kGegluOps = 6;    // gelu(gate) = gate * 0.5 * (1 + erf(gate / sqrt 2)): 5; times the value half: 1
constexpr std::int64_t kHeadDim = 64;  // SDXL and both CLIP text models use 64-channel heads

}  // namespace

OpId Net::add_op(const std::string& name, OpKind kind, OpShape shape, double ops, double special) {
  OpNode op;
  op.name = prefix_ + name;
  op.kind = kind;
  op.dtype = dtype_;
  op.shape = shape;
  op.ops_per_element = ops;
  op.special_per_element = special;
  return g_.add_op(std::move(op));
}

void Net::link(const Act& from, OpId to) {
  if (from.op == kFromMemory) return;
  g_.add_tensor(from.op, to, storage(dtype_, from.elements()), g_.op(from.op).name);
}

Act Net::conv(const std::string& name, const Act& in, std::int64_t out_c, std::int64_t kernel, std::int64_t stride) {
  ConvShape s{in.n, in.h, in.w, in.c, out_c, kernel, kernel, stride, kernel / 2, false};
  params_ += kernel * kernel * in.c * out_c + out_c;  // every diffusers conv has a bias
  OpId id = add_op(name, OpKind::kConv2d, s);
  link(in, id);
  return Act{id, in.n, s.out_h(), s.out_w(), out_c};
}

Act Net::linear(const std::string& name, const Act& in, std::int64_t out, bool bias) {
  params_ += in.c * out + (bias ? out : 0);
  OpId id = add_op(name, OpKind::kGemm, GemmShape{1, in.n * in.tokens(), out, in.c, false});
  link(in, id);
  return Act{id, in.n, in.h, in.w, out};
}

Act Net::gemm(const std::string& name, std::int64_t batch, std::int64_t m, std::int64_t k, std::int64_t n,
              bool b_is_activation, const Act& like) {
  OpId id = add_op(name, OpKind::kGemm, GemmShape{batch, m, n, k, b_is_activation});
  Act out = like;
  out.op = id;
  return out;
}

Act Net::vec(const std::string& name, const std::vector<Act>& inputs, const Act& out, double ops, OpKind kind, double special) {
  // Inputs of the output's size are counted as `inputs`; others (a broadcast time embedding, a GEGLU's
  // two halves) as one input of their summed size.
  bool same = std::all_of(inputs.begin(), inputs.end(), [&](const Act& a) { return a.elements() == out.elements(); });
  std::int64_t total = 0;
  for (const Act& a : inputs) total += a.elements();
  VectorShape s = same ? VectorShape{out.elements(), static_cast<std::int64_t>(inputs.size()), 0}
                       : VectorShape{out.elements(), 1, total};
  OpId id = add_op(name, kind, s, ops, special);
  for (const Act& a : inputs) link(a, id);
  Act r = out;
  r.op = id;
  return r;
}

Act Net::norm(const std::string& name, const Act& in) {
  params_ += 2 * in.c;  // scale and shift per channel
  return vec(name, {in}, in, kNormOps, OpKind::kLayerNorm);
}

Act Net::silu(const std::string& name, const Act& in) { return vec(name, {in}, in, kSiluOps, OpKind::kElementwise, kSiluSpecial); }

Act Net::add(const std::string& name, const Act& a, const Act& b) { return vec(name, {a, b}, a, kAddOps); }

Act Net::attention(const std::string& name, const Act& x, const Act& ctx, std::int64_t heads, bool qkv_bias) {
  const std::int64_t C = x.c, dh = C / heads, xt = x.tokens(), ct = ctx.tokens();
  Act q = linear(name + ".to_q", x, C, qkv_bias);
  Act k = linear(name + ".to_k", ctx, C, qkv_bias);
  Act v = linear(name + ".to_v", ctx, C, qkv_bias);
  Act scores = gemm(name + ".scores", x.n * heads, xt, dh, ct, true, Act{0, x.n * heads, xt, 1, ct});
  link(q, scores.op);
  link(k, scores.op);
  Act probs = vec(name + ".softmax", {scores}, scores, kSoftmaxOps, OpKind::kSoftmax, kSoftmaxSpecial);
  Act pv = gemm(name + ".pv", x.n * heads, xt, ct, dh, true, Act{0, x.n, x.h, x.w, C});
  link(probs, pv.op);
  link(v, pv.op);
  return linear(name + ".to_out", pv, C, true);
}

Act Net::resnet(const std::string& name, const Act& in, std::int64_t out_c, const Act* temb) {
  Act h = conv(name + ".conv1", silu(name + ".silu1", norm(name + ".norm1", in)), out_c, 3);
  if (temb) {
    Act t = linear(name + ".time_emb_proj", silu(name + ".temb_silu", *temb), out_c);
    h = vec(name + ".temb_add", {h, t}, h, kAddOps);  // broadcast over the pixels
  }
  h = conv(name + ".conv2", silu(name + ".silu2", norm(name + ".norm2", h)), out_c, 3);
  Act shortcut = in.c == out_c ? in : conv(name + ".conv_shortcut", in, out_c, 1);
  return add(name + ".add", shortcut, h);
}

Act Net::transformer2d(const std::string& name, const Act& in, std::int64_t depth, const Act& context) {
  const std::int64_t C = in.c, heads = C / kHeadDim;
  Act n = norm(name + ".norm", in);
  Act x = linear(name + ".proj_in", Act{n.op, in.n, in.h * in.w, 1, C}, C);  // pixels become tokens
  for (std::int64_t d = 0; d < depth; ++d) {
    const std::string b = name + ".blocks." + std::to_string(d);
    Act n1 = norm(b + ".norm1", x);
    x = add(b + ".attn1_add", x, attention(b + ".attn1", n1, n1, heads, false));
    Act n2 = norm(b + ".norm2", x);
    x = add(b + ".attn2_add", x, attention(b + ".attn2", n2, context, heads, false));
    // GEGLU: one projection to 2 x 4C (value and gate halves), gelu(gate) * value, then back to C.
    Act proj = linear(b + ".ff.proj", norm(b + ".norm3", x), 8 * C);
    Act gated = vec(b + ".ff.geglu", {proj}, Act{0, x.n, x.h, x.w, 4 * C}, kGegluOps);
    x = add(b + ".ff_add", x, linear(b + ".ff.out", gated, C));
  }
  Act out = linear(name + ".proj_out", x, C);
  return add(name + ".add", in, Act{out.op, in.n, in.h, in.w, C});
}

Act Net::clip_layer(const std::string& name, const Act& in, std::int64_t intermediate, double gelu_ops) {
  const std::int64_t heads = in.c / kHeadDim;
  Act n1 = norm(name + ".layer_norm1", in);
  Act x = add(name + ".attn_add", in, attention(name + ".self_attn", n1, n1, heads, true));
  Act f1 = linear(name + ".mlp.fc1", norm(name + ".layer_norm2", x), intermediate);
  Act act = vec(name + ".mlp.act", {f1}, f1, gelu_ops);
  return add(name + ".mlp_add", x, linear(name + ".mlp.fc2", act, in.c));
}

}  // namespace xpusim::wl::sdxl
