// SPDX-License-Identifier: MIT
#include "workloads/transforms/fused_kernel.h"

#include <algorithm>
#include <map>
#include <set>

#include "sim/int_math.h"

namespace xpusim::wl {
namespace {

/// A grouped MoE kernel sorts the tokens by expert and pads each expert's rows to a whole block:
/// vLLM's fused_moe aligns them to BLOCK_SIZE_M (moe_align_block_size), 16 in its smallest configs.
constexpr std::int64_t kExpertBlockRows = 16;

/// Element counts in units of `dtype` (a member may keep another precision than its kernel's anchor).
double elements_as(Bytes bytes, DataType dtype) { return static_cast<double>(bytes.count()) * 8.0 / bits(dtype); }

/// Edges from outside the kernel into its epilogue members (members[own...]).
std::vector<TensorEdge> in_edges_of(const GraphIndex& ix, const KernelGroup& grp, std::size_t own, const std::set<OpId>& inside) {
  std::vector<TensorEdge> out;
  for (std::size_t i = own; i < grp.members.size(); ++i) {
    for (const TensorEdge& e : ix.in_edges[grp.members[i]]) {
      if (!inside.count(e.from)) out.push_back(e);
    }
  }
  return out;
}

/// A grouped GEMM by its layer, expert count and the parts each expert runs, then the members
/// outside the experts: "L0.experts(8).gate_proj+up_proj+act_mul".
std::string experts_name(const GraphIndex& ix, const KernelGroup& grp) {
  const OpGraph& g = ix.g;
  const std::string layer = module_of(module_of(g.op(grp.members.front()).name));
  std::set<std::string> modules;
  std::vector<std::string> parts;
  for (OpId m : grp.members) {
    const std::string& name = g.op(m).name;
    const std::string module = module_of(name);
    const std::string part = module == layer ? name.substr(layer.empty() ? 0 : layer.size() + 1) : name.substr(module.size() + 1);
    if (module != layer) modules.insert(module);
    if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
  }
  std::string name = (layer.empty() ? "" : layer + ".") + "experts(" + std::to_string(modules.size()) + ").";
  for (std::size_t i = 0; i < parts.size(); ++i) name += (i ? "+" : "") + parts[i];
  return name;
}

/// The members' common prefix up to a '.' or '/', then each member's rest joined by '+'.
std::string kernel_name(const std::vector<std::string>& names) {
  std::size_t common = names.front().size();
  for (const std::string& n : names) {
    std::size_t i = 0;
    while (i < common && i < n.size() && n[i] == names.front()[i]) ++i;
    common = i;
  }
  const std::size_t cut = names.front().find_last_of("./", common == 0 ? 0 : common - 1);
  const std::size_t prefix = (cut == std::string::npos || common == 0) ? 0 : cut + 1;
  std::string name = names.front().substr(0, prefix);
  for (std::size_t i = 0; i < names.size(); ++i) name += (i ? "+" : "") + names[i].substr(prefix);
  return name;
}

}  // namespace

GraphIndex::GraphIndex(const OpGraph& graph) : g(graph), edges(graph.tensors()) {
  preds.resize(graph.size());
  succs.resize(graph.size());
  in_edges.resize(graph.size());
  out_edges.resize(graph.size());
  for (OpId id = 0; id < graph.size(); ++id) {
    preds[id] = graph.predecessors(id);
    succs[id] = graph.successors(id);
    for (auto* v : {&preds[id], &succs[id]}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }
  for (const TensorEdge& e : edges) {
    in_edges[e.to].push_back(e);
    out_edges[e.from].push_back(e);
  }
}

std::string module_of(const std::string& name) {
  const std::size_t cut = name.find_last_of("./");
  return cut == std::string::npos ? std::string() : name.substr(0, cut);
}

std::vector<OpId> matrix_members(const GraphIndex& ix, const KernelGroup& grp) {
  std::vector<OpId> out;
  for (OpId m : grp.members) {
    if (!is_matrix(ix.g.op(m))) break;
    out.push_back(m);
  }
  return out;
}

OpNode make_kernel(const GraphIndex& ix, const KernelGroup& grp) {
  const OpGraph& g = ix.g;
  const OpNode& first = g.op(grp.members.front());
  OpNode k = first;
  if (k.kind == OpKind::kConv2d) k.fused.implicit_gemm = true;
  if (grp.members.size() == 1) return k;
  std::set<OpId> inside(grp.members.begin(), grp.members.end());
  for (OpId m : grp.members) k.fused.members.push_back(g.op(m).name);
  k.name = grp.experts ? experts_name(ix, grp) : kernel_name(k.fused.members);
  std::size_t own = 1;  // members that make up the kernel's own result
  if (grp.attention) {
    const auto& gs = std::get<GemmShape>(first.shape);
    const OpNode& softmax = g.op(grp.members[1]);
    k.kind = OpKind::kAttention;
    k.shape = AttentionShape{gs.batch, gs.m, gs.n, gs.k, gs.b_shared, gs.causal_past};
    const double scores = static_cast<double>(gs.batch * gs.m * gs.n);
    const auto probs = static_cast<double>(std::get<VectorShape>(softmax.shape).elements);
    k.ops_per_element = probs * softmax.ops_per_element / scores;
    k.special_per_element = probs * softmax.special_per_element / scores;
    own = 3;
  } else if (grp.experts) {
    // One GEMM per expert module (its merged projections side by side): rows add up, N and K are
    // each expert's, and every expert brings its own weights.
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> rows_n;  // module -> (rows, n)
    std::vector<std::string> modules;
    own = matrix_members(ix, grp).size();
    for (std::size_t i = 0; i < own; ++i) {
      const OpNode& m = g.op(grp.members[i]);
      const auto& gm = std::get<GemmShape>(m.shape);
      auto [it, fresh] = rows_n.try_emplace(module_of(m.name), gm.m, 0);
      if (fresh) modules.push_back(it->first);
      it->second.second += gm.n;
    }
    std::int64_t rows = 0;
    for (const std::string& mod : modules) {
      rows += rows_n.at(mod).first;
      const std::int64_t r = ceil_div(rows_n.at(mod).first, kExpertBlockRows) * kExpertBlockRows;
      auto same = std::find_if(k.fused.expert_rows.begin(), k.fused.expert_rows.end(), [&](const auto& e) { return e.first == r; });
      if (same == k.fused.expert_rows.end()) {
        k.fused.expert_rows.emplace_back(r, 1);
      } else {
        ++same->second;
      }
    }
    auto& gm = std::get<GemmShape>(k.shape);
    gm.m = rows;
    gm.n = rows_n.at(modules.front()).second;
    gm.weight_sets = static_cast<std::int64_t>(modules.size());
  } else if (auto* gm = std::get_if<GemmShape>(&k.shape)) {
    // Merged projections: N side by side.
    while (own < grp.members.size() && is_matrix(g.op(grp.members[own]))) {
      gm->n += std::get<GemmShape>(g.op(grp.members[own]).shape).n;
      ++own;
    }
  }
  const double base = own_output_elements(k);
  // Inputs of the epilogue members from outside, each producer's tensor once; outputs of every
  // member that something outside reads (or that nothing reads: a result of the graph).
  std::set<OpId> read_by_own;
  for (std::size_t i = 0; i < own; ++i) {
    for (OpId p : ix.preds[grp.members[i]]) read_by_own.insert(p);
  }
  std::map<OpId, Bytes> extra;
  double epilogue_ops = 0, epilogue_special = 0, leaving = 0;
  for (const TensorEdge& e : in_edges_of(ix, grp, own, inside)) {
    if (read_by_own.count(e.from)) continue;
    Bytes& b = extra[e.from];
    b = std::max(b, e.bytes);
  }
  for (std::size_t i = own; i < grp.members.size(); ++i) {
    const OpNode& m = g.op(grp.members[i]);
    epilogue_ops += static_cast<double>(std::get<VectorShape>(m.shape).elements) * m.ops_per_element;
    epilogue_special += static_cast<double>(std::get<VectorShape>(m.shape).elements) * m.special_per_element;
  }
  // What outside consumers read of a member (the rotated Q of a fused rotary, not the K that the KV
  // write in the same kernel stores), at most its whole result.
  for (std::size_t i = grp.attention ? 2 : 0; i < grp.members.size(); ++i) {
    const OpId m = grp.members[i];
    const Bytes whole = output_bytes(g.op(m));
    Bytes read{0};
    for (const TensorEdge& e : ix.out_edges[m]) {
      if (!inside.count(e.to)) read += e.bytes;
    }
    leaving += elements_as(ix.succs[m].empty() ? whole : std::min(whole, read), k.dtype);
  }
  double extra_elements = 0;
  for (const auto& [from, bytes] : extra) extra_elements += elements_as(bytes, k.dtype);
  k.fused.epilogue_ops = epilogue_ops / base;
  k.fused.epilogue_special = epilogue_special / base;
  k.fused.extra_inputs = extra_elements / base;
  k.fused.outputs = leaving / base;
  return k;
}

}  // namespace xpusim::wl
