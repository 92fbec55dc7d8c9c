// SPDX-License-Identifier: MIT
// Kernel formation: ops are grouped in topological order (attention triples, then projections that
// share an input, then element-wise ops into a producer's kernel, then the experts of an MoE layer);
// fused_kernel.h turns each group into one op of the fused graph.
#include "workloads/transforms/fuse.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "sim/config/config_error.h"
#include "workloads/transforms/fused_kernel.h"

namespace xpusim::wl {
namespace {

constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);
using Group = KernelGroup;

bool elementwise(const OpNode& op) { return op.kind == OpKind::kElementwise; }
/// Row-wise reductions: they can close a chain of element-wise work but need whole rows, which a
/// GEMM tile's epilogue does not hold.
bool row_reduction(const OpNode& op) {
  return op.kind == OpKind::kSoftmax || op.kind == OpKind::kLayerNorm || op.kind == OpKind::kRmsNorm;
}

class Fuser {
 public:
  Fuser(const OpGraph& g, FusionPolicy policy) : g_(g), ix_(g), policy_(policy), order_(g.topo_order()) {
    pos_.resize(g.size());
    for (std::size_t i = 0; i < order_.size(); ++i) pos_[order_[i]] = i;
    group_of_.assign(g.size(), kNoGroup);
    seen_.assign(g.size(), 0);
  }

  OpGraph run() {
    if (policy_ == FusionPolicy::kFull) group_attention();
    merge_projections();
    join_elementwise();
    for (OpId id : order_) {
      if (group_of_[id] == kNoGroup) new_group({id});
    }
    if (policy_ == FusionPolicy::kFull) {
      while (group_experts()) {
      }  // the down projections group once their inputs' kernel is one
    }
    return build();
  }

 private:
  std::size_t new_group(std::vector<OpId> members, bool attention = false) {
    const std::size_t gid = groups_.size();
    for (OpId m : members) group_of_[m] = gid;
    groups_.push_back(Group{std::move(members), attention});
    return gid;
  }

  /// True when `target` can be reached from `from` along tensors. Only ops before `target` in
  /// topological order can lie on such a path, which bounds the search.
  bool reaches(OpId from, OpId target) {
    if (pos_[from] >= pos_[target]) return from == target;
    ++stamp_;
    std::vector<OpId> stack{from};
    seen_[from] = stamp_;
    while (!stack.empty()) {
      OpId v = stack.back();
      stack.pop_back();
      for (OpId s : ix_.succs[v]) {
        if (s == target) return true;
        if (seen_[s] == stamp_ || pos_[s] > pos_[target]) continue;
        seen_[s] = stamp_;
        stack.push_back(s);
      }
    }
    return false;
  }

  /// True when none of `inputs` depends on `anchor`: an attention triple rooted at its scores may
  /// then take them as outside inputs (it is formed before any other kernel exists).
  bool acyclic_with(OpId anchor, const std::vector<OpId>& inputs) {
    for (OpId y : inputs) {
      if (reaches(anchor, y)) return false;
    }
    return true;
  }

  /// The first and last topological positions of group `gid`'s members.
  std::pair<std::size_t, std::size_t> span(std::size_t gid) const {
    std::pair<std::size_t, std::size_t> s{pos_.size(), 0};
    for (OpId m : groups_[gid].members) s = {std::min(s.first, pos_[m]), std::max(s.second, pos_[m])};
    return s;
  }

