// SPDX-License-Identifier: MIT
// ResNet-50 layer arithmetic follows torchvision.models.resnet (Bottleneck with expansion 4, padding
// kernel/2, v1.5 stride placement); activations are NHWC as ConvShape expects.
#include "workloads/builders/resnet50.h"

#include "sim/config/config_error.h"

#include <array>
#include <string>
#include <utility>

namespace xpusim::wl {
namespace {

// Work per output element of the vector ops (OpNode::ops_per_element).
constexpr double kReluOps = 1;  // max(x, 0)
constexpr double kAddOps = 1;   // residual add
constexpr double kMaxPoolOps = 8;  // 3x3 window: 8 pairwise max operations
// Global average pool over 7x7: 48 adds and one multiply by 1/49, computed from the window size below.

/// A feature map flowing between ops: its producer and NHWC size (batch is the builder's).
struct Tensor {
  OpId producer;
  std::int64_t h, w, c;
};

class Builder {
 public:
  Builder(const ResNet50Options& o, OpGraph& g) : o_(o), g_(g) {}

  void build() {
    // conv1 has no producer op inside the graph: the image is read from memory.
    ConvShape s{o_.batch, o_.image_size, o_.image_size, 3, 64, 7, 7, 2, 3, false};
    OpId c1 = add_conv("conv1", s);
    Tensor x{c1, s.out_h(), s.out_w(), 64};
    x = relu("relu1", x);
    // Max pool 3x3, stride 2, padding 1: 112 -> 56.
    const std::int64_t ph = (x.h + 2 - 3) / 2 + 1, pw = (x.w + 2 - 3) / 2 + 1;
    OpId pool = vec("maxpool", OpKind::kPool, o_.batch * ph * pw * x.c, 1, o_.batch * x.h * x.w * x.c, kMaxPoolOps);
    link(x, pool);
    x = Tensor{pool, ph, pw, x.c};

    const std::array<std::pair<std::int64_t, std::int64_t>, 4> stages{{{64, 3}, {128, 4}, {256, 6}, {512, 3}}};
    for (std::size_t st = 0; st < stages.size(); ++st) {
      auto [width, blocks] = stages[st];
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t stride = (st > 0 && b == 0) ? 2 : 1;
        x = bottleneck("layer" + std::to_string(st + 1) + "." + std::to_string(b), x, width, stride);
      }
    }
    const std::int64_t window = x.h * x.w;
    OpId avg = vec("avgpool", OpKind::kPool, o_.batch * x.c, 1, o_.batch * window * x.c, static_cast<double>(window));
    link(x, avg);
    OpNode fc;
    fc.name = "fc";
    fc.kind = OpKind::kGemm;
    fc.dtype = o_.dtype;
    fc.shape = GemmShape{1, o_.batch, 1000, x.c, false};
    OpId f = g_.add_op(std::move(fc));
    g_.add_tensor(avg, f, storage(o_.dtype, o_.batch * x.c), "pooled");
  }

 private:
  Tensor bottleneck(const std::string& p, Tensor in, std::int64_t width, std::int64_t stride) {
    const std::int64_t out_c = 4 * width;
    Tensor a = conv_relu(p + ".conv1", in, width, 1, 1, 0);
    Tensor b = conv_relu(p + ".conv2", a, width, 3, stride, 1);  // v1.5: the stride is here
    ConvShape s3{o_.batch, b.h, b.w, b.c, out_c, 1, 1, 1, 0, false};
    OpId c3 = add_conv(p + ".conv3", s3);
    link(b, c3);
    Tensor shortcut = in;
    if (stride != 1 || in.c != out_c) {
      ConvShape sd{o_.batch, in.h, in.w, in.c, out_c, 1, 1, stride, 0, false};
      OpId down = add_conv(p + ".downsample", sd);
      link(in, down);
      shortcut = Tensor{down, sd.out_h(), sd.out_w(), out_c};
    }
    const std::int64_t n = o_.batch * b.h * b.w * out_c;
    OpId add = vec(p + ".add", OpKind::kElementwise, n, 2, 0, kAddOps);
    g_.add_tensor(c3, add, storage(o_.dtype, n), "conv3");
    link(shortcut, add);
    return relu(p + ".relu", Tensor{add, b.h, b.w, out_c});
  }

  Tensor conv_relu(const std::string& name, Tensor in, std::int64_t out_c, std::int64_t kernel, std::int64_t stride,
                   std::int64_t pad) {
    ConvShape s{o_.batch, in.h, in.w, in.c, out_c, kernel, kernel, stride, pad, false};
    OpId c = add_conv(name, s);
    link(in, c);
    return relu(name + ".relu", Tensor{c, s.out_h(), s.out_w(), out_c});
  }

  Tensor relu(const std::string& name, Tensor in) {
    OpId r = vec(name, OpKind::kElementwise, o_.batch * in.h * in.w * in.c, 1, 0, kReluOps);
    link(in, r);
    return Tensor{r, in.h, in.w, in.c};
  }

  OpId add_conv(std::string name, const ConvShape& s) {
    OpNode op;
    op.name = std::move(name);
    op.kind = OpKind::kConv2d;
    op.dtype = o_.dtype;
    op.shape = s;
    return g_.add_op(std::move(op));
  }

  OpId vec(std::string name, OpKind kind, std::int64_t elements, std::int64_t inputs, std::int64_t input_elements,
           double ops) {
    OpNode op;
    op.name = std::move(name);
    op.kind = kind;
    op.dtype = o_.dtype;
    op.shape = VectorShape{elements, inputs, input_elements};
    op.ops_per_element = ops;
    return g_.add_op(std::move(op));
  }

  /// Edge carrying the whole feature map `t` into `to`.
  void link(const Tensor& t, OpId to) {
    g_.add_tensor(t.producer, to, storage(o_.dtype, o_.batch * t.h * t.w * t.c), g_.op(t.producer).name);
  }

  const ResNet50Options& o_;
  OpGraph& g_;
};

}  // namespace

OpGraph build_resnet50(const ResNet50Options& options) {
  Diagnostics diag;
  const SourceMark where{"resnet50", 0, 0};
  if (options.batch < 1) diag.error(where, "batch must be at least 1, got " + std::to_string(options.batch));
  // Below 32 pixels the five stride-2 stages leave no spatial extent for the final stage.
  if (options.image_size < 32) diag.error(where, "image_size must be at least 32, got " + std::to_string(options.image_size));
  diag.throw_if_any();
  OpGraph g("resnet50");
  Builder(options, g).build();
  g.set_items(static_cast<double>(options.batch), "images");
  g.validate();
  return g;
}

}  // namespace xpusim::wl
