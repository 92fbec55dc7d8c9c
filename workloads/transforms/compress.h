// SPDX-License-Identifier: MIT
// Compression what-ifs on any op graph: weight and activation precision, 2:4 or unstructured sparsity
// and a weight codec. The transform only records what is stored (OpNode::dtype, weight_dtype,
// weight_format); what that costs on a chip is decided by the mapper and the component models.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/config_node.h"
#include "sim/dtype.h"
#include "sim/weight_format.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

/// The keys of a `compression:` block, of `--compress`, and of `compression.KEY=VALUE` overrides.
const std::vector<std::string>& compression_keys();

struct CompressionPlan {
  /// Storage type of every weight operand (GEMM B that is a weight, conv filters). Weights narrower
  /// than the activations they multiply are weight-only quantization: a dequantization pass runs
  /// before the MACs on units that do not take the format natively.
  std::optional<DataType> weight_dtype;
  /// Type matrix ops compute in (inputs, outputs, attention's K and V). Weights follow it unless
  /// weight_dtype is given (fp8 alone is W8A8). Vector ops (norms, softmax) keep their precision, as
  /// in FP8 inference recipes (NVIDIA Transformer Engine: FP8 GEMMs, other ops in higher precision).
  std::optional<DataType> activation_dtype;
  std::optional<Sparsity> sparsity;
  double density = 0;      // kUnstructured: kept fraction in (0, 1]; required with it, refused without
  std::uint64_t seed = 1;  // kUnstructured: per-op survivor seeds derive from it and the op's name
  std::optional<double> codec_ratio;  // >= 1: weights stored through a codec decoded at the memory

  bool empty() const { return !weight_dtype && !activation_dtype && !sparsity && !codec_ratio; }
  /// The plan in --compress syntax, keys in compression_keys() order, only those set
  /// ("weight_dtype=int4,sparsity=2:4").
  std::string to_string() const;
};

/// Reads a `compression:` map. Throws one ConfigError naming file:line and key for every problem:
/// unknown keys (with a did-you-mean), unknown dtypes or sparsity patterns, density outside (0, 1] or
/// given without sparsity=unstructured (or missing with it), codec_ratio below 1, weight_dtype wider
/// than activation_dtype.
CompressionPlan read_compression(const ConfigNode& block);

/// Splits "weight_dtype=int4,sparsity=2:4" (the --compress value) into overrides
/// {"compression.weight_dtype=int4", "compression.sparsity=2:4"}. Throws ConfigError for an entry
/// without '=' or an empty spec.
std::vector<std::string> compression_overrides(const std::string& spec);

/// Moves the `compression.KEY=VALUE` entries of `overrides` into the map `block` (made a map if it
/// is not one yet), each marked with the text as typed. Returns true when there was at least one.
bool take_compression_overrides(std::vector<std::string>& overrides, ConfigNode& block);

/// The graph with `plan` applied to every matrix op (GEMM, conv; attention's activation-only GEMMs
/// get the activation dtype only); vector ops and collectives are left alone. Tensors from an op
/// whose dtype changed carry bytes in the new dtype. Appends plan.to_string() to the graph's
/// compression record. Throws ConfigError when weight_dtype would be wider than an op's activations.
OpGraph apply_compression(const OpGraph& g, const CompressionPlan& plan);

}  // namespace xpusim::wl
