// SPDX-License-Identifier: MIT
// The architecture of a decoder-only transformer, read from a Hugging Face config.json (llama, mistral,
// mixtral, gptj, gpt_neox), and the sizes that follow from it: parameter counts and KV-cache bytes.
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/config_node.h"
#include "sim/dtype.h"
#include "sim/units.h"

namespace xpusim::wl {

/// What a transformer layer looks like, normalised across model families. Key names differ per family
/// (gptj says n_embd / n_layer / n_head); the parser maps them onto these fields.
struct TransformerConfig {
  std::string name;        // file stem, e.g. "llama-2-7b"
  std::string model_type;  // as written in the file
  std::int64_t hidden = 0, intermediate = 0, heads = 0, kv_heads = 0, head_dim = 0, layers = 0, vocab = 0;
  /// Elements of each head that rotary embedding touches (gptj: rotary_dim; gpt_neox: rotary_pct x head_dim).
  std::int64_t rotary_dim = 0;
  /// Mixture of experts: 0 experts means a dense MLP.
  std::int64_t experts = 0, experts_per_token = 0;
  /// Mistral's sliding-window attention: a token attends to at most this many; 0 = unlimited.
  std::int64_t sliding_window = 0;
  bool tie_word_embeddings = false;
  /// gptj / gpt_neox: attention and MLP both read the same normalised input and add into the residual.
  bool parallel_residual = false;
  /// LayerNorm (mean and variance, weight and bias) instead of RMSNorm (weight only).
  bool layer_norm = false;
  /// SwiGLU (gate, up, down: 3 matrices) instead of a GELU MLP (2 matrices).
  bool gated_mlp = true;
  bool attention_bias = false, mlp_bias = false, lm_head_bias = false;

  bool is_moe() const { return experts > 0; }
};

/// Reads a config.json (any YAML also works). Throws ConfigError naming file, line and key for a missing
/// or non-integer field, an unknown model_type, heads not dividing hidden (without head_dim), kv heads not
/// dividing heads, or top-k larger than the expert count.
TransformerConfig load_hf_config(const std::string& path);
/// Same, from an already loaded tree; `name` becomes TransformerConfig::name.
TransformerConfig parse_hf_config(const ConfigNode& root, const std::string& name);

/// Parameter counts, embeddings and biases included (the convention of published model sizes).
struct ParameterCount {
  std::int64_t total = 0;
  /// Parameters one token uses: for MoE only top-k of the experts; equal to total for dense models.
  std::int64_t active_per_token = 0;
  /// Of those, the parameters of one expert MLP in one layer (0 for dense models).
  std::int64_t per_expert = 0;
};
ParameterCount parameter_count(const TransformerConfig& c);

/// K and V of one token in every layer: 2 x layers x kv_heads x head_dim elements of `dtype`.
Bytes kv_cache_bytes_per_token(const TransformerConfig& c, DataType dtype);

}  // namespace xpusim::wl
