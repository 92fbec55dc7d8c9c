// SPDX-License-Identifier: MIT
// Dispatch by file type, and the workload-spec schemas: `workload: {type: transformer | resnet50 | sdxl | gemm,
// ...}`. A bare config.json is read as the spec {type: transformer, model: <that file>} with defaults.
#include "workloads/loader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>

#include "sim/config/config_node.h"
#include "sim/config/schema.h"
#include "workloads/builders/resnet50.h"
#include "workloads/builders/sdxl.h"
#include "workloads/builders/transformer.h"
#include "workloads/importers/scalesim_topology.h"
#include "workloads/importers/trace_json.h"
#include "workloads/transforms/compress.h"
#include "workloads/transforms/fuse.h"
#include "workloads/transforms/microbatch.h"

namespace xpusim::wl {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> dtype_choices() {
  std::vector<std::string> out;
  std::string all = dtype_names();
  std::size_t start = 0;
  while (start <= all.size()) {
    std::size_t bar = all.find('|', start);
    out.push_back(all.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

struct TransformerSpec {
  std::string model;
  std::string phase = "decode";
  std::int64_t batch = 1, prompt_len = 1024, kv_len = 1024;
  DataType dtype = DataType::kBf16;
  std::string weight_dtype;  // empty: same as dtype
  std::string kv_dtype;      // empty: same as dtype
  std::string decode_attention = "grouped";
  std::int64_t seed = 1;
  double routing_skew = 0, capacity_factor = 0;

  static const Schema<TransformerSpec>& schema() {
    static const Schema<TransformerSpec> s = [] {
      Schema<TransformerSpec> sc("A decoder-only transformer from a Hugging Face config.json");
      sc.add("model", &TransformerSpec::model, "path of the config.json, relative to this file").required();
      sc.add("phase", &TransformerSpec::phase, "prefill (the whole prompt) or decode (one token per sequence)")
          .one_of({"prefill", "decode"});
      sc.add("batch", &TransformerSpec::batch, "sequences processed together").at_least(1);
      sc.add("prompt_len", &TransformerSpec::prompt_len, "prefill: prompt tokens per sequence").at_least(1);
      sc.add("kv_len", &TransformerSpec::kv_len, "decode: context attended over, new token included").at_least(1);
      sc.add("dtype", &TransformerSpec::dtype, "activation (and, without kv_dtype, KV-cache) data type");
      sc.add("weight_dtype", &TransformerSpec::weight_dtype, "weight data type; default: dtype").one_of(dtype_choices());
      sc.add("kv_dtype", &TransformerSpec::kv_dtype, "KV-cache data type; default: dtype").one_of(dtype_choices());
      sc.add("seed", &TransformerSpec::seed, "MoE routing seed").at_least(0);
      sc.add("routing_skew", &TransformerSpec::routing_skew, "MoE: Zipf exponent of expert popularity, 0 = uniform")
          .at_least(0);
      sc.add("capacity_factor", &TransformerSpec::capacity_factor, "MoE: per-expert token cap, 0 = no cap").at_least(0);
      sc.add("decode_attention", &TransformerSpec::decode_attention,
             "how decode attention reads a GQA KV cache: grouped (once per KV head) or per_query_head (once per query head)")
          .one_of({"grouped", "per_query_head"});
      return sc;
    }();
    return s;
  }
};

struct ResNetSpec {
  std::int64_t batch = 1, image_size = 224;
  DataType dtype = DataType::kBf16;
  static const Schema<ResNetSpec>& schema() {
    static const Schema<ResNetSpec> s = [] {
      Schema<ResNetSpec> sc("ResNet-50 v1.5 image classifier");
      sc.add("batch", &ResNetSpec::batch, "images per run").at_least(1);
      sc.add("image_size", &ResNetSpec::image_size, "input height and width in pixels").at_least(32);
      sc.add("dtype", &ResNetSpec::dtype, "weight and activation data type");
      return sc;
    }();
    return s;
  }
};

struct GemmSpec {
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  DataType dtype = DataType::kBf16;
  static const Schema<GemmSpec>& schema() {
    static const Schema<GemmSpec> s = [] {
      Schema<GemmSpec> sc("One matrix multiply C[m x n] = A[m x k] * B[k x n], B a weight");
      sc.add("m", &GemmSpec::m, "rows of A and C").required().at_least(1);
      sc.add("n", &GemmSpec::n, "columns of B and C").required().at_least(1);
      sc.add("k", &GemmSpec::k, "reduction dimension").required().at_least(1);
      sc.add("batch", &GemmSpec::batch, "independent multiplies sharing B").at_least(1);
      sc.add("dtype", &GemmSpec::dtype, "data type");
      return sc;
    }();
    return s;
  }
};

struct SdxlSpec {
  std::string phase = "image";
  std::int64_t images = 1, image_size = 1024, steps = 20, deepcache_interval = 1;
  bool guidance = true;
  DataType dtype = DataType::kBf16;
  static const Schema<SdxlSpec>& schema() {
    static const Schema<SdxlSpec> s = [] {
      Schema<SdxlSpec> sc("Stable Diffusion XL base: text encoders, UNet denoising steps, VAE decoder");
      sc.add("phase", &SdxlSpec::phase, "image (whole pipeline), unet_step, text_encoders or vae_decode")
          .one_of({"image", "unet_step", "text_encoders", "vae_decode"});
      sc.add("images", &SdxlSpec::images, "prompts generated together").at_least(1);
      sc.add("image_size", &SdxlSpec::image_size, "pixels per side (multiple of 32)").at_least(64);
      sc.add("steps", &SdxlSpec::steps, "denoising steps (MLPerf: 20 Euler steps)").at_least(1);
      sc.add("guidance", &SdxlSpec::guidance, "classifier-free guidance: UNet and text encoders at batch x2");
      sc.add("deepcache_interval", &SdxlSpec::deepcache_interval,
             "DeepCache: a full UNet every N steps, the shallow branch in between; 1 = off")
          .at_least(1);
      sc.add("dtype", &SdxlSpec::dtype, "weight and activation data type");
      return sc;
    }();
    return s;
  }
};

const std::vector<std::string> kTypes = {"transformer", "resnet50", "sdxl", "gemm"};

/// The whole number a scalar node holds, nothing else around it; nullopt otherwise.
std::optional<std::int64_t> whole_number(const ConfigNode& node) {
  if (!node.is_scalar()) return std::nullopt;
  const std::string& text = node.value();
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

OpGraph build_transformer_spec(const ConfigNode& spec, const fs::path& spec_dir) {
  Diagnostics diag;
  TransformerSpec s = TransformerSpec::schema().bind(spec, "workload (transformer)", diag, {"type"});
  diag.throw_if_any();
  const ConfigNode* model = spec.find("model");
  fs::path model_path = spec_dir / s.model;
  if (!fs::is_regular_file(model_path)) {
    throw ConfigError(model->mark(), "workload (transformer): 'model' file '" + model_path.string() + "' not found");
  }
  TransformerConfig config = load_hf_config(model_path.string());
  TransformerOptions o;
  o.phase = s.phase == "prefill" ? Phase::kPrefill : Phase::kDecode;
  o.batch = s.batch;
  o.prompt_len = s.prompt_len;
  o.kv_len = s.kv_len;
  o.activation_dtype = s.dtype;
  o.weight_dtype = s.weight_dtype.empty() ? s.dtype : *parse_dtype(s.weight_dtype);
  if (!s.kv_dtype.empty()) o.kv_dtype = *parse_dtype(s.kv_dtype);
  o.routing.seed = static_cast<std::uint64_t>(s.seed);
  o.routing.skew = s.routing_skew;
  o.routing.capacity_factor = s.capacity_factor;
  o.decode_attention = *parse_decode_attention(s.decode_attention);
  return build_transformer(config, o);
}

OpGraph build_gemm_spec(const ConfigNode& spec) {
  Diagnostics diag;
  GemmSpec s = GemmSpec::schema().bind(spec, "workload (gemm)", diag, {"type"});
  diag.throw_if_any();
  OpGraph g("gemm-" + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k));
  OpNode op;
  op.name = "gemm";
  op.kind = OpKind::kGemm;
  op.dtype = s.dtype;
  op.shape = GemmShape{s.batch, s.m, s.n, s.k, false};
  g.add_op(std::move(op));
  g.set_items(static_cast<double>(s.batch), "gemms");
  g.validate();
  return g;
}

/// Builds the graph a `workload:` map describes; relative paths in it are resolved against `spec_dir`.
OpGraph build_from_spec(const ConfigNode& spec, const fs::path& spec_dir) {
  if (!spec.is_map()) {
    throw ConfigError(spec.mark(), "'workload' expects a map with a 'type' key, got " + std::string(spec.kind_name()));
  }
  const ConfigNode* type = spec.find("type");
  if (!type || !type->is_scalar()) {
    throw ConfigError(type ? type->mark() : spec.mark(), "workload: missing required key 'type' (one of transformer|resnet50|sdxl|gemm)");
  }
  const std::string& t = type->value();
  if (t == "transformer") return build_transformer_spec(spec, spec_dir);
  if (t == "gemm") return build_gemm_spec(spec);
  if (t == "resnet50") {
    Diagnostics diag;
    ResNetSpec s = ResNetSpec::schema().bind(spec, "workload (resnet50)", diag, {"type"});
    diag.throw_if_any();
    return build_resnet50(ResNet50Options{s.batch, s.dtype, s.image_size});
  }
  if (t == "sdxl") {
    Diagnostics diag;
    SdxlSpec s = SdxlSpec::schema().bind(spec, "workload (sdxl)", diag, {"type"});
    diag.throw_if_any();
    SdxlOptions o;
    o.phase = s.phase == "unet_step"       ? SdxlPhase::kUnetStep
              : s.phase == "text_encoders" ? SdxlPhase::kTextEncoders
              : s.phase == "vae_decode"    ? SdxlPhase::kVaeDecode
                                           : SdxlPhase::kImage;
    o.images = s.images;
    o.image_size = s.image_size;
    o.steps = s.steps;
    o.guidance = s.guidance;
    o.deepcache_interval = s.deepcache_interval;
    o.dtype = s.dtype;
    return build_sdxl(o);
  }
  throw ConfigError(type->mark(), "workload: unknown type '" + t + "'" + did_you_mean(t, kTypes) +
                                      "; known types: transformer, resnet50, sdxl, gemm");
}

void apply_overrides(ConfigNode& spec, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    std::size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(SourceMark{"--set " + o, 0, 0}, "expects key=value, e.g. batch=8");
    }
    spec.apply_override(o.substr(0, eq), o.substr(eq + 1));
  }
}

/// `g` with the compression plan of the spec's `compression:` block (`yaml`, nullptr when absent)
/// extended by the `compression.KEY=VALUE` `settings`; `g` as it is without either.
OpGraph compressed(OpGraph g, const ConfigNode* yaml, std::vector<std::string> settings) {
  if (!yaml && settings.empty()) return g;
  ConfigNode block = yaml ? *yaml : ConfigNode();
  take_compression_overrides(settings, block);
  return apply_compression(g, read_compression(block));
}

}  // namespace

OpGraph load_workload(const std::string& path, const std::vector<std::string>& all_overrides) {
  // compression.KEY=VALUE entries apply to any workload; the others set workload-spec keys.
  std::vector<std::string> overrides, compression;
  for (const std::string& o : all_overrides) (o.rfind("compression.", 0) == 0 ? compression : overrides).push_back(o);
  // fusion=POLICY applies to any workload, like compression.*; a spec may also say `fusion:`.
  const std::optional<FusionPolicy> asked = take_fusion_setting(nullptr, overrides);
  auto with_fusion = [&](OpGraph g, const ConfigNode* root) {
    if (const auto p = asked ? asked : take_fusion_setting(root, overrides)) g.set_fusion(*p);
    return g;
  };
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const fs::path dir = fs::path(path).parent_path();
  if (ext == ".csv") {
    if (!overrides.empty()) {
      throw ConfigError(SourceMark{path, 0, 0}, "a SCALE-Sim topology takes no overrides but compression.* (got '" +
                                                    overrides.front() + "'); write a workload spec (.yaml) to set parameters");
    }
    return with_fusion(compressed(import_scalesim_topology(path), nullptr, compression), nullptr);
  }
  if (ext == ".yaml" || ext == ".yml") {
    ConfigNode root = ConfigNode::load_file(path);
    if (!root.is_map()) throw ConfigError(root.mark(), "a workload spec must be a map with a 'workload' key");
    // A `scenario:` block beside the workload says how queries arrive (sim/scenario reads it).
    for (const auto& e : root.entries()) {
      if (e.key != "workload" && e.key != "compression" && e.key != "scenario" && e.key != "fusion") {
        throw ConfigError(e.key_mark, "unknown top-level key '" + e.key + "'" +
                                          did_you_mean(e.key, {"workload", "compression", "scenario", "fusion"}) +
                                          "; a workload spec holds a 'workload' map and optionally 'compression' and 'scenario' maps "
                                          "and a 'fusion' policy");
      }
    }
    const ConfigNode* spec = root.find("workload");
    if (!spec) throw ConfigError(root.mark(), "missing required key 'workload'");
    ConfigNode copy = *spec;
    apply_overrides(copy, overrides);
    // Any workload may be split into micro-batches (for chips that pipeline layers).
    std::int64_t microbatches = 1;
    if (const ConfigNode* mb = copy.find("microbatches")) {
      const std::optional<std::int64_t> k = whole_number(*mb);
      if (!k || *k < 1) throw ConfigError(mb->mark(), "workload: 'microbatches' must be a whole number of at least 1");
      microbatches = *k;
      copy.erase("microbatches");
    }
    // The spec's batch lets a scenario's batches (any size its batcher forms) split unevenly; the
    // builder reports a bad batch itself.
    const ConfigNode* b = copy.find("batch");
    const std::int64_t batch = b ? whole_number(*b).value_or(0) : 0;
    return with_fusion(split_microbatches(compressed(build_from_spec(copy, dir), root.find("compression"), compression), microbatches, batch), &root);
  }
  if (ext == ".json") {
    // An xpusim trace says so in its first key; anything else is read as a Hugging Face config.
    ConfigNode root = ConfigNode::load_file(path);
    if (is_trace(root)) {
      if (!overrides.empty()) {
        throw ConfigError(SourceMark{path, 0, 0}, "a trace takes no overrides but compression.* (got '" + overrides.front() +
                                                      "'); its ops are fixed when it is exported");
      }
      return with_fusion(compressed(import_trace(root), nullptr, compression), nullptr);
    }
    // A Hugging Face config on its own: one decode step, batch 1, over a 1024-token context, bf16
    // (TransformerOptions' defaults); overrides such as phase=prefill or batch=8 change them.
    const SourceMark here{path, 0, 0};
    ConfigNode spec = ConfigNode::map(here);
    spec.set("type", ConfigNode::scalar("transformer", here), here);
    spec.set("model", ConfigNode::scalar(fs::path(path).filename().string(), here), here);
    apply_overrides(spec, overrides);
    return with_fusion(compressed(build_from_spec(spec, dir), nullptr, compression), nullptr);
  }
  throw ConfigError(SourceMark{path, 0, 0}, "unsupported workload file type '" + ext +
                                                "': expected .csv (SCALE-Sim topology), .yaml or .yml (workload spec) "
                                                "or .json (xpusim trace or Hugging Face config.json)");
}

std::string workload_type(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext == ".csv") return "topology";
  if (ext != ".json" && ext != ".yaml" && ext != ".yml") return "";  // load_workload names the problem
  const ConfigNode root = ConfigNode::load_file(path);
  if (ext == ".json") return is_trace(root) ? "trace" : "transformer";
  const ConfigNode* spec = root.is_map() ? root.find("workload") : nullptr;
  const ConfigNode* type = spec && spec->is_map() ? spec->find("type") : nullptr;
  return type && type->is_scalar() ? type->value() : std::string();
}

std::string batch_key(const std::string& type) {
  if (type == "sdxl") return "images";
  if (type == "topology" || type == "trace") return "";
  return "batch";
}

}  // namespace xpusim::wl