  /// True when the kernel graph stays acyclic with groups `parts` taken as one kernel: Kahn's
  /// algorithm over the kernels (every op is in a group by now).
  bool acyclic_if_merged(const std::vector<std::size_t>& parts) const {
    std::vector<std::size_t> kernel(groups_.size());
    for (std::size_t gid = 0; gid < groups_.size(); ++gid) kernel[gid] = gid;
    for (std::size_t gid : parts) kernel[gid] = parts.front();
    std::vector<std::set<std::size_t>> out(groups_.size());
    std::vector<std::size_t> in(groups_.size(), 0);
    for (const TensorEdge& e : ix_.edges) {
      const std::size_t a = kernel[group_of_[e.from]], b = kernel[group_of_[e.to]];
      if (a != b && out[a].insert(b).second) ++in[b];
    }
    std::vector<std::size_t> ready;
    std::size_t live = 0, done = 0;
    for (std::size_t gid = 0; gid < groups_.size(); ++gid) {
      if (kernel[gid] != gid || groups_[gid].members.empty()) continue;
      ++live;
      if (in[gid] == 0) ready.push_back(gid);
    }
    while (!ready.empty()) {
      const std::size_t k = ready.back();
      ready.pop_back();
      ++done;
      for (std::size_t b : out[k]) {
        if (--in[b] == 0) ready.push_back(b);
      }
    }
    return done == live;
  }

  /// Scores -> softmax -> P x V, each the only consumer of the one before, with matching shapes.
  void group_attention() {
    for (OpId s : order_) {
      const OpNode& scores = g_.op(s);
      const auto* gs = std::get_if<GemmShape>(&scores.shape);
      if (!gs || scores.kind != OpKind::kGemm || !gs->b_is_activation || ix_.succs[s].size() != 1) continue;
      const OpId x = ix_.succs[s].front();
      const OpNode& softmax = g_.op(x);
      if (softmax.kind != OpKind::kSoftmax || ix_.preds[x].size() != 1 || ix_.succs[x].size() != 1) continue;
      const OpId p = ix_.succs[x].front();
      const OpNode& pv = g_.op(p);
      const auto* gp = std::get_if<GemmShape>(&pv.shape);
      if (!gp || pv.kind != OpKind::kGemm || !gp->b_is_activation || gp->batch != gs->batch || gp->m != gs->m ||
          gp->k != gs->n || gp->n != gs->k || gp->b_shared != gs->b_shared || pv.stage != scores.stage ||
          softmax.stage != scores.stage || group_of_[s] != kNoGroup) {
        continue;
      }
      std::vector<OpId> outside;
      for (OpId y : ix_.preds[p]) {
        if (y != x) outside.push_back(y);
      }
      if (!acyclic_with(s, outside)) continue;
      new_group({s, x, p}, true);
    }
  }

  /// Weight GEMMs of one module reading the same producers with the same M, K, batch and formats.
  void merge_projections() {
    using Key = std::tuple<std::string, std::vector<OpId>, std::int64_t, std::int64_t, std::int64_t, DataType,
                           std::optional<DataType>, WeightFormat, std::int32_t>;
    std::map<Key, std::vector<OpId>> alike;
    std::vector<Key> keys_in_order;
    for (OpId id : order_) {
      const OpNode& op = g_.op(id);
      const auto* gm = std::get_if<GemmShape>(&op.shape);
      if (!gm || op.kind != OpKind::kGemm || gm->b_is_activation || ix_.preds[id].empty() || group_of_[id] != kNoGroup) continue;
      // Siblings of one module only: two experts that happen to get as many tokens read different rows.
      Key k{module_of(op.name), ix_.preds[id], gm->batch, gm->m, gm->k, op.dtype, op.weight_dtype, op.weight_format, op.stage};
      auto [it, fresh] = alike.try_emplace(k);
      if (fresh) keys_in_order.push_back(k);
      it->second.push_back(id);
    }
    for (const Key& k : keys_in_order) {
      const auto& ids = alike.at(k);
      if (ids.size() > 1) new_group(ids);
    }
  }

