// SPDX-License-Identifier: MIT
// Parsing of Hugging Face config.json files into TransformerConfig, with family defaults taken from the
// transformers library's config classes (LlamaConfig, MistralConfig, MixtralConfig, GPTJConfig,
// GPTNeoXConfig), and the parameter-count and KV-cache arithmetic.
#include "workloads/builders/hf_config.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <vector>

namespace xpusim::wl {
namespace {

/// Reads keys from the config map, collecting every problem with its file:line before throwing.
class Reader {
 public:
  Reader(const ConfigNode& root, std::string context) : root_(root), context_(std::move(context)) {}

  /// A present, non-null value, or nullptr (JSON null counts as absent, as in transformers).
  const ConfigNode* get(std::string_view key) const {
    const ConfigNode* n = root_.find(key);
    return (n && !n->is_null()) ? n : nullptr;
  }

  std::int64_t integer(std::string_view key, std::int64_t fallback, bool required) {
    const ConfigNode* n = get(key);
    if (!n) {
      if (required) diag_.error(root_.mark(), context_ + ": missing required key '" + std::string(key) + "'");
      return fallback;
    }
    std::int64_t v = 0;
    const std::string& s = n->is_scalar() ? n->value() : std::string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n->is_scalar() || ec != std::errc() || p != s.data() + s.size()) {
      diag_.error(n->mark(), context_ + ": '" + std::string(key) + "' expects a whole number, got " +
                                 (n->is_scalar() ? "\"" + s + "\"" : std::string(n->kind_name())));
      return fallback;
    }
    if (v <= 0) {
      diag_.error(n->mark(), context_ + ": '" + std::string(key) + "' must be positive, got " + s);
      return fallback;
    }
    if (v > limit_of(key)) {
      diag_.error(n->mark(), context_ + ": '" + std::string(key) + "' " + s + " is more than xpusim takes (" +
                                 std::to_string(limit_of(key)) + ")");
      return fallback;
    }
    return v;
  }

  /// The largest value a count may take: orders of magnitude beyond published models (126 layers,
  /// 256 experts, 256k vocabularies), and small enough that the op graph -- ops per layer and per
  /// expert -- and every tensor's byte count stay within bounds.
  static std::int64_t limit_of(std::string_view key) {
    if (key == "num_hidden_layers" || key == "n_layer" || key == "num_local_experts" || key == "num_experts_per_tok") {
      return std::int64_t{1} << 14;
    }
    return std::int64_t{1} << 40;
  }

  double number(std::string_view key, double fallback) {
    const ConfigNode* n = get(key);
    if (!n) return fallback;
    double v = 0;
    const std::string& s = n->is_scalar() ? n->value() : std::string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n->is_scalar() || ec != std::errc() || p != s.data() + s.size() || !(v > 0 && v <= 1)) {
      diag_.error(n->mark(), context_ + ": '" + std::string(key) + "' expects a fraction in (0, 1], got \"" + s + "\"");
      return fallback;
    }
    return v;
  }

  bool boolean(std::string_view key, bool fallback) {
    const ConfigNode* n = get(key);
    if (!n) return fallback;
    if (n->is_scalar() && n->value() == "true") return true;
    if (n->is_scalar() && n->value() == "false") return false;
    diag_.error(n->mark(), context_ + ": '" + std::string(key) + "' expects true or false, got \"" + n->value() + "\"");
    return fallback;
  }

  void error(const ConfigNode* at, const std::string& message) {
    diag_.error(at ? at->mark() : root_.mark(), context_ + ": " + message);
  }
  void throw_if_any() const { diag_.throw_if_any(); }

 private:
  const ConfigNode& root_;
  std::string context_;
  Diagnostics diag_;
};

const std::vector<std::string> kModelTypes = {"llama", "mistral", "mixtral", "gptj", "gpt_neox", "gpt3"};

