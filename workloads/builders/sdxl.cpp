// SPDX-License-Identifier: MIT
// SDXL base pipeline as diffusers' StableDiffusionXLPipeline runs it in the MLPerf Inference reference
// (mlcommons/inference text_to_image/backend_pytorch.py): both text encoders on the prompt and the
// negative prompt, `steps` Euler steps of the UNet at batch 2 x images, then the VAE decoder.
#include "workloads/builders/sdxl.h"

#include <vector>

#include "sim/config/config_error.h"
#include "workloads/builders/sdxl_layers.h"

namespace xpusim::wl {
namespace {

using sdxl::Act;
using sdxl::kFromMemory;
using sdxl::Net;

// UNet, from unet/config.json of stabilityai/stable-diffusion-xl-base-1.0 (SDXL paper, Table 1).
constexpr std::int64_t kWidths[3] = {320, 640, 1280};  // block_out_channels
constexpr std::int64_t kDepths[3] = {0, 2, 10};        // transformer blocks per attention; level 0 has none
constexpr std::int64_t kLayersPerBlock = 2;            // resnets per down block; up blocks have one more
constexpr std::int64_t kTimeEmbed = 1280;              // 4 x block_out_channels[0]
constexpr std::int64_t kTimeIds = 6;                   // original size, crop offset, target size (2 each)
constexpr std::int64_t kTimeIdWidth = 256;             // addition_time_embed_dim
constexpr std::int64_t kPooledWidth = 1280;            // text_encoder_2 projection_dim; 6 x 256 + 1280 = 2816
constexpr std::int64_t kContextWidth = 2048;           // cross_attention_dim: 768 (CLIP-L) + 1280 (bigG)
constexpr std::int64_t kTokens = 77;                   // CLIP max_position_embeddings
constexpr std::int64_t kLatentChannels = 4;
constexpr std::int64_t kLatentScale = 8;               // VAE: 3 upsamplers, 1024 px from a 128 latent
// VAE decoder, vae/config.json: block_out_channels [128, 256, 512, 512], layers_per_block 2.
constexpr std::int64_t kVaeWidths[4] = {128, 256, 512, 512};

/// A CLIP text transformer (transformers' CLIPTextModel), from text_encoder(_2)/config.json.
struct ClipSpec {
  const char* name;
  std::int64_t width, layers, intermediate;
  double act_ops;   // per element: quick_gelu x*sigmoid(1.702x) = 5; exact gelu 0.5x(1+erf(x/sqrt2)) = 5
  bool projection;  // CLIPTextModelWithProjection: text_projection (no bias) on the pooled token
};
constexpr std::int64_t kVocab = 49408;
constexpr ClipSpec kClipL{"text_encoder_l", 768, 12, 3072, 5, false};   // CLIP ViT-L/14
constexpr ClipSpec kClipG{"text_encoder_g", 1280, 32, 5120, 5, true};   // OpenCLIP ViT-bigG/14

struct TextOut {
  Act hidden;  // penultimate layer's output: SDXL conditions on hidden_states[-2]
  Act pooled;  // bigG only: the projected end-of-text token
};

TextOut text_encoder(Net& net, const ClipSpec& s, std::int64_t batch) {
  net.set_prefix(std::string(s.name) + "/");
  net.table(kVocab, s.width);   // token embedding, gathered
  net.table(kTokens, s.width);  // position embedding
  Act x = net.vec("embeddings", {Act{kFromMemory, batch, kTokens, 1, 1}}, Act{0, batch, kTokens, 1, s.width}, 2);
  TextOut out;
  for (std::int64_t l = 0; l < s.layers; ++l) {
    x = net.clip_layer("layers." + std::to_string(l), x, s.intermediate, s.act_ops);
    if (l == s.layers - 2) out.hidden = x;
  }
  // The pipeline runs the whole model: the last layer and the final norm feed the pooled output.
  Act fn = net.norm("final_layer_norm", x);
  if (s.projection) out.pooled = net.linear("text_projection", Act{fn.op, batch, 1, 1, s.width}, kPooledWidth, false);
  return out;
}

/// One UNet evaluation. `full` runs every block and stores the input of up block 2 in `cache`;
/// otherwise (DeepCache) only the shallow branch runs, reading `cache`.
Act unet(Net& net, const Act& latent, const Act& context, const Act& pooled, bool full, Act& cache) {
  const std::int64_t B = latent.n;
  Act tproj = net.vec("time_proj", {Act{kFromMemory, B, 1, 1, 1}}, Act{0, B, 1, 1, kWidths[0]}, 4);  // sin, cos
  Act temb = net.linear("time_embedding.linear_2",
                        net.silu("time_embedding.silu", net.linear("time_embedding.linear_1", tproj, kTimeEmbed)), kTimeEmbed);
  Act ids = net.vec("add_time_proj", {Act{kFromMemory, B, 1, 1, kTimeIds}}, Act{0, B, 1, 1, kTimeIds * kTimeIdWidth}, 4);
  Act cat = net.vec("add_embedding.concat", {ids, pooled}, Act{0, B, 1, 1, kTimeIds * kTimeIdWidth + kPooledWidth}, 1);
  Act aemb = net.linear("add_embedding.linear_2",
                        net.silu("add_embedding.silu", net.linear("add_embedding.linear_1", cat, kTimeEmbed)), kTimeEmbed);
  Act emb = net.add("emb_add", temb, aemb);

  Act x = net.conv("conv_in", latent, kWidths[0], 3);
  std::vector<Act> skips{x};
  for (std::int64_t lv = 0; lv < (full ? 3 : 1); ++lv) {
    const std::string p = "down_blocks." + std::to_string(lv);
    for (std::int64_t r = 0; r < kLayersPerBlock; ++r) {
      x = net.resnet(p + ".resnets." + std::to_string(r), x, kWidths[lv], &emb);
      if (kDepths[lv]) x = net.transformer2d(p + ".attentions." + std::to_string(r), x, kDepths[lv], context);
      skips.push_back(x);
    }
    if (full && lv < 2) {
      x = net.conv(p + ".downsamplers.0.conv", x, kWidths[lv], 3, 2);
      skips.push_back(x);
    }
  }
  if (full) {
    x = net.resnet("mid_block.resnets.0", x, kWidths[2], &emb);
    x = net.transformer2d("mid_block.attentions.0", x, kDepths[2], context);
    x = net.resnet("mid_block.resnets.1", x, kWidths[2], &emb);
  } else {
    x = cache;
  }
  for (std::int64_t ub = full ? 0 : 2; ub < 3; ++ub) {
    const std::int64_t lv = 2 - ub;
    const std::string p = "up_blocks." + std::to_string(ub);
    if (ub == 2 && full) cache = x;  // DeepCache's cached deep feature: up block 1's output
    for (std::int64_t r = 0; r <= kLayersPerBlock; ++r) {
      const std::string rp = std::to_string(r);
      Act skip = skips.back();
      skips.pop_back();
      // torch.cat of the upsampled path and the skip: a copy in eager mode.
      Act both = net.vec(p + ".concat." + rp, {x, skip}, Act{0, B, x.h, x.w, x.c + skip.c}, 1);
      x = net.resnet(p + ".resnets." + rp, both, kWidths[lv], &emb);
      if (kDepths[lv]) x = net.transformer2d(p + ".attentions." + rp, x, kDepths[lv], context);
    }
    if (ub < 2) {
      Act up = net.vec(p + ".upsamplers.0.interpolate", {x}, Act{0, B, 2 * x.h, 2 * x.w, x.c}, 1);  // nearest x2
      x = net.conv(p + ".upsamplers.0.conv", up, x.c, 3);
    }
  }
  Act h = net.silu("conv_act", net.norm("conv_norm_out", x));
  return net.conv("conv_out", h, kLatentChannels, 3);
}

Act vae_decoder(Net& net, const Act& latent) {
  net.set_prefix("vae/");
  Act z = net.vec("unscale", {latent}, latent, 1);  // latents / scaling_factor (0.13025)
  Act x = net.conv("decoder.conv_in", net.conv("post_quant_conv", z, kLatentChannels, 1), kVaeWidths[3], 3);
  x = net.resnet("decoder.mid_block.resnets.0", x, kVaeWidths[3], nullptr);
  // One 512-channel head over every latent pixel, with group norm and a residual connection.
  Act n = net.norm("decoder.mid_block.attentions.0.group_norm", x);
  Act a = net.attention("decoder.mid_block.attentions.0", Act{n.op, x.n, x.h * x.w, 1, x.c}, Act{n.op, x.n, x.h * x.w, 1, x.c},
                        1, true);
  x = net.add("decoder.mid_block.attentions.0.add", x, Act{a.op, x.n, x.h, x.w, x.c});
  x = net.resnet("decoder.mid_block.resnets.1", x, kVaeWidths[3], nullptr);
  for (std::int64_t ub = 0; ub < 4; ++ub) {
    const std::string p = "decoder.up_blocks." + std::to_string(ub);
    const std::int64_t width = kVaeWidths[3 - ub];
    for (std::int64_t r = 0; r <= kLayersPerBlock; ++r) x = net.resnet(p + ".resnets." + std::to_string(r), x, width, nullptr);
    if (ub < 3) {
      Act up = net.vec(p + ".upsamplers.0.interpolate", {x}, Act{0, x.n, 2 * x.h, 2 * x.w, x.c}, 1);
      x = net.conv(p + ".upsamplers.0.conv", up, width, 3);
    }
  }
  Act h = net.silu("decoder.conv_act", net.norm("decoder.conv_norm_out", x));
  return net.conv("decoder.conv_out", h, 3, 3);
}

struct Pipeline {
  const SdxlOptions& o;
  Net& net;
  std::int64_t batch() const { return o.images * (o.guidance ? 2 : 1); }
  std::int64_t latent_side() const { return o.image_size / kLatentScale; }

