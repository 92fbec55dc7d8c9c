// SPDX-License-Identifier: MIT
// ResNet-50 v1.5 (torchvision's resnet50: stride on the 3x3 conv of each bottleneck) at 224x224.
#pragma once

#include <cstdint>

#include "sim/dtype.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

struct ResNet50Options {
  std::int64_t batch = 1;
  DataType dtype = DataType::kBf16;
  std::int64_t image_size = 224;  // square input; 224 is the ImageNet evaluation size
};

/// The inference graph: conv1 7x7/2 + ReLU, 3x3/2 max pool, bottleneck stages of 3, 4, 6 and 3 blocks
/// (widths 64, 128, 256, 512; outputs 4x wider; a 1x1 projection on each stage's first block), global
/// average pool and a 2048 -> 1000 fully connected GEMM. Batch norm is folded into the preceding
/// convolution (its scale into the weights, its shift into the bias), as inference compilers do, so it
/// is not an op; conv and FC biases are added in the GEMM epilogue. About 4.09 G multiply-accumulates
/// per 224x224 image. items() = batch images. Throws ConfigError on a non-positive batch or size.
OpGraph build_resnet50(const ResNet50Options& options);

}  // namespace xpusim::wl