/// Shape keys in GPT2Config's names, which GPTJConfig and GPT-3 configs share; n_inner null means
/// 4 x n_embd, and there is one KV head per query head.
void read_gpt2_style_shape(Reader& r, TransformerConfig& c, bool tie_by_default) {
  c.hidden = r.integer("n_embd", 1, true);
  c.heads = r.integer("n_head", 1, true);
  c.kv_heads = c.heads;
  c.layers = r.integer("n_layer", 1, true);
  c.vocab = r.integer("vocab_size", 1, true);
  c.intermediate = r.integer("n_inner", 4 * c.hidden, false);
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", tie_by_default);
}

}  // namespace

TransformerConfig load_hf_config(const std::string& path) {
  ConfigNode root = ConfigNode::load_file(path);
  return parse_hf_config(root, std::filesystem::path(path).stem().string());
}

TransformerConfig parse_hf_config(const ConfigNode& root, const std::string& name) {
  TransformerConfig c;
  c.name = name;
  if (!root.is_map()) {
    throw ConfigError(root.mark(), name + ": a model config must be a JSON object, got " + std::string(root.kind_name()));
  }
  const ConfigNode* type = root.find("model_type");
  if (!type || !type->is_scalar()) {
    throw ConfigError(type ? type->mark() : root.mark(),
                      name + ": missing required key 'model_type' (one of llama|mistral|mixtral|gptj|gpt_neox)");
  }
  c.model_type = type->value();
  Reader r(root, name + " (" + c.model_type + ")");
  const std::string& t = c.model_type;
  if (t == "llama" || t == "mistral" || t == "mixtral") {
    c.hidden = r.integer("hidden_size", 1, true);
    c.intermediate = r.integer("intermediate_size", 1, true);
    c.heads = r.integer("num_attention_heads", 1, true);
    // LlamaConfig: num_key_value_heads defaults to num_attention_heads (plain multi-head attention).
    c.kv_heads = r.integer("num_key_value_heads", c.heads, false);
    c.layers = r.integer("num_hidden_layers", 1, true);
    c.vocab = r.integer("vocab_size", 1, true);
    c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);
    c.attention_bias = r.boolean("attention_bias", false);
    c.mlp_bias = r.boolean("mlp_bias", false);
    if (t != "llama") c.sliding_window = r.get("sliding_window") ? r.integer("sliding_window", 0, false) : 0;
    if (t == "mixtral") {
      c.experts = r.integer("num_local_experts", 1, true);
      c.experts_per_token = r.integer("num_experts_per_tok", 1, true);
    }
  } else if (t == "gptj") {
    read_gpt2_style_shape(r, c, false);
    c.parallel_residual = true;
    c.layer_norm = true;
    c.gated_mlp = false;
    c.mlp_bias = true;       // fc_in and fc_out have biases; q, k, v, out_proj do not
    c.lm_head_bias = true;
  } else if (t == "gpt3") {
    // GPT-3 (Brown et al. 2020): learned positions, LayerNorm, GELU MLP, biases, tied embeddings.
    read_gpt2_style_shape(r, c, true);
    c.layer_norm = true;
    c.gated_mlp = false;
    c.attention_bias = true;
    c.mlp_bias = true;
  } else if (t == "gpt_neox") {
    c.hidden = r.integer("hidden_size", 1, true);
    c.intermediate = r.integer("intermediate_size", 1, true);
    c.heads = r.integer("num_attention_heads", 1, true);
    c.kv_heads = c.heads;
    c.layers = r.integer("num_hidden_layers", 1, true);
    c.vocab = r.integer("vocab_size", 1, true);
    c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);
    c.parallel_residual = r.boolean("use_parallel_residual", true);
    c.layer_norm = true;
    c.gated_mlp = false;
    c.attention_bias = r.boolean("attention_bias", true);
    c.mlp_bias = true;
  } else {
    throw ConfigError(type->mark(), name + ": unknown model_type '" + t + "'" + did_you_mean(t, kModelTypes) +
                                        "; supported: llama, mistral, mixtral, gptj, gpt_neox, gpt3");
  }
  r.throw_if_any();

  // head_dim: explicit when given (it need not equal hidden / heads), otherwise derived.
  const ConfigNode* head_dim = r.get("head_dim");
  if (head_dim) {
    c.head_dim = r.integer("head_dim", 1, false);
  } else if (c.hidden % c.heads != 0) {
    r.error(root.find(t == "gptj" || t == "gpt3" ? "n_head" : "num_attention_heads"),
            "the " + std::to_string(c.heads) + " attention heads do not divide hidden size " + std::to_string(c.hidden) +
                " (give head_dim explicitly if that is intended)");
  } else {
    c.head_dim = c.hidden / c.heads;
  }
  if (c.heads % c.kv_heads != 0) {
    r.error(root.find("num_key_value_heads"), "num_key_value_heads " + std::to_string(c.kv_heads) +
                                                  " does not divide num_attention_heads " + std::to_string(c.heads) +
                                                  " (each KV head must serve a whole group of query heads)");
  }
  if (c.is_moe() && c.experts_per_token > c.experts) {
    r.error(root.find("num_experts_per_tok"), "num_experts_per_tok " + std::to_string(c.experts_per_token) +
                                                  " exceeds num_local_experts " + std::to_string(c.experts));
  }
  r.throw_if_any();

  if (t == "gptj") {
    c.rotary_dim = r.get("rotary_dim") ? r.integer("rotary_dim", c.head_dim, false) : c.head_dim;
  } else if (t == "gpt3") {
    c.rotary_dim = 0;  // learned absolute position embeddings, no rotary
  } else if (t == "gpt_neox") {
    c.rotary_dim = static_cast<std::int64_t>(std::llround(r.number("rotary_pct", 0.25) * static_cast<double>(c.head_dim)));
  } else {
    c.rotary_dim = c.head_dim;
  }
  if (c.rotary_dim > c.head_dim) {
    r.error(root.find("rotary_dim"), "rotary_dim " + std::to_string(c.rotary_dim) + " exceeds head_dim " +
                                         std::to_string(c.head_dim));
  }
  r.throw_if_any();
  return c;
}