  /// Step `i`: scale the input (and duplicate it for guidance), run the UNet, combine, Euler update.
  Act step(std::int64_t i, const Act& latent, const Act& context, const Act& pooled, Act& cache) {
    net.set_prefix("step:" + std::to_string(i) + "/");
    const std::int64_t L = latent_side();
    Act in = net.vec("scale_input", {latent}, Act{0, batch(), L, L, kLatentChannels}, 1);  // x / sqrt(sigma^2 + 1)
    net.set_prefix("step:" + std::to_string(i) + "/unet.");
    const bool full = i % o.deepcache_interval == 0;
    Act eps = unet(net, in, context, pooled, full, cache);
    net.set_prefix("step:" + std::to_string(i) + "/");
    // uncond + scale * (text - uncond): subtract, multiply, add.
    if (o.guidance) eps = net.vec("cfg_combine", {eps}, Act{0, o.images, L, L, kLatentChannels}, 3);
    return net.vec("euler_step", {latent, eps}, latent, 2);  // x + (sigma_next - sigma) * eps
  }

  void build() {
    const std::int64_t L = latent_side();
    Act context{kFromMemory, batch(), kTokens, 1, kContextWidth}, pooled{kFromMemory, batch(), 1, 1, kPooledWidth};
    if (o.phase == SdxlPhase::kImage || o.phase == SdxlPhase::kTextEncoders) {
      TextOut l = text_encoder(net, kClipL, batch());
      TextOut g = text_encoder(net, kClipG, batch());
      context = net.vec("context_concat", {l.hidden, g.hidden}, context, 1);
      pooled = g.pooled;
    }
    Act latent{kFromMemory, o.images, L, L, kLatentChannels}, cache;
    if (o.phase == SdxlPhase::kImage || o.phase == SdxlPhase::kUnetStep) {
      const std::int64_t steps = o.phase == SdxlPhase::kImage ? o.steps : 1;
      for (std::int64_t i = 0; i < steps; ++i) latent = step(i, latent, context, pooled, cache);
    }
    if (o.phase == SdxlPhase::kImage || o.phase == SdxlPhase::kVaeDecode) vae_decoder(net, latent);
  }
};

}  // namespace

std::string_view to_string(SdxlPhase p) {
  switch (p) {
    case SdxlPhase::kImage: return "image";
    case SdxlPhase::kUnetStep: return "unet_step";
    case SdxlPhase::kTextEncoders: return "text_encoders";
    case SdxlPhase::kVaeDecode: return "vae_decode";
  }
  return "?";
}

OpGraph build_sdxl(const SdxlOptions& o) {
  Diagnostics diag;
  const SourceMark where{"sdxl", 0, 0};
  if (o.images < 1) diag.error(where, "images must be at least 1, got " + std::to_string(o.images));
  // The VAE scales by 8 and the UNet halves the latent twice, so the side must divide by 32.
  if (o.image_size < 64 || o.image_size % 32 != 0) {
    diag.error(where, "image_size must be a multiple of 32 and at least 64, got " + std::to_string(o.image_size));
  }
  if (o.steps < 1) diag.error(where, "steps must be at least 1, got " + std::to_string(o.steps));
  if (o.deepcache_interval < 1) {
    diag.error(where, "deepcache_interval must be at least 1 (1 = off), got " + std::to_string(o.deepcache_interval));
  }
  diag.throw_if_any();
  OpGraph g("sdxl-" + std::string(to_string(o.phase)));
  Net net(g, o.dtype);
  Pipeline{o, net}.build();
  g.set_items(static_cast<double>(o.images), "images");
  g.validate();
  return g;
}

SdxlParameterCount sdxl_parameter_count() {
  SdxlParameterCount c;
  auto count = [](auto&& build) {
    OpGraph g("count");
    Net net(g, DataType::kBf16);
    build(net);
    return net.params();
  };
  c.text_encoder_l = count([](Net& n) { text_encoder(n, kClipL, 1); });
  c.text_encoder_g = count([](Net& n) { text_encoder(n, kClipG, 1); });
  c.unet = count([](Net& n) {
    Act cache;
    unet(n, Act{kFromMemory, 1, 128, 128, kLatentChannels}, Act{kFromMemory, 1, kTokens, 1, kContextWidth},
         Act{kFromMemory, 1, 1, 1, kPooledWidth}, true, cache);
  });
  c.vae_decoder = count([](Net& n) { vae_decoder(n, Act{kFromMemory, 1, 128, 128, kLatentChannels}); });
  return c;
}

}  // namespace xpusim::wl
