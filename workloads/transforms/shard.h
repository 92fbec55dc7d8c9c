// SPDX-License-Identifier: MIT
// Parallelism transforms on a transformer's op graph: tensor parallelism (Megatron column/row splits with
// all-reduces), pipeline parallelism (layers into stages, micro-batches, send/recv between stages) and
// expert parallelism (experts over chips, all-to-all dispatch and combine).
#pragma once

#include <cstdint>

#include "workloads/builders/hf_config.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

struct ShardPlan {
  std::int64_t tp = 1, pp = 1, ep = 1, microbatches = 1;
};

/// Throws ConfigError with a clear message when `plan` cannot split `model` with `batch` sequences:
/// heads or KV heads not divisible by tp, fewer layers than stages, ep neither 1 nor tp, experts not
/// divisible by ep, or a batch that the micro-batches do not divide.
void check_shard(const TransformerConfig& model, const ShardPlan& plan, std::int64_t batch);

/// Shards `micro` (one micro-batch of build_transformer's graph, op names as documented there) for
/// `plan`. The result is what the chips of one model replica run, seen from a representative chip of
/// each stage (OpNode::stage): under tensor parallelism every chip of a stage does the same work, so one
/// shard stands for all, and the collectives carry the traffic of the whole group.
/// - tp: q/k/v, gate/up and fc_in keep N/tp columns; o_proj, down_proj and fc_out keep K/tp rows and are
///   followed by an all-reduce of their output; attention keeps heads/tp; the LM head keeps vocab/tp
///   columns followed by an all-gather of the logits; norms, residual adds and routing are replicated.
/// - ep (= tp): each chip holds experts/ep whole experts; the representative chip of a layer is the one
///   whose experts received the most tokens (the critical path); an all-to-all dispatches tokens before
///   the experts, one returns their outputs, and an all-gather restores the replicated activations.
/// - pp: layer l goes to stage l x pp / layers; every tensor crossing a stage boundary becomes a
///   send/recv; the graph holds `microbatches` copies named "mb<i>/...", and on each stage micro-batch i+1
///   starts after micro-batch i has left it (GPipe order), so pipeline bubbles emerge in the engine.
OpGraph shard_transformer(const OpGraph& micro, const TransformerConfig& model, const ShardPlan& plan);

}  // namespace xpusim::wl