ParameterCount parameter_count(const TransformerConfig& c) {
  const std::int64_t h = c.hidden, q = c.heads * c.head_dim, kv = c.kv_heads * c.head_dim;
  std::int64_t attention = h * q + 2 * h * kv + q * h;
  if (c.attention_bias) attention += q + 2 * kv + h;
  std::int64_t mlp = (c.gated_mlp ? 3 : 2) * h * c.intermediate;
  if (c.mlp_bias) mlp += (c.gated_mlp ? 2 : 1) * c.intermediate + h;
  const std::int64_t norm = c.layer_norm ? 2 * h : h;  // LayerNorm has a bias, RMSNorm does not
  // GPT-J shares one LayerNorm between its parallel attention and MLP; the others have two per layer.
  const std::int64_t norms_per_layer = c.model_type == "gptj" ? 1 : 2;

  std::int64_t per_layer_shared = attention + norms_per_layer * norm;
  std::int64_t per_layer_total = per_layer_shared, per_layer_active = per_layer_shared;
  ParameterCount p;
  if (c.is_moe()) {
    const std::int64_t router = h * c.experts;
    p.per_expert = mlp;
    per_layer_total += router + c.experts * mlp;
    per_layer_active += router + c.experts_per_token * mlp;
  } else {
    per_layer_total += mlp;
    per_layer_active += mlp;
  }
  std::int64_t outer = c.vocab * h + norm;  // embedding table and the final norm
  if (!c.tie_word_embeddings) outer += c.vocab * h;
  if (c.lm_head_bias) outer += c.vocab;
  p.total = c.layers * per_layer_total + outer;
  p.active_per_token = c.layers * per_layer_active + outer;
  return p;
}

Bytes kv_cache_bytes_per_token(const TransformerConfig& c, DataType dtype) {
  return storage(dtype, 2 * c.layers * c.kv_heads * c.head_dim);
}

}  // namespace xpusim::wl
