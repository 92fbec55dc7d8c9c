// SPDX-License-Identifier: MIT
#include "workloads/op_graph.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <queue>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/config/config_error.h"

namespace xpusim::wl {

struct OpGraph::Impl {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, OpNode, TensorEdge>;
  Graph g;
};

OpGraph::OpGraph(std::string name) : name_(std::move(name)), impl_(std::make_unique<Impl>()) {}
OpGraph::~OpGraph() = default;
OpGraph::OpGraph(OpGraph&&) noexcept = default;
OpGraph& OpGraph::operator=(OpGraph&&) noexcept = default;
OpGraph::OpGraph(const OpGraph& o)
    : name_(o.name_),
      impl_(std::make_unique<Impl>(*o.impl_)),
      items_(o.items_),
      item_unit_(o.item_unit_),
      compression_(o.compression_),
      fusion_(o.fusion_) {}
OpGraph& OpGraph::operator=(const OpGraph& o) {
  if (this != &o) *this = OpGraph(o);
  return *this;
}

OpId OpGraph::add_op(OpNode op) { return boost::add_vertex(std::move(op), impl_->g); }

void OpGraph::add_tensor(OpId from, OpId to, Bytes bytes, std::string name) {
  if (from >= size() || to >= size()) throw std::out_of_range("add_tensor: unknown op id");
  boost::add_edge(from, to, TensorEdge{from, to, bytes, std::move(name)}, impl_->g);
}

std::size_t OpGraph::size() const { return boost::num_vertices(impl_->g); }
const OpNode& OpGraph::op(OpId id) const { return impl_->g[id]; }

std::vector<OpId> OpGraph::predecessors(OpId id) const {
  std::vector<OpId> p;
  for (auto [it, end] = boost::in_edges(id, impl_->g); it != end; ++it) p.push_back(boost::source(*it, impl_->g));
  return p;
}

std::vector<OpId> OpGraph::successors(OpId id) const {
  std::vector<OpId> s;
  for (auto [it, end] = boost::out_edges(id, impl_->g); it != end; ++it) s.push_back(boost::target(*it, impl_->g));
  return s;
}

std::vector<TensorEdge> OpGraph::tensors() const {
  std::vector<TensorEdge> t;
  for (auto [it, end] = boost::edges(impl_->g); it != end; ++it) t.push_back(impl_->g[*it]);
  return t;
}

std::vector<OpId> OpGraph::topo_order() const {
  // Kahn's algorithm with a min-heap on id: producers first, otherwise insertion order.
  const std::size_t n = size();
  std::vector<std::size_t> indegree(n, 0);
  for (OpId v = 0; v < n; ++v) indegree[v] = boost::in_degree(v, impl_->g);
  std::priority_queue<OpId, std::vector<OpId>, std::greater<>> ready;
  for (OpId v = 0; v < n; ++v) {
    if (indegree[v] == 0) ready.push(v);
  }
  std::vector<OpId> order;
  order.reserve(n);
  while (!ready.empty()) {
    OpId v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto [it, end] = boost::out_edges(v, impl_->g); it != end; ++it) {
      OpId w = boost::target(*it, impl_->g);
      if (--indegree[w] == 0) ready.push(w);
    }
  }
  if (order.size() != n) {
    std::string stuck;
    for (OpId v = 0; v < n && stuck.size() < 200; ++v) {
      if (indegree[v] > 0) stuck += (stuck.empty() ? "" : ", ") + op(v).name;
    }
    throw ConfigError(SourceMark{name_, 0, 0}, "the op graph has a cycle through: " + stuck);
  }
  return order;
}

namespace {

// Byte counts of a tensor (8 B an element at most) and cycle counts of its work must fit 64-bit integers
// with room for the engine's sums: bigger shapes are refused, never wrapped.
constexpr double kMaxTensorElements = 72057594037927936.0;  // 2^56
constexpr double kMaxMacs = 1152921504606846976.0;          // 2^60

/// The first of `sizes` (name, element or MAC count, computed in floating point so nothing wraps) over
/// its limit, as a message; empty when all fit.
std::string oversized(std::initializer_list<std::pair<const char*, double>> tensors, double macs) {
  auto sig = [](double v) {
    std::ostringstream s;
    s.precision(3);
    s << v;
    return s.str();
  };
  for (const auto& [what, elements] : tensors) {
    if (!(elements <= kMaxTensorElements)) return std::string(what) + " would hold " + sig(elements) + " elements, more than the 2^56 a tensor may have";
  }
  if (!(macs <= kMaxMacs)) return "its " + sig(macs) + " multiply-accumulates exceed the 2^60 an op may do";
  return {};
}

double d(std::int64_t v) { return static_cast<double>(v); }

}  // namespace