  /// Each element-wise op (and norm or softmax, into an element-wise chain) joins the kernel of one
  /// of its producers: a GEMM's kernel first, else a vector chain, the latest such producer first.
  void join_elementwise() {
    for (OpId x : order_) {
      const OpNode& op = g_.op(x);
      if (group_of_[x] != kNoGroup || !(elementwise(op) || row_reduction(op))) continue;
      const auto* v = std::get_if<VectorShape>(&op.shape);
      if (!v || v->input_elements != 0) continue;
      std::vector<std::pair<int, OpId>> candidates;  // (preference, producer)
      for (OpId p : ix_.preds[x]) {
        const OpNode& prod = g_.op(p);
        if (is_collective(prod) || prod.stage != op.stage) continue;
        const std::size_t gid = group_of_[p];
        const OpNode& anchor = g_.op(gid == kNoGroup ? p : groups_[gid].members.front());
        if (gid != kNoGroup && groups_[gid].attention) continue;
        if (is_matrix(anchor)) {
          if (elementwise(op)) candidates.emplace_back(0, p);
        } else if (std::holds_alternative<VectorShape>(anchor.shape) && anchor.kind != OpKind::kPool) {
          candidates.emplace_back(1, p);
        }
      }
      std::sort(candidates.begin(), candidates.end(),
                [&](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : pos_[a.second] > pos_[b.second]; });
      for (const auto& [preference, p] : candidates) {
        std::size_t gid = group_of_[p];
        // The kernels of x's other inputs must end before this kernel begins (in topological
        // order): then every edge a join adds runs from an earlier kernel to a later one, and two
        // kernels can never wait for each other, however they grow.
        const std::size_t begin = gid == kNoGroup ? pos_[p] : span(gid).first;
        bool before = true;
        for (OpId y : ix_.preds[x]) {
          if (y == p || (gid != kNoGroup && group_of_[y] == gid)) continue;
          before = before && (group_of_[y] == kNoGroup ? pos_[y] : span(group_of_[y]).second) < begin;
        }
        if (!before) continue;
        if (gid == kNoGroup) gid = new_group({p});
        groups_[gid].members.push_back(x);
        group_of_[x] = gid;
        break;
      }
    }
  }

  /// GEMM kernels of sibling modules (the experts of an MoE layer: "L0.expert3", "L0.expert9") with
  /// the same N and K per module, the same formats, and the same producer kernels become one grouped
  /// GEMM: one launch whose tiles cover every expert's rows with that expert's weights.
  bool group_experts() {
    bool changed = false;
    using Key = std::tuple<std::string, std::int64_t, std::int64_t, DataType, std::optional<DataType>, WeightFormat,
                           std::int32_t, std::vector<std::size_t>>;
    std::map<Key, std::vector<std::size_t>> alike;
    std::vector<Key> keys_in_order;
    for (std::size_t gid = 0; gid < groups_.size(); ++gid) {
      const Group& grp = groups_[gid];
      if (grp.attention || grp.experts || grp.members.empty()) continue;
      const std::vector<OpId> mats = matrix_members(ix_, grp);
      if (mats.empty()) continue;
      const OpNode& a = g_.op(mats.front());
      const auto* gm = std::get_if<GemmShape>(&a.shape);
      const std::string module = module_of(a.name);
      // Experts are modules inside a layer ("L0.expert3"): top-level modules are no MoE.
      if (!gm || a.kind != OpKind::kGemm || gm->b_is_activation || gm->batch != 1 || module_of(module).empty()) continue;
      std::int64_t n = 0;
      std::set<std::size_t> from;
      for (OpId m : mats) {
        n += std::get<GemmShape>(g_.op(m).shape).n;
        for (OpId p : ix_.preds[m]) from.insert(group_of_[p]);
      }
      Key k{module_of(module), n, gm->k, a.dtype, a.weight_dtype, a.weight_format, a.stage, {from.begin(), from.end()}};
      auto [it, fresh] = alike.try_emplace(k);
      if (fresh) keys_in_order.push_back(k);
      it->second.push_back(gid);
    }
    for (const Key& k : keys_in_order) {
      const auto& parts = alike.at(k);
      if (parts.size() < 2) continue;
      std::vector<OpId> mats, rest;
      for (std::size_t gid : parts) {
        const std::vector<OpId> own = matrix_members(ix_, groups_[gid]);
        mats.insert(mats.end(), own.begin(), own.end());
        rest.insert(rest.end(), groups_[gid].members.begin() + static_cast<std::ptrdiff_t>(own.size()), groups_[gid].members.end());
      }
      if (!acyclic_if_merged(parts)) continue;
      auto by_pos = [&](OpId x, OpId y) { return pos_[x] < pos_[y]; };
      std::sort(mats.begin(), mats.end(), by_pos);
      std::sort(rest.begin(), rest.end(), by_pos);
      for (std::size_t gid : parts) groups_[gid].members.clear();  // emptied groups are dropped in build()
      mats.insert(mats.end(), rest.begin(), rest.end());
      const std::size_t gid = new_group(std::move(mats));
      groups_[gid].experts = true;
      changed = true;
    }
    return changed;
  }

