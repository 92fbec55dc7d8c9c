// SPDX-License-Identifier: MIT
// Builds the op graph of one forward pass of a decoder-only transformer: a prefill over the prompt, or
// one decode step that attends over the KV cache. Shapes are the real ones from the model's config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/dtype.h"
#include "workloads/builders/hf_config.h"
#include "workloads/builders/moe_routing.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

enum class Phase { kPrefill, kDecode };

/// How a decode step's attention reads the KV cache under grouped-query attention:
/// kGrouped: each KV head's cache once for its whole query group (TensorRT-LLM's XQA kernel from v0.8,
///   FlashDecoding, vLLM's paged attention); kPerQueryHead: once per query head, as a kernel with one
///   thread block per (sequence, query head) does (TensorRT-LLM's masked MHA kernel before XQA).
enum class DecodeAttention { kGrouped, kPerQueryHead };

struct TransformerOptions {
  Phase phase = Phase::kDecode;
  std::int64_t batch = 1;         // sequences processed together
  std::int64_t prompt_len = 1024; // prefill: tokens per sequence
  /// Decode: the context one step attends over, per sequence, including the token being generated
  /// (its K and V are written to the cache first, then read back with the rest).
  std::int64_t kv_len = 1024;
  /// Prefill: tokens of each sequence already cached before this step, so its prompt_len tokens are
  /// one chunk of a longer prompt and attend over past_len + prompt_len (chunked prefill).
  std::int64_t past_len = 0;
  /// Prefill: further sequences that decode one token each in the same step over kv_len tokens -- the
  /// mixed iteration of chunked prefill (Sarathi-Serve, OSDI'24; vLLM V1): one pass through the
  /// weights for both, attention per group.
  std::int64_t decode_batch = 0;
  DataType activation_dtype = DataType::kBf16;
  DataType weight_dtype = DataType::kBf16;
  /// The KV cache's storage type when it differs from activation_dtype (an FP8 cache under FP4 or BF16
  /// math, as TensorRT-LLM's kv_cache_dtype); attention reads it in this type.
  std::optional<DataType> kv_dtype;
  RoutingOptions routing;  // MoE models only
  DecodeAttention decode_attention = DecodeAttention::kGrouped;
};

/// "grouped" | "per_query_head"; nullopt for anything else.
std::optional<DecodeAttention> parse_decode_attention(const std::string& s);

/// The graph of one prefill or one decode step; items() = tokens processed (batch x prompt_len, plus
/// decode_batch in a mixed prefill step; or batch). Throws ConfigError when an option is out of range. The graph passed validate().
///
/// Per layer (llama order; gptj / gpt_neox run attention and MLP side by side on the normalised input):
///   norm -> q/k/v_proj -> rotary -> kv_write -> scores (Q K^T) -> softmax -> pv (P V) -> o_proj -> add
///   -> norm -> gate_proj, up_proj -> act_mul -> down_proj -> add
/// MoE replaces the MLP by router -> route (softmax + top-k) -> per expert gate/up/act/down -> combine.
/// Before the layers, an embedding gather; after them, a final norm and the LM head.
OpGraph build_transformer(const TransformerConfig& config, const TransformerOptions& options);

std::string_view to_string(Phase p);

}  // namespace xpusim::wl
