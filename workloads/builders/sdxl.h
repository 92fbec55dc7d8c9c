// SPDX-License-Identifier: MIT
// Stable Diffusion XL base 1.0 (Podell et al. 2023; diffusers' stabilityai/stable-diffusion-xl-base-1.0):
// two CLIP text encoders, the 2.6 B-parameter UNet run once per denoising step, and the VAE decoder.
#pragma once

#include <cstdint>
#include <string>

#include "sim/dtype.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

enum class SdxlPhase { kImage, kUnetStep, kTextEncoders, kVaeDecode };

struct SdxlOptions {
  SdxlPhase phase = SdxlPhase::kImage;
  std::int64_t images = 1;       // prompts generated together
  std::int64_t image_size = 1024;  // pixels per side; the latent is image_size / 8 per side
  std::int64_t steps = 20;       // MLPerf Inference SDXL: 20 Euler steps
  bool guidance = true;          // classifier-free guidance: the UNet and text encoders run at batch x2
  /// DeepCache (Ma et al. 2023): a full UNet every `deepcache_interval` steps; in between only the
  /// shallow branch (conv_in, down block 0, up block 2, conv_out) runs on the cached deep features.
  /// 1 = off.
  std::int64_t deepcache_interval = 1;
  DataType dtype = DataType::kBf16;
};

/// Parameters of each model, biases and norms included (what a checkpoint stores).
struct SdxlParameterCount {
  std::int64_t text_encoder_l = 0;  // CLIP ViT-L/14 text model
  std::int64_t text_encoder_g = 0;  // OpenCLIP ViT-bigG/14 text model with its projection
  std::int64_t unet = 0;
  std::int64_t vae_decoder = 0;  // post_quant_conv + decoder
};

/// The graph of `phase`. Op names carry their pipeline stage before a '/': "text_encoder_l/",
/// "text_encoder_g/", "step:<i>/" (UNet, guidance combine and scheduler update of step i) and "vae/",
/// which `xpusim describe` uses to report per-stage figures. items() = images. Throws ConfigError for
/// options out of range (image_size not a multiple of 64, steps < 1, deepcache_interval < 1, ...).
OpGraph build_sdxl(const SdxlOptions& options);

SdxlParameterCount sdxl_parameter_count();

std::string_view to_string(SdxlPhase p);

}  // namespace xpusim::wl
