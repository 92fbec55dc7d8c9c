// SPDX-License-Identifier: MIT
// Layer helpers shared by the SDXL builder: convolutions, linears, norms, attention and the diffusers
// blocks (ResnetBlock2D, BasicTransformerBlock, CLIP encoder layer), each adding its ops and parameters.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/dtype.h"
#include "workloads/op_graph.h"

namespace xpusim::wl::sdxl {

/// No producer inside the graph: the tensor is read from memory (initial noise, cached embeddings).
constexpr OpId kFromMemory = std::numeric_limits<OpId>::max();

/// An activation: its producer and NHWC extent. A token sequence has h = tokens, w = 1.
struct Act {
  OpId op = kFromMemory;
  std::int64_t n = 1, h = 1, w = 1, c = 1;
  std::int64_t elements() const { return n * h * w * c; }
  std::int64_t tokens() const { return h * w; }
};

class Net {
 public:
  Net(OpGraph& g, DataType dtype) : g_(g), dtype_(dtype) {}

  /// Prefix of every op name added from now on ("step:3/unet.").
  void set_prefix(std::string p) { prefix_ = std::move(p); }
  /// Parameters of every layer added so far (weights, biases, norm scales and shifts).
  std::int64_t params() const { return params_; }

  Act conv(const std::string& name, const Act& in, std::int64_t out_c, std::int64_t kernel, std::int64_t stride = 1);
  /// A linear layer on every token: m = n x tokens rows.
  Act linear(const std::string& name, const Act& in, std::int64_t out, bool bias = true);
  /// Group norm (diffusers: 32 groups) and layer norm share the arithmetic: mean, variance, scale, shift.
  Act norm(const std::string& name, const Act& in);
  Act silu(const std::string& name, const Act& in);
  /// Element-wise op over `out`'s extent reading every input; `ops` per output element.
  /// `special`: of the `ops` per element, the transcendental ones (OpNode::special_per_element).
  Act vec(const std::string& name, const std::vector<Act>& inputs, const Act& out, double ops, OpKind kind = OpKind::kElementwise,
          double special = 0);
  Act add(const std::string& name, const Act& a, const Act& b);
  /// Multi-head attention of `x` over `ctx` (itself for self-attention): q from x, k and v from ctx
  /// (ctx width `ctx_c`), heads of 64 channels (or one head of all channels when `heads` is 1).
  Act attention(const std::string& name, const Act& x, const Act& ctx, std::int64_t heads, bool qkv_bias);
  /// A learned table read row by row (token or position embedding): parameters, no matrix work.
  void table(std::int64_t rows, std::int64_t width) { params_ += rows * width; }

  /// diffusers ResnetBlock2D: norm, SiLU, 3x3 conv, (+ time embedding), norm, SiLU, 3x3 conv, 1x1
  /// shortcut when the width changes, residual add. `temb` is null for the VAE's blocks.
  Act resnet(const std::string& name, const Act& in, std::int64_t out_c, const Act* temb);
  /// diffusers Transformer2DModel with linear projections and `depth` BasicTransformerBlocks (self
  /// attention, cross attention to `context`, GEGLU feed-forward), each with its residual add.
  Act transformer2d(const std::string& name, const Act& in, std::int64_t depth, const Act& context);
  /// One pre-norm CLIP text encoder layer; `gelu_ops` is the activation's work per element.
  Act clip_layer(const std::string& name, const Act& in, std::int64_t intermediate, double gelu_ops);

  void link(const Act& from, OpId to);
  DataType dtype() const { return dtype_; }

 private:
  OpId add_op(const std::string& name, OpKind kind, OpShape shape, double ops = 1, double special = 0);
  Act gemm(const std::string& name, std::int64_t batch, std::int64_t m, std::int64_t k, std::int64_t n,
           bool b_is_activation, const Act& like);

  OpGraph& g_;
  DataType dtype_;
  std::string prefix_;
  std::int64_t params_ = 0;
};

}  // namespace xpusim::wl::sdxl
