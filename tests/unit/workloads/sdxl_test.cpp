// SPDX-License-Identifier: MIT
// SDXL builder: parameter counts against the published checkpoints, UNet work per step, pipeline
// structure (steps, guidance batch, DeepCache) and option errors.
#include <catch2/catch.hpp>

#include <map>

#include "sim/config/config_error.h"
#include "workloads/builders/sdxl.h"
#include "workloads/describe.h"
#include "workloads/loader.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {
double unet_flops(const OpGraph& g, const std::string& step_prefix) {
  double f = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    if (g.op(i).name.rfind(step_prefix + "unet.", 0) == 0) f += flops(g.op(i)).count();
  }
  return f;
}
double matrix_macs(const OpGraph& g) {
  double m = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    if (is_matrix(g.op(i))) {
      GemmView v = gemm_view(g.op(i));
      m += static_cast<double>(v.batch) * static_cast<double>(v.m) * static_cast<double>(v.n) * static_cast<double>(v.k);
    }
  }
  return m;
}
}  // namespace

TEST_CASE("SDXL parameter counts equal the published checkpoints", "[sdxl]") {
  SdxlParameterCount p = sdxl_parameter_count();
  // Parameter counts of the stabilityai/stable-diffusion-xl-base-1.0 modules as diffusers and
  // transformers report them (sum of p.numel()): the SDXL paper's "2.6B" UNet, CLIP ViT-L/14's text
  // model (123.06 M), OpenCLIP ViT-bigG/14's text model with projection (694.66 M), and the VAE's
  // post_quant_conv + decoder (49.49 M of the AutoencoderKL's 83.65 M).
  CHECK(p.unet == 2'567'463'684);
  CHECK(p.text_encoder_l == 123'060'480);
  CHECK(p.text_encoder_g == 694'659'840);
  CHECK(p.vae_decoder == 49'490'199);
}

TEST_CASE("SDXL UNet step: channel widths, depths and work", "[sdxl]") {
  SdxlOptions o;
  o.phase = SdxlPhase::kUnetStep;
  o.guidance = false;
  OpGraph g = build_sdxl(o);
  std::map<std::string, const OpNode*> by_name;
  for (OpId i = 0; i < g.size(); ++i) by_name[g.op(i).name] = &g.op(i);
  // conv_in on the 128x128x4 latent of a 1024x1024 image.
  const auto& conv_in = std::get<ConvShape>(by_name.at("step:0/unet.conv_in")->shape);
  CHECK((conv_in.in_h == 128 && conv_in.in_c == 4 && conv_in.out_c == 320));
  // Cross-attention keys come from the 77 x 2048 text context; 20 heads of 64 at the 32x32 level.
  const auto& k = std::get<GemmShape>(by_name.at("step:0/unet.down_blocks.2.attentions.0.blocks.9.attn2.to_k")->shape);
  CHECK((k.m == 77 && k.k == 2048 && k.n == 1280));
  const auto& s = std::get<GemmShape>(by_name.at("step:0/unet.down_blocks.1.attentions.1.blocks.1.attn1.scores")->shape);
  CHECK((s.batch == 10 && s.m == 4096 && s.n == 4096 && s.k == 64));
  CHECK(by_name.count("step:0/unet.down_blocks.2.attentions.0.blocks.10.norm1") == 0);  // depth 10
  CHECK(by_name.count("step:0/unet.down_blocks.0.attentions.0.norm") == 0);            // level 0: none
  CHECK(by_name.count("step:0/unet.up_blocks.0.attentions.2.blocks.9.ff.out") == 1);
  // Work of one UNet evaluation (batch 1) at 1024x1024: the layer-by-layer count is 3.38 T MACs
  // (6.78 TFLOPs with vector ops). The bounds are wide enough for profilers' conventions (counting
  // MACs or FLOPs of norms and softmax) and narrow enough to catch a missing or doubled block: one
  // 10-block transformer at 32x32 alone is about 0.66 TFLOPs.
  const double f = unet_flops(g, "step:0/");
  INFO("UNet FLOPs per evaluation: " << f << ", MACs: " << matrix_macs(g));
  CHECK(f > 6.4e12);
  CHECK(f < 7.2e12);
}

TEST_CASE("SDXL image: 20 guided steps, text encoders and VAE", "[sdxl]") {
  OpGraph g = build_sdxl(SdxlOptions{});
  CHECK(g.items() == 1);
  CHECK(g.item_unit() == "images");
  std::map<std::string, int> stages;
  for (OpId i = 0; i < g.size(); ++i) {
    const std::string& n = g.op(i).name;
    stages[n.substr(0, n.find('/'))]++;
  }
  CHECK(stages.size() == 23);  // text_encoder_l, text_encoder_g, step:0 .. step:19, vae
  CHECK(stages.count("step:19") == 1);
  CHECK(stages.count("step:20") == 0);
  CHECK(stages.count("vae") == 1);
  // Classifier-free guidance: the UNet runs on 2 latents per image.
  SdxlOptions one = SdxlOptions{};
  one.phase = SdxlPhase::kUnetStep;
  const double guided = unet_flops(build_sdxl(one), "step:0/");
  one.guidance = false;
  CHECK(guided == Approx(2 * unet_flops(build_sdxl(one), "step:0/")).epsilon(1e-9));
  CHECK(unet_flops(g, "step:7/") == Approx(guided).epsilon(1e-12));
}

TEST_CASE("SDXL DeepCache runs only the shallow branch on cached steps", "[sdxl]") {
  SdxlOptions o;
  o.deepcache_interval = 5;
  OpGraph g = build_sdxl(o);
  const double full = unet_flops(g, "step:0/"), cached = unet_flops(g, "step:1/");
  INFO("full " << full << ", cached " << cached);
  CHECK(unet_flops(g, "step:5/") == Approx(full).epsilon(1e-12));
  // The shallow branch (conv_in, down block 0, up block 2, conv_out) is a small part of the UNet.
  CHECK(cached < 0.35 * full);
  CHECK(cached > 0.05 * full);
  // A cached step reads the deep feature of the last full step.
  bool linked = false;
  for (const TensorEdge& t : g.tensors()) {
    linked |= g.op(t.from).name == "step:0/unet.up_blocks.1.upsamplers.0.conv" &&
              g.op(t.to).name.rfind("step:4/unet.up_blocks.2.concat.0", 0) == 0;
  }
  CHECK(linked);
  const double plain = describe(build_sdxl(SdxlOptions{})).flops.count();
  CHECK(describe(g).flops.count() < 0.6 * plain);
}

TEST_CASE("SDXL options out of range are reported together", "[sdxl]") {
  SdxlOptions o;
  o.image_size = 1000;
  o.steps = 0;
  o.deepcache_interval = 0;
  try {
    build_sdxl(o);
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.messages().size() == 3);
    CHECK_THAT(e.messages()[0], Catch::Contains("image_size must be a multiple of 32"));
  }
  const std::string dir = std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/";
  CHECK_THROWS_WITH(load_workload(dir + "sdxl.yaml", {"phase=unet"}), Catch::Contains("phase"));
  OpGraph vae = load_workload(dir + "sdxl.yaml", {"phase=vae_decode"});
  CHECK(vae.name() == "sdxl-vae_decode");
}
