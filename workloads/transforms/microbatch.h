// SPDX-License-Identifier: MIT
// Micro-batching: a batch split into independent copies of the graph, so a chip that pipelines layers
// (an at-memory grid or wafer with pipeline_layers) can work on several micro-batches at once.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/op_graph.h"

namespace xpusim::wl {

/// `k` copies of `graph`, ops named "mb<i>/<name>", each doing its share of every op's work:
/// convolutions split their batch, weight GEMMs their M (rows = batch x tokens), activation GEMMs
/// (attention) their batch, vector ops their elements, collectives their bytes. No tensor joins two
/// copies; weights are shared by name (the same layer in every copy). items() is unchanged. k = 1
/// returns the graph as is. With the graph's `batch` given (> 0), a k that does not divide it deals
/// the samples out unevenly (101 in 2: 51 and 50, as a scenario's batcher forms any batch), and a
/// batch smaller than k makes one copy per sample. Throws ConfigError naming the first op whose
/// dimension the split does not divide (k, or the batch when it is uneven).
OpGraph split_microbatches(const OpGraph& graph, std::int64_t k, std::int64_t batch = 0);

/// The layer an op belongs to across micro-batch copies (these, and pipeline parallelism's): its name
/// without a leading "mb<i>/". Copies of a layer share its weights.
std::string layer_key(const std::string& op_name);
/// The i of a leading "mb<i>/" in an op's name; 0 without one.
std::int64_t microbatch_of(const std::string& op_name);

}  // namespace xpusim::wl
