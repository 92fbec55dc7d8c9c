// SPDX-License-Identifier: MIT
// Splitting a graph's batch into micro-batch copies.
#include "workloads/transforms/microbatch.h"

#include <string>

#include "sim/config/config_error.h"

namespace xpusim::wl {
namespace {

/// The share of the batch one micro-batch copy carries: `part` of `whole` samples.
struct Share {
  std::int64_t part = 1, whole = 1;
};

/// `value` x part / whole, or a ConfigError naming the op and the dimension when whole does not divide it.
std::int64_t divided(const OpGraph& g, const OpNode& op, const char* dim, std::int64_t value, Share s) {
  if (value % s.whole != 0) {
    throw ConfigError(SourceMark{g.name(), 0, 0}, "cannot split into micro-batches of " + std::to_string(s.part) + " of " +
                                                      std::to_string(s.whole) + ": op '" + op.name + "' has " + dim + " " +
                                                      std::to_string(value) + ", not a multiple of " + std::to_string(s.whole));
  }
  return value / s.whole * s.part;
}

OpShape split_shape(const OpGraph& g, const OpNode& op, Share k) {
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) {
    ConvShape s = *c;
    s.batch = divided(g, op, "batch", s.batch, k);
    return s;
  }
  if (const auto* m = std::get_if<GemmShape>(&op.shape)) {
    GemmShape s = *m;
    if (s.b_is_activation) {
      s.batch = divided(g, op, "batch", s.batch, k);
    } else {
      s.m = divided(g, op, "M", s.m, k);
    }
    return s;
  }
  if (const auto* c = std::get_if<CollectiveShape>(&op.shape)) {
    CollectiveShape s = *c;
    s.bytes = divided(g, op, "bytes", s.bytes, k);
    return s;
  }
  VectorShape s = std::get<VectorShape>(op.shape);
  s.elements = divided(g, op, "elements", s.elements, k);
  if (s.input_elements) s.input_elements = divided(g, op, "input elements", s.input_elements, k);
  return s;
}

}  // namespace

std::string layer_key(const std::string& op_name) {
  if (op_name.size() < 4 || op_name.compare(0, 2, "mb") != 0) return op_name;
  std::size_t i = 2;
  while (i < op_name.size() && op_name[i] >= '0' && op_name[i] <= '9') ++i;
  if (i == 2 || i >= op_name.size() || op_name[i] != '/') return op_name;
  return op_name.substr(i + 1);
}

std::int64_t microbatch_of(const std::string& op_name) {
  const std::size_t prefix = op_name.size() - layer_key(op_name).size();
  std::int64_t i = 0;
  for (std::size_t c = 2; c + 1 < prefix; ++c) i = i * 10 + (op_name[c] - '0');
  return i;
}

OpGraph split_microbatches(const OpGraph& graph, std::int64_t k, std::int64_t batch) {
  if (k < 1) throw ConfigError(SourceMark{graph.name(), 0, 0}, "micro-batches must be at least 1, got " + std::to_string(k));
  if (batch > 0 && k > batch) k = batch;  // no copy without a sample of its own
  if (k == 1) return graph;
  // Equal shares when k divides the batch (or the batch is not known); otherwise the first
  // batch % k copies carry one sample more.
  const bool equal = batch <= 0 || batch % k == 0;
  OpGraph out(graph.name());
  out.set_items(graph.items(), graph.item_unit());
  out.set_fusion(graph.fusion());
  const auto tensors = graph.tensors();
  for (std::int64_t i = 0; i < k; ++i) {
    const Share share = equal ? Share{1, k} : Share{batch / k + (i < batch % k ? 1 : 0), batch};
    const std::string prefix = "mb" + std::to_string(i) + "/";
    const OpId first = out.size();
    for (OpId id = 0; id < graph.size(); ++id) {
      OpNode op = graph.op(id);
      op.shape = split_shape(graph, op, share);
      op.name = prefix + op.name;
      out.add_op(std::move(op));
    }
    for (const TensorEdge& t : tensors) {
      const std::int64_t bytes = equal ? t.bytes.count() / k : t.bytes.count() / batch * share.part;
      out.add_tensor(first + t.from, first + t.to, Bytes(bytes), t.name);
    }
  }
  return out;
}

}  // namespace xpusim::wl
