// SPDX-License-Identifier: MIT
#include "workloads/serving.h"
#include "workloads/transforms/fuse.h"

#include <filesystem>
#include <optional>

#include "sim/config/config_node.h"
#include "sim/config/schema.h"

namespace xpusim::wl {
namespace {

namespace fs = std::filesystem;

struct Spec {
  std::string type, model, phase = "decode", weight_dtype, kv_dtype, decode_attention = "grouped";
  std::int64_t batch = 1, prompt_len = 1024, output_len = 128, kv_len = 1024, kv_bucket = kDefaultKvBucket, seed = 1;
  DataType dtype = DataType::kBf16;
  double routing_skew = 0, capacity_factor = 0;

  static const Schema<Spec>& schema() {
    static const Schema<Spec> s = [] {
      Schema<Spec> sc("LLM generation: prefill of the prompt, then one decode step per further output token");
      sc.add("type", &Spec::type, "generation (prefill + decode steps) or transformer (one step)").one_of({"generation", "transformer"});
      sc.add("model", &Spec::model, "path of the config.json, relative to this file").required();
      sc.add("batch", &Spec::batch, "sequences generated together").at_least(1);
      sc.add("prompt_len", &Spec::prompt_len, "prompt tokens per sequence").at_least(1);
      sc.add("output_len", &Spec::output_len, "generated tokens per sequence (the first comes from the prefill)").at_least(1);
      sc.add("kv_bucket", &Spec::kv_bucket, "decode steps whose context rounds up to the same multiple of this are simulated once").at_least(1);
      sc.add("phase", &Spec::phase, "type transformer: prefill or decode").one_of({"prefill", "decode"});
      sc.add("kv_len", &Spec::kv_len, "type transformer, decode: context attended over").at_least(1);
      sc.add("dtype", &Spec::dtype, "activation (and, without kv_dtype, KV-cache) data type");
      sc.add("weight_dtype", &Spec::weight_dtype, "weight data type; default: dtype");
      sc.add("kv_dtype", &Spec::kv_dtype, "KV-cache data type (TensorRT-LLM's kv_cache_dtype); default: dtype");
      sc.add("seed", &Spec::seed, "MoE routing seed").at_least(0);
      sc.add("routing_skew", &Spec::routing_skew, "MoE: Zipf exponent of expert popularity").at_least(0);
      sc.add("capacity_factor", &Spec::capacity_factor, "MoE: per-expert token cap, 0 = none").at_least(0);
      sc.add("decode_attention", &Spec::decode_attention,
             "how decode attention reads a GQA KV cache: grouped (once per KV head) or per_query_head (once per query head)")
          .one_of({"grouped", "per_query_head"});
      return sc;
    }();
    return s;
  }
};

}  // namespace

GenerationSpec load_generation_spec(const std::string& path, const std::vector<std::string>& overrides) {
  ConfigNode root = ConfigNode::load_file(path);
  const ConfigNode* found = root.is_map() ? root.find("workload") : nullptr;
  if (!found) throw ConfigError(root.mark(), "a workload spec is a map with a 'workload' key");
  ConfigNode spec = *found;
  std::vector<std::string> settings = overrides;
  ConfigNode block = root.find("compression") ? *root.find("compression") : ConfigNode();
  const bool compressed = take_compression_overrides(settings, block) || root.find("compression");
  const std::optional<FusionPolicy> fusion = take_fusion_setting(&root, settings);
  for (const std::string& o : settings) {
    const std::size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError(SourceMark{"--wset " + o, 0, 0}, "expects key=value, e.g. batch=8");
    spec.apply_override(o.substr(0, eq), o.substr(eq + 1));
  }
  Diagnostics diag;
  Spec s = Spec::schema().bind(spec, "workload (" + (spec.find("type") ? spec.find("type")->value() : std::string("?")) + ")", diag, {});
  if (s.type.empty()) diag.error(spec.mark(), "workload: missing required key 'type' (generation or transformer)");
  std::optional<DataType> wdt = s.weight_dtype.empty() ? std::optional<DataType>(s.dtype) : parse_dtype(s.weight_dtype);
  if (!wdt) diag.error(spec.find("weight_dtype")->mark(), "workload: 'weight_dtype' expects one of " + std::string(dtype_names()));
  const std::optional<DataType> kvdt = s.kv_dtype.empty() ? std::nullopt : parse_dtype(s.kv_dtype);
  if (!s.kv_dtype.empty() && !kvdt) diag.error(spec.find("kv_dtype")->mark(), "workload: 'kv_dtype' expects one of " + std::string(dtype_names()));
  diag.throw_if_any();
  const fs::path model_path = fs::path(path).parent_path() / s.model;
  if (!fs::is_regular_file(model_path)) {
    throw ConfigError(spec.find("model")->mark(), "workload: 'model' file '" + model_path.string() + "' not found");
  }
  GenerationSpec g;
  g.model = load_hf_config(model_path.string());
  g.options.activation_dtype = s.dtype;
  g.options.weight_dtype = *wdt;
  g.options.kv_dtype = kvdt;
  g.options.routing.seed = static_cast<std::uint64_t>(s.seed);
  g.options.routing.skew = s.routing_skew;
  g.options.routing.capacity_factor = s.capacity_factor;
  g.options.decode_attention = *parse_decode_attention(s.decode_attention);
  g.batch = s.batch;
  g.prompt_len = s.prompt_len;
  g.output_len = s.output_len;
  g.kv_bucket = s.kv_bucket;
  g.single_step = s.type == "transformer";
  if (compressed) g.compression = read_compression(block);
  g.fusion = fusion;
  if (g.single_step) {
    g.options.phase = s.phase == "prefill" ? Phase::kPrefill : Phase::kDecode;
    g.options.kv_len = s.kv_len;
  }
  return g;
}

std::int64_t bucketed_kv_len(const GenerationSpec& spec, std::int64_t step) {
  const std::int64_t kv = spec.prompt_len + step;
  return (kv + spec.kv_bucket - 1) / spec.kv_bucket * spec.kv_bucket;
}

std::vector<DecodeBucket> decode_buckets(const GenerationSpec& spec) {
  std::vector<DecodeBucket> out;
  for (std::int64_t step = 1; step < spec.output_len; ++step) {
    const std::int64_t kv = bucketed_kv_len(spec, step);
    if (out.empty() || out.back().kv_len != kv) out.push_back({kv, 0});
    ++out.back().steps;
  }
  return out;
}

}  // namespace xpusim::wl