void OpGraph::validate() const {
  Diagnostics diag;
  const SourceMark where{name_, 0, 0};
  std::set<std::string> names;
  for (OpId v = 0; v < size(); ++v) {
    const OpNode& o = op(v);
    const std::string who = "op '" + o.name + "' (" + std::string(to_string(o.kind)) + ")";
    std::string too_big;
    if (o.kind >= OpKind::kAllReduce && !is_collective(o)) diag.error(where, who + ": a collective needs a collective shape");
    if (o.name.empty()) diag.error(where, "op #" + std::to_string(v) + " has no name");
    if (!names.insert(o.name).second) diag.error(where, "duplicate op name '" + o.name + "'");
    if (const auto* g = std::get_if<GemmShape>(&o.shape)) {
      if (g->batch <= 0 || g->m <= 0 || g->n <= 0 || g->k <= 0) diag.error(where, who + ": batch, M, N and K must be positive");
      too_big = oversized({{"A", d(g->batch) * d(g->m) * d(g->k)}, {"B", d(g->weight_sets) * d(g->k) * d(g->n)},
                           {"C", d(g->batch) * d(g->m) * d(g->n)}},
                          d(g->batch) * d(g->m) * d(g->n) * d(g->k));
    } else if (const auto* c = std::get_if<ConvShape>(&o.shape)) {
      if (c->batch <= 0 || c->in_h <= 0 || c->in_w <= 0 || c->in_c <= 0 || c->out_c <= 0 || c->kernel_h <= 0 ||
          c->kernel_w <= 0 || c->stride <= 0 || c->pad < 0) {
        diag.error(where, who + ": every dimension must be positive (padding non-negative)");
      } else if (!(d(c->in_h) + 2 * d(c->pad) <= kMaxTensorElements && d(c->in_w) + 2 * d(c->pad) <= kMaxTensorElements)) {
        diag.error(where, who + ": the padded input is larger than any tensor may be");
      } else if (c->out_h() <= 0 || c->out_w() <= 0) {
        diag.error(where, who + ": the " + std::to_string(c->kernel_h) + "x" + std::to_string(c->kernel_w) +
                              " filter is larger than the padded " + std::to_string(c->in_h) + "x" + std::to_string(c->in_w) + " input");
      } else {
        const double out = d(c->batch) * d(c->out_h()) * d(c->out_w()) * d(c->out_c);
        too_big = oversized({{"the input", d(c->batch) * d(c->in_h) * d(c->in_w) * d(c->in_c)}, {"the output", out},
                             {"the filter", d(c->kernel_h) * d(c->kernel_w) * d(c->in_c) * d(c->out_c)}},
                            out * d(c->kernel_h) * d(c->kernel_w) * d(c->in_c));
      }
    } else if (const auto* cs = std::get_if<CollectiveShape>(&o.shape)) {
      if (o.kind < OpKind::kAllReduce) diag.error(where, who + ": a collective shape needs a collective kind");
      if (cs->bytes <= 0 || cs->group < 1) diag.error(where, who + ": bytes and group must be positive");
    } else if (const auto* a = std::get_if<AttentionShape>(&o.shape)) {
      if (a->batch <= 0 || a->m <= 0 || a->ctx <= 0 || a->head_dim <= 0 || a->b_shared <= 0) {
        diag.error(where, who + ": batch, rows, context and head size must be positive");
      }
      too_big = oversized({{"Q", d(a->batch) * d(a->m) * d(a->head_dim)}, {"K and V", 2 * d(a->batch) * d(a->ctx) * d(a->head_dim)},
                           {"the scores", d(a->batch) * d(a->m) * d(a->ctx)}},
                          2 * d(a->batch) * d(a->m) * d(a->ctx) * d(a->head_dim));
    } else {
      const auto& vs = std::get<VectorShape>(o.shape);
      if (vs.elements <= 0 || vs.inputs <= 0 || vs.input_elements < 0) diag.error(where, who + ": element counts must be positive");
      if (!(o.ops_per_element > 0)) diag.error(where, who + ": ops per element must be positive");
      too_big = oversized({{"its output", d(vs.elements)}, {"its inputs", d(vs.inputs) * d(vs.input_elements > 0 ? vs.input_elements : vs.elements)}},
                          d(vs.elements) * o.ops_per_element);
    }
    if (!too_big.empty()) diag.error(where, who + ": " + too_big);
  }
  diag.throw_if_any();
  (void)topo_order();
}

}  // namespace xpusim::wl
