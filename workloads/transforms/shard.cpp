// SPDX-License-Identifier: MIT
// Tensor, expert and pipeline parallelism over the transformer builder's graph. Op roles come from the
// builder's documented op names ("L<l>.q_proj", "L<l>.expert<e>.down_proj", "lm_head", ...).
#include "workloads/transforms/shard.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace xpusim::wl {
namespace {

enum class Role { kReplicated, kColumn, kRow, kHeads, kPerHead, kLmHead };

/// The op's name after the layer and expert prefixes: "L3.expert1.up_proj" -> "up_proj".
std::string local_name(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::int64_t layer_of(const std::string& name) {
  if (name.size() < 2 || name[0] != 'L') return -1;
  return std::stoll(name.substr(1, name.find('.') - 1));
}

/// -1 for ops outside an expert, else the expert index.
std::int64_t expert_of(const std::string& name) {
  const auto at = name.find(".expert");
  if (at == std::string::npos) return -1;
  return std::stoll(name.substr(at + 7, name.find('.', at + 1) - at - 7));
}

Role role_of(const OpNode& op) {
  const std::string n = local_name(op.name);
  if (n == "q_proj" || n == "k_proj" || n == "v_proj" || n == "gate_proj" || n == "up_proj" || n == "fc_in") return Role::kColumn;
  if (n == "o_proj" || n == "down_proj" || n == "fc_out") return Role::kRow;
  if (n == "scores" || n == "pv") return Role::kHeads;
  if (n == "rotary" || n == "kv_write" || n == "act_mul" || n == "gelu") return Role::kPerHead;
  if (n == "softmax" && op.kind == OpKind::kSoftmax && layer_of(op.name) >= 0) return Role::kPerHead;
  if (op.name == "lm_head") return Role::kLmHead;
  return Role::kReplicated;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

OpNode collective(const std::string& name, OpKind kind, const OpNode& like, std::int64_t bytes, std::int64_t group) {
  OpNode c;
  c.name = name;
  c.kind = kind;
  c.dtype = like.dtype;
  c.shape = CollectiveShape{bytes, group, 0};
  c.stage = like.stage;
  return c;
}

class Sharder {
 public:
  Sharder(const OpGraph& in, const TransformerConfig& m, const ShardPlan& p) : in_(in), m_(m), p_(p), out_(in.name()) {}

  OpGraph run() {
    pick_expert_ranks();
    const std::size_t n = in_.size();
    first_.assign(n, kNone);
    last_.assign(n, kNone);
    for (OpId id : in_.topo_order()) place(id);
    for (const TensorEdge& e : in_.tensors()) {
      if (first_[e.from] == kNone || first_[e.to] == kNone) continue;  // an expert held by another chip
      OpId from = last_[e.from], to = first_[e.to];
      if (redirect_.count(to) && is_expert_input(e.from)) from = redirect_.at(to);
      out_.add_tensor(from, to, e.bytes, e.name);
    }
    out_.set_items(in_.items(), in_.item_unit());
    out_.set_fusion(in_.fusion());
    return std::move(out_);
  }

 private:
  static constexpr OpId kNone = static_cast<OpId>(-1);

  bool ep() const { return p_.ep > 1 && m_.is_moe(); }
  bool is_expert_input(OpId id) const {
    const std::string n = local_name(in_.op(id).name);
    return n == "route" || n == "mlp_norm" || n == "attn_norm";
  }

  void pick_expert_ranks() {
    if (!ep()) return;
    // Per layer, the ep rank whose experts got the most tokens: the all-to-all waits for it.
    std::map<std::int64_t, std::vector<std::int64_t>> load;
    for (OpId id = 0; id < in_.size(); ++id) {
      const OpNode& op = in_.op(id);
      const std::int64_t e = expert_of(op.name);
      const std::string n = local_name(op.name);
      if (e < 0 || (n != "up_proj" && n != "fc_in")) continue;
      auto& l = load[layer_of(op.name)];
      l.resize(static_cast<std::size_t>(p_.ep), 0);
      l[static_cast<std::size_t>(e % p_.ep)] += std::get<GemmShape>(op.shape).m;
    }
    for (const auto& [layer, l] : load) rank_[layer] = std::max_element(l.begin(), l.end()) - l.begin();
  }

  std::int32_t stage_of(const OpNode& op) const {
    const std::int64_t l = layer_of(op.name);
    if (l >= 0) return static_cast<std::int32_t>(l * p_.pp / m_.layers);
    return op.name == "embed" ? 0 : static_cast<std::int32_t>(p_.pp - 1);
  }

  OpId add(OpNode op) { return out_.add_op(std::move(op)); }

  void place(OpId id) {
    OpNode op = in_.op(id);
    op.stage = stage_of(op);
    const std::int64_t expert = expert_of(op.name), layer = layer_of(op.name);
    if (ep() && expert >= 0 && expert % p_.ep != rank_.at(layer)) return;  // lives on another chip
    // Under EP an expert is whole on its chip; otherwise its matrices split like a dense MLP's.
    const std::int64_t t = (ep() && expert >= 0) ? 1 : p_.tp;
    const Role role = role_of(op);
    if (auto* g = std::get_if<GemmShape>(&op.shape)) {
      if (role == Role::kColumn) g->n = ceil_div(g->n, t);
      if (role == Role::kRow) g->k = ceil_div(g->k, t);
      if (role == Role::kHeads) g->batch /= p_.tp;
      if (role == Role::kLmHead) g->n = ceil_div(g->n, p_.tp);
    } else if (auto* v = std::get_if<VectorShape>(&op.shape); v && role == Role::kPerHead) {
      const std::int64_t div = (local_name(op.name) == "act_mul" || local_name(op.name) == "gelu") ? t : p_.tp;
      v->elements = ceil_div(v->elements, div);
      if (v->input_elements) v->input_elements = ceil_div(v->input_elements, div);
    }
    const std::string n = local_name(op.name);
    const OpNode proto = op;
    const OpId self = add(std::move(op));
    first_[id] = last_[id] = self;
    auto after = [&](OpKind kind, const std::string& suffix, std::int64_t bytes, std::int64_t group) {
      const OpId c = add(collective(proto.name + suffix, kind, proto, bytes, group));
      out_.add_tensor(last_[id], c, Bytes(bytes), suffix.substr(1));
      last_[id] = c;
    };
    const std::int64_t out_bytes = output_bytes(in_.op(id)).count();
    if (p_.tp > 1 && role == Role::kRow && expert < 0) after(OpKind::kAllReduce, ".allreduce", out_bytes, p_.tp);
    if (p_.tp > 1 && role == Role::kLmHead) after(OpKind::kAllGather, ".allgather", out_bytes, p_.tp);
    if (n == "route" && m_.is_moe()) {
      const std::int64_t tokens = std::get<VectorShape>(proto.shape).elements / m_.experts;
      const std::int64_t h_bytes = storage(proto.dtype, m_.hidden).count();
      if (ep()) {
        // Each chip dispatches its 1/ep share of the tokens, k copies each, to the experts' chips.
        const OpId a2a = add(collective(prefix(proto.name) + "dispatch", OpKind::kAllToAll, proto,
                                        ceil_div(tokens, p_.ep) * m_.experts_per_token * h_bytes, p_.ep));
        out_.add_tensor(self, a2a, Bytes(0), "routing");
        pending_dispatch_[layer] = a2a;
      }
      moe_bytes_[layer] = tokens * h_bytes;
    }
    if (n == "moe_combine") {
      if (ep()) {
        // The combine waits for the expert outputs to come back, and replicates the result for attention.
        const std::int64_t tokens = moe_bytes_.at(layer) / storage(proto.dtype, m_.hidden).count();
        const OpId back = add(collective(prefix(proto.name) + "combine_a2a", OpKind::kAllToAll, proto,
                                         ceil_div(tokens, p_.ep) * m_.experts_per_token * storage(proto.dtype, m_.hidden).count(), p_.ep));
        for (OpId e = 0; e < in_.size(); ++e) {
          if (expert_of(in_.op(e).name) >= 0 && layer_of(in_.op(e).name) == layer && local_name(in_.op(e).name) != "act_mul" &&
              (local_name(in_.op(e).name) == "down_proj" || local_name(in_.op(e).name) == "fc_out") && last_[e] != kNone) {
            out_.add_tensor(last_[e], back, Bytes(0), "expert_out");
          }
        }
        out_.add_tensor(back, self, Bytes(0), "returned");
        after(OpKind::kAllGather, ".allgather", moe_bytes_.at(layer), p_.ep);
      } else if (p_.tp > 1) {
        after(OpKind::kAllReduce, ".allreduce", moe_bytes_.at(layer), p_.tp);
      }
    }
    if (ep() && expert >= 0 && (n == "gate_proj" || n == "up_proj" || n == "fc_in")) redirect_[self] = pending_dispatch_.at(layer);
  }

  static std::string prefix(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? "" : name.substr(0, dot + 1);
  }

  const OpGraph& in_;
  const TransformerConfig& m_;
  ShardPlan p_;
  OpGraph out_;
  std::vector<OpId> first_, last_;  // input op -> its first and last op in the output
  std::map<std::int64_t, std::int64_t> rank_;       // layer -> representative ep rank
  std::map<std::int64_t, OpId> pending_dispatch_;   // layer -> its dispatch all-to-all
  std::map<std::int64_t, std::int64_t> moe_bytes_;  // layer -> bytes of its tokens' hidden states
  std::map<OpId, OpId> redirect_;                   // expert input op -> the dispatch feeding it
};

/// Inserts a send/recv wherever a tensor crosses from one stage to a later one; returns the new graph.
OpGraph add_stage_transfers(const OpGraph& g, std::int64_t tp) {
  OpGraph out(g.name());
  for (OpId id = 0; id < g.size(); ++id) out.add_op(g.op(id));
  std::map<std::pair<OpId, std::int32_t>, OpId> sends;
  for (const TensorEdge& e : g.tensors()) {
    const OpNode& from = g.op(e.from);
    const OpNode& to = g.op(e.to);
    if (from.stage == to.stage) {
      out.add_tensor(e.from, e.to, e.bytes, e.name);
      continue;
    }
    auto key = std::make_pair(e.from, to.stage);
    if (!sends.count(key)) {
      OpNode s = collective(from.name + ".send" + std::to_string(to.stage), OpKind::kSendRecv, from, e.bytes.count(), tp);
      std::get<CollectiveShape>(s.shape).peer_stage = to.stage;
      sends[key] = out.add_op(std::move(s));
      out.add_tensor(e.from, sends[key], e.bytes, e.name);
    }
    out.add_tensor(sends[key], e.to, e.bytes, e.name);
  }
  out.set_items(g.items(), g.item_unit());
  out.set_fusion(g.fusion());
  return out;
}

/// `copies` micro-batches of `g`; on each stage, micro-batch i+1 enters after micro-batch i's last op there.
OpGraph replicate_microbatches(const OpGraph& g, std::int64_t copies, std::int64_t stages) {
  if (copies == 1) return g;
  OpGraph out(g.name());
  const auto order = g.topo_order();
  std::vector<OpId> prev_last(static_cast<std::size_t>(stages), static_cast<OpId>(-1));
  for (std::int64_t m = 0; m < copies; ++m) {
    const OpId base = out.size();
    for (OpId id = 0; id < g.size(); ++id) {
      OpNode op = g.op(id);
      op.name = "mb" + std::to_string(m) + "/" + op.name;
      out.add_op(std::move(op));
    }
    for (const TensorEdge& e : g.tensors()) out.add_tensor(base + e.from, base + e.to, e.bytes, e.name);
    std::vector<OpId> last(static_cast<std::size_t>(stages), static_cast<OpId>(-1));
    for (OpId id : order) {
      const auto s = static_cast<std::size_t>(g.op(id).stage);
      bool entry = true;
      for (OpId p : g.predecessors(id)) entry = entry && g.op(p).stage != g.op(id).stage;
      if (entry && prev_last[s] != static_cast<OpId>(-1)) out.add_tensor(prev_last[s], base + id, Bytes(0), "pipeline_order");
      if (!is_collective(g.op(id)) || g.op(id).kind != OpKind::kSendRecv) last[s] = base + id;
    }
    prev_last = last;
  }
  out.set_items(g.items() * static_cast<double>(copies), g.item_unit());
  out.set_fusion(g.fusion());
  return out;
}

}  // namespace

void check_shard(const TransformerConfig& m, const ShardPlan& p, std::int64_t batch) {
  const SourceMark where{m.name, 0, 0};
  Diagnostics diag;
  auto s = [](std::int64_t v) { return std::to_string(v); };
  if (p.tp < 1 || p.pp < 1 || p.ep < 1 || p.microbatches < 1) diag.error(where, "tp, pp, ep and microbatches must be at least 1");
  if (p.tp > 1 && m.heads % p.tp != 0) diag.error(where, "tp=" + s(p.tp) + " does not divide the " + s(m.heads) + " attention heads of " + m.name);
  if (p.tp > 1 && m.kv_heads % p.tp != 0) {
    diag.error(where, "tp=" + s(p.tp) + " does not divide the " + s(m.kv_heads) + " KV heads of " + m.name + " (each chip must hold whole KV heads)");
  }
  if (p.pp > m.layers) diag.error(where, "pp=" + s(p.pp) + " exceeds the " + s(m.layers) + " layers of " + m.name + ": every stage needs a layer");
  if (p.ep > 1 && !m.is_moe()) diag.error(where, "ep=" + s(p.ep) + " but " + m.name + " has no experts");
  if (p.ep > 1 && m.is_moe() && p.ep != p.tp) diag.error(where, "ep=" + s(p.ep) + " must equal tp=" + s(p.tp) + " (experts are spread over a stage's tensor-parallel chips)");
  if (p.ep > 1 && m.is_moe() && m.experts % p.ep != 0) diag.error(where, "ep=" + s(p.ep) + " does not divide the " + s(m.experts) + " experts of " + m.name);
  if (batch % p.microbatches != 0) diag.error(where, s(p.microbatches) + " micro-batches do not divide the batch of " + s(batch));
  diag.throw_if_any();
}

OpGraph shard_transformer(const OpGraph& micro, const TransformerConfig& model, const ShardPlan& plan) {
  OpGraph g = Sharder(micro, model, plan).run();
  if (plan.pp > 1) g = add_stage_transfers(g, plan.tp);
  g = replicate_microbatches(g, plan.microbatches, plan.pp);
  g.validate();
  return g;
}

}  // namespace xpusim::wl