  OpGraph build() {
    std::vector<std::size_t> group_order(groups_.size());
    for (std::size_t i = 0; i < groups_.size(); ++i) group_order[i] = i;
    // Groups merged into a grouped GEMM were emptied: they form no kernel.
    group_order.erase(std::remove_if(group_order.begin(), group_order.end(), [&](std::size_t gid) { return groups_[gid].members.empty(); }),
                      group_order.end());
    std::sort(group_order.begin(), group_order.end(),
              [&](std::size_t a, std::size_t b) { return pos_[groups_[a].members.front()] < pos_[groups_[b].members.front()]; });
    OpGraph out(g_.name());
    out.set_items(g_.items(), g_.item_unit());
    out.set_compression(g_.compression());
    out.set_fusion(policy_);
    std::vector<OpId> new_id(groups_.size());
    // Names built from members can meet (two grouped GEMMs of one layer running the same parts, an
    // op whose own name looks like a kernel's): later ones get a number.
    std::set<std::string> names;
    for (std::size_t gid : group_order) {
      OpNode k = make_kernel(ix_, groups_[gid]);
      const std::string base = k.name;
      for (int copy = 2; !names.insert(k.name).second; ++copy) k.name = base + "#" + std::to_string(copy);
      new_id[gid] = out.add_op(std::move(k));
    }
    std::set<std::tuple<OpId, OpId, OpId>> added;  // (kernel from, kernel to, producing op)
    for (const TensorEdge& e : ix_.edges) {
      const std::size_t gf = group_of_[e.from], gt = group_of_[e.to];
      if (gf == gt || !added.emplace(new_id[gf], new_id[gt], e.from).second) continue;
      out.add_tensor(new_id[gf], new_id[gt], e.bytes, e.name);
    }
    return out;
  }

  const OpGraph& g_;
  GraphIndex ix_;
  FusionPolicy policy_;
  std::vector<OpId> order_;
  std::vector<std::size_t> pos_;
  std::vector<std::size_t> group_of_;
  std::vector<Group> groups_;
  std::vector<std::uint32_t> seen_;
  std::uint32_t stamp_ = 0;
};

}  // namespace

OpGraph fuse(const OpGraph& graph, FusionPolicy policy) {
  if (policy == FusionPolicy::kNone) return graph;
  return Fuser(graph, policy).run();
}

std::optional<FusionPolicy> take_fusion_setting(const ConfigNode* root, std::vector<std::string>& overrides) {
  auto parse = [](const std::string& text, const SourceMark& where, const std::string& what) {
    const auto p = parse_fusion_policy(text);
    if (!p) {
      throw ConfigError(where, what + " must be one of " + std::string(kFusionPolicyNames) + ", got '" + text + "'" +
                                   did_you_mean(text, {"none", "epilogue", "full"}));
    }
    return *p;
  };
  std::optional<FusionPolicy> policy;
  if (const ConfigNode* f = root && root->is_map() ? root->find("fusion") : nullptr) {
    if (!f->is_scalar()) throw ConfigError(f->mark(), "'fusion' must be one of " + std::string(kFusionPolicyNames));
    policy = parse(f->value(), f->mark(), "'fusion'");
  }
  std::vector<std::string> rest;
  for (const std::string& o : overrides) {
    if (o.rfind("fusion=", 0) != 0) {
      rest.push_back(o);
      continue;
    }
    policy = parse(o.substr(7), SourceMark{"--wset " + o, 0, 0}, "fusion");
  }
  overrides = std::move(rest);
  return policy;
}

}  // namespace xpusim::wl
