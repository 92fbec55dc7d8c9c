// SPDX-License-Identifier: MIT
#include "workloads/describe.h"

#include <cstdio>
#include <map>
#include <set>

#include "sim/unit_parse.h"

namespace xpusim::wl {
namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

std::string format_flops(Flops f) {
  const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  double v = f.count();
  int i = 0;
  while (v >= 1000 && i < 6) {
    v /= 1000;
    ++i;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g %sFLOP", v, prefixes[i]);
  return buf;
}

std::string shape_string(const OpNode& op) {
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) {
    std::string s = "gemm ";
    if (g->batch != 1) s += num(g->batch) + "x";
    s += "[" + num(g->m) + "x" + num(g->k) + "]x[" + num(g->k) + "x" + num(g->n) + "]";
    if (g->b_is_activation) s += " (B act)";
    if (g->weight_sets > 1) s += " over " + num(g->weight_sets) + " experts";
    return s;
  }
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) {
    return "conv " + num(c->batch) + "x" + num(c->in_h) + "x" + num(c->in_w) + "x" + num(c->in_c) + " k" + num(c->kernel_h) +
           "x" + num(c->kernel_w) + "/" + num(c->stride) + " p" + num(c->pad) + " -> " + num(c->out_h()) + "x" +
           num(c->out_w()) + "x" + num(c->out_c);
  }
  if (const auto* c = std::get_if<CollectiveShape>(&op.shape)) {
    std::string s = std::string(to_string(op.kind)) + " " + num(c->bytes) + " B over " + num(c->group);
    if (op.kind == OpKind::kSendRecv) s += " to stage " + num(c->peer_stage);
    return s;
  }
  if (const auto* a = std::get_if<AttentionShape>(&op.shape)) {
    return "attention " + num(a->batch) + "x[" + num(a->m) + " q] over " + num(a->ctx) + " kv, d" + num(a->head_dim);
  }
  const auto& v = std::get<VectorShape>(op.shape);
  std::string s = "vec " + num(v.elements);
  if (v.inputs != 1) s += " x" + num(v.inputs);
  if (v.input_elements) s += " from " + num(v.input_elements);
  return s;
}

std::int64_t weight_elements(const OpNode& op) {
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) return g->b_is_activation ? 0 : g->k * g->n * g->weight_sets;
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) return c->kernel_h * c->kernel_w * c->in_c * c->out_c;
  return 0;
}

std::vector<StageSummary> stage_summaries(const OpGraph& g) {
  std::vector<StageSummary> out;
  std::map<std::string, std::size_t> index;     // stage -> position in out
  std::map<std::string, std::string> first_run;  // stage -> the run whose weights are counted
  std::set<std::string> runs;
  for (OpId id : g.topo_order()) {
    const OpNode& op = g.op(id);
    const std::size_t slash = op.name.find('/');
    if (slash == std::string::npos) continue;
    const std::string run = op.name.substr(0, slash);
    const std::string stage = run.substr(0, run.find(':'));
    auto [it, fresh] = index.emplace(stage, out.size());
    if (fresh) {
      out.push_back(StageSummary{stage, 0, 0, 0, Flops(0), Bytes(0)});
      first_run[stage] = run;
    }
    StageSummary& s = out[it->second];
    if (runs.insert(run).second) ++s.runs;
    ++s.ops;
    if (run == first_run[stage]) s.parameters += weight_elements(op);
    s.flops = Flops(s.flops.count() + flops(op).count());
    s.compulsory_bytes += compulsory_bytes(op);
  }
  return out;
}

std::int64_t matrix_parameters(const OpGraph& g) {
  std::int64_t p = 0;
  const std::vector<StageSummary> stages = stage_summaries(g);
  for (const auto& s : stages) p += s.parameters;
  for (OpId id = 0; id < g.size(); ++id) {
    if (g.op(id).name.find('/') == std::string::npos) p += weight_elements(g.op(id));
  }
  return p;
}

GraphSummary describe(const OpGraph& g) {
  GraphSummary s;
  s.name = g.name();
  s.items = g.items();
  s.item_unit = g.item_unit();
  s.compression = g.compression();
  s.ops = g.size();
  s.tensors = g.tensors().size();
  for (OpId id : g.topo_order()) {
    const OpNode& op = g.op(id);
    OpRow r{op.name, std::string(to_string(op.kind)), shape_string(op), flops(op), compulsory_bytes(op)};
    s.weight_bytes += weight_bytes(op);
    s.flops = Flops(s.flops.count() + r.flops.count());
    s.compulsory_bytes += r.bytes;
    s.rows.push_back(std::move(r));
  }
  return s;
}

std::string format_summary(const GraphSummary& s, std::size_t max_rows) {
  std::string out = s.name + ": " + std::to_string(s.ops) + " ops, " + std::to_string(s.tensors) + " tensors\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "  items per run:     %.0f %s\n", s.items, s.item_unit.c_str());
  out += buf;
  if (!s.compression.empty()) out += "  compression:       " + s.compression + "\n";
  out += "  weights read:      " + format(s.weight_bytes) + "\n";
  out += "  work:              " + format_flops(s.flops) + "\n";
  out += "  compulsory bytes:  " + format(s.compulsory_bytes) + "\n";
  if (s.items > 0) {
    out += "  work per item:     " + format_flops(Flops(s.flops.count() / s.items)) + "\n";
  }
  std::snprintf(buf, sizeof buf, "\n  %-32s %-11s %-44s %14s %12s\n", "op", "kind", "shape", "flops", "bytes");
  out += buf;
  std::size_t shown = 0;
  for (const auto& r : s.rows) {
    if (max_rows && shown == max_rows) {
      out += "  ... " + std::to_string(s.rows.size() - shown) + " more ops\n";
      break;
    }
    std::snprintf(buf, sizeof buf, "  %-32s %-11s %-44s %14s %12s\n", r.name.c_str(), r.kind.c_str(), r.shape.c_str(),
                  format_flops(r.flops).c_str(), format(r.bytes).c_str());
    out += buf;
    ++shown;
  }
  return out;
}

}  // namespace xpusim::wl
