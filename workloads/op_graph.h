// SPDX-License-Identifier: MIT
// A workload as a directed acyclic graph: ops as vertices, tensors as edges. Boost.Graph stays inside
// op_graph.cpp so that it never reaches other translation units or the Python bindings.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/fusion_policy.h"
#include "workloads/op.h"

namespace xpusim::wl {

using OpId = std::size_t;

/// A tensor flowing from a producer op to a consumer op.
struct TensorEdge {
  OpId from = 0, to = 0;
  Bytes bytes;
  std::string name;
};

class OpGraph {
 public:
  explicit OpGraph(std::string name = "workload");
  ~OpGraph();
  OpGraph(OpGraph&&) noexcept;
  OpGraph& operator=(OpGraph&&) noexcept;
  OpGraph(const OpGraph&);
  OpGraph& operator=(const OpGraph&);

  const std::string& name() const { return name_; }
  OpId add_op(OpNode op);
  void add_tensor(OpId from, OpId to, Bytes bytes, std::string name = {});

  std::size_t size() const;
  const OpNode& op(OpId id) const;
  std::vector<OpId> predecessors(OpId id) const;
  std::vector<OpId> successors(OpId id) const;
  std::vector<TensorEdge> tensors() const;
  /// Ops in an order where every producer precedes its consumers; ties keep insertion order, so the
  /// order (and everything computed from it) is deterministic. Throws ConfigError on a cycle.
  std::vector<OpId> topo_order() const;
  /// Checks positive dims, known kinds, acyclicity and unique names; throws ConfigError listing all.
  void validate() const;

  /// The number of items one run of the graph processes (images, tokens, queries): throughput's unit.
  double items() const { return items_; }
  const std::string& item_unit() const { return item_unit_; }
  void set_items(double n, std::string unit) { items_ = n; item_unit_ = std::move(unit); }

  /// The compression what-ifs applied to the graph, in --compress syntax, "; "-separated in the order
  /// applied; "" when none. Results carry it so a reader knows what was simulated.
  const std::string& compression() const { return compression_; }
  void set_compression(std::string text) { compression_ = std::move(text); }

  /// Before fusion: the policy the workload asks for (a spec's `fusion:` key), unset to leave it to
  /// the chip's compiler stack. After fuse(): the policy its kernels were formed by.
  const std::optional<FusionPolicy>& fusion() const { return fusion_; }
  void set_fusion(std::optional<FusionPolicy> p) { fusion_ = p; }

 private:
  struct Impl;
  std::string name_;
  std::unique_ptr<Impl> impl_;
  double items_ = 1;
  std::string item_unit_ = "inferences";
  std::string compression_;
  std::optional<FusionPolicy> fusion_;
};

}  // namespace xpusim::wl
