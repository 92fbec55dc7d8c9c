// SPDX-License-Identifier: MIT
// JSON trace reader (on ConfigNode, which yaml-cpp fills from JSON with file:line marks) and writer.
// The reader checks everything a user can get wrong and reports all of it at once.
#include "workloads/importers/trace_json.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "sim/json_text.h"
#include "workloads/importers/trace_fields.h"

namespace xpusim::wl {
namespace {

using trace_detail::contains;
using trace_detail::Fields;
using trace_detail::join;

const std::vector<std::string> kTopKeys{"xpusim_trace", "name", "items", "item_unit", "compression", "ops", "tensors"};
const std::vector<std::string> kOpKeys{"name", "kind", "dtype", "weight_dtype", "kv_dtype", "weight_format", "shape",
                                       "ops_per_element", "special_per_element"};
const std::vector<std::string> kFormatKeys{"sparsity", "density", "seed", "codec_ratio"};
const std::vector<std::string> kTensorKeys{"from", "to", "bytes", "name"};
const std::vector<std::string> kGemmKeys{"batch", "m", "n", "k", "b_is_activation"};
const std::vector<std::string> kConvKeys{"batch",    "in_h",     "in_w",   "in_c", "out_c",
                                         "kernel_h", "kernel_w", "stride", "pad",  "ceil_mode"};
const std::vector<std::string> kVectorKeys{"elements", "inputs", "input_elements"};
constexpr OpKind kAllKinds[] = {OpKind::kGemm,      OpKind::kConv2d,  OpKind::kElementwise, OpKind::kSoftmax,
                                OpKind::kLayerNorm, OpKind::kRmsNorm, OpKind::kPool};

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (OpKind k : kAllKinds) out.emplace_back(to_string(k));
  return out;
}

/// The shape of an op of `kind`; keys of another kind's shape are reported as a shape mismatch.
std::optional<OpShape> read_shape(const ConfigNode& s, OpKind kind, const std::string& who, Diagnostics& diag) {
  const std::string kname(to_string(kind));
  if (!s.is_map()) {
    diag.error(s.mark(), who + ": 'shape' expects a map, got " + std::string(s.kind_name()));
    return std::nullopt;
  }
  const std::vector<std::string>& own = kind == OpKind::kGemm ? kGemmKeys : kind == OpKind::kConv2d ? kConvKeys : kVectorKeys;
  bool mismatch = false;
  for (const auto& e : s.entries()) {
    if (contains(own, e.key)) continue;
    const char* other = contains(kGemmKeys, e.key) ? "gemm" : contains(kConvKeys, e.key) ? "conv2d"
                        : contains(kVectorKeys, e.key) ? "vector (elementwise, softmax, norm, pool)" : nullptr;
    if (other) {
      diag.error(e.key_mark, who + ": shape mismatch: '" + e.key + "' belongs to a " + other + " shape, but the op is " +
                                 kname + " (its shape takes " + join(own) + ")");
    } else {
      diag.error(e.key_mark, who + ": unknown shape field '" + e.key + "'" + did_you_mean(e.key, own) + " (a " + kname +
                                 " shape takes " + join(own) + ")");
    }
    mismatch = true;
  }
  Fields f(s, who + " shape", diag);
  if (kind == OpKind::kGemm) {
    auto b = f.integer("batch", false, 1, 1), m = f.integer("m", true, 0, 1), n = f.integer("n", true, 0, 1),
         k = f.integer("k", true, 0, 1);
    bool act = f.boolean("b_is_activation");
    if (!b || !m || !n || !k || mismatch) return std::nullopt;
    return GemmShape{*b, *m, *n, *k, act};
  }
  if (kind == OpKind::kConv2d) {
    auto b = f.integer("batch", false, 1, 1), ih = f.integer("in_h", true, 0, 1), iw = f.integer("in_w", true, 0, 1),
         ic = f.integer("in_c", true, 0, 1), oc = f.integer("out_c", true, 0, 1),
         kh = f.integer("kernel_h", true, 0, 1), kw = f.integer("kernel_w", true, 0, 1),
         st = f.integer("stride", false, 1, 1), pad = f.integer("pad", false, 0, 0);
    bool ceil = f.boolean("ceil_mode");
    if (!b || !ih || !iw || !ic || !oc || !kh || !kw || !st || !pad || mismatch) return std::nullopt;
    ConvShape c{*b, *ih, *iw, *ic, *oc, *kh, *kw, *st, *pad, ceil};
    if (c.out_h() <= 0 || c.out_w() <= 0) {
      diag.error(s.mark(), who + ": shape mismatch: the " + std::to_string(*kh) + "x" + std::to_string(*kw) +
                               " filter is larger than the padded " + std::to_string(*ih) + "x" + std::to_string(*iw) + " input");
      return std::nullopt;
    }
    return c;
  }
  auto el = f.integer("elements", true, 0, 1), in = f.integer("inputs", false, 1, 1),
       ie = f.integer("input_elements", false, 0, 0);
  if (!el || !in || !ie || mismatch) return std::nullopt;
  return VectorShape{*el, *in, *ie};
}

/// An op's `weight_format` object: sparsity (none, 2:4, unstructured), density (0.5 for 2:4, required in
/// (0, 1] for unstructured), seed, codec_ratio (>= 1). Each is optional; together they must agree.
std::optional<WeightFormat> read_weight_format(const ConfigNode& node, const std::string& who, Diagnostics& diag) {
  if (!node.is_map()) {
    diag.error(node.mark(), who + ": 'weight_format' expects a map, got " + std::string(node.kind_name()));
    return std::nullopt;
  }
  const std::string me = who + " weight_format";
  Fields f(node, me, diag);
  f.reject_unknown(kFormatKeys);
  auto text = f.text("sparsity", false);
  WeightFormat w;
  if (text) {
    std::optional<Sparsity> sp = parse_sparsity(*text);
    if (!sp) {
      diag.error(node.find("sparsity")->mark(), me + ": unknown sparsity '" + *text + "' (none, 2:4 or unstructured)");
      return std::nullopt;
    }
    w.sparsity = *sp;
  }
  const double implied = w.sparsity == Sparsity::kTwoFour ? 0.5 : 1.0;
  auto density = f.real("density", w.sparsity == Sparsity::kUnstructured, implied);
  auto seed = f.unsigned_integer("seed", 0);
  auto codec = f.real("codec_ratio", false, 1.0);
  if (!density || !seed || !codec) return std::nullopt;
  const bool density_ok = w.sparsity == Sparsity::kUnstructured ? *density <= 1 : *density == implied;
  if (!density_ok) {
    diag.error(node.find("density")->mark(), me + ": 'density' must be " +
                                                 (w.sparsity == Sparsity::kUnstructured ? std::string("in (0, 1]") : "0.5 for 2:4 and 1 for none"));
    return std::nullopt;
  }
  if (*codec < 1) {
    diag.error(node.find("codec_ratio")->mark(), me + ": 'codec_ratio' must be at least 1");
    return std::nullopt;
  }
  w.density = *density;
  w.seed = *seed;
  w.codec_ratio = *codec;
  return w;
}

std::optional<OpNode> read_op(const ConfigNode& o, std::size_t index, Diagnostics& diag) {
  std::string who = "ops[" + std::to_string(index) + "]";
  if (!o.is_map()) {
    diag.error(o.mark(), who + ": expects a map with name, kind, dtype and shape, got " + std::string(o.kind_name()));
    return std::nullopt;
  }
  if (const ConfigNode* n = o.find("name"); n && n->is_scalar()) who = "op '" + n->value() + "' (" + who + ")";
  Fields f(o, who, diag);
  f.reject_unknown(kOpKeys);
  auto name = f.text("name", true), kind_text = f.text("kind", true), dtype_text = f.text("dtype", true),
       wdtype_text = f.text("weight_dtype", false), kvdtype_text = f.text("kv_dtype", false);
  OpNode op;
  std::optional<OpKind> kind;
  if (kind_text) {
    for (OpKind k : kAllKinds) {
      if (*kind_text == to_string(k)) kind = k;
    }
    if (!kind) {
      diag.error(o.find("kind")->mark(), who + ": unknown op kind '" + *kind_text + "'" +
                                             did_you_mean(*kind_text, kind_names()) + " (kinds: " + join(kind_names()) + ")");
    }
  }
  for (auto [text, key] : {std::pair{&dtype_text, "dtype"}, std::pair{&wdtype_text, "weight_dtype"}, std::pair{&kvdtype_text, "kv_dtype"}}) {
    if (!*text) continue;
    std::optional<DataType> t = parse_dtype(**text);
    if (!t) {
      diag.error(o.find(key)->mark(), who + ": unknown " + key + " '" + **text + "' (one of " + dtype_names() + ")");
    } else if (std::string(key) == "dtype") {
      op.dtype = *t;
    } else if (std::string(key) == "kv_dtype") {
      op.kv_dtype = *t;
    } else {
      op.weight_dtype = *t;
    }
  }
  const ConfigNode* shape = f.node("shape", true);
  std::optional<OpShape> s = (shape && kind) ? read_shape(*shape, *kind, who, diag) : std::nullopt;
  if (kind && (*kind == OpKind::kGemm || *kind == OpKind::kConv2d) && o.find("ops_per_element")) {
    diag.error(o.find("ops_per_element")->mark(), who + ": 'ops_per_element' applies to vector kinds only; a " +
                                                      *kind_text + " op's work follows from its shape");
  }
  auto ops = f.real("ops_per_element", false, 1.0);
  const std::optional<double> special_read = f.real("special_per_element", false, 0.0);
  bool special_ok = special_read.has_value();
  const double special = special_read.value_or(0.0);
  if (ops && special_ok && !(special >= 0 && special <= *ops)) {
    diag.error(o.find("special_per_element")->mark(), who + ": 'special_per_element' (the transcendental share of the ops) "
                                                            "must lie between 0 and ops_per_element");
    special_ok = false;
  }
  std::optional<WeightFormat> format = WeightFormat{};
  if (const ConfigNode* wf = o.find("weight_format")) {
    format = read_weight_format(*wf, who, diag);
    const GemmShape* g = s ? std::get_if<GemmShape>(&*s) : nullptr;
    if (s && !std::holds_alternative<ConvShape>(*s) && (!g || g->b_is_activation)) {
      diag.error(wf->mark(), who + ": 'weight_format' applies only to ops with a weight operand (a gemm whose B is "
                                   "not an activation, or a conv2d)");
      format.reset();
    }
  }
  if (!name || !kind || !dtype_text || !s || !ops || !special_ok || !format) return std::nullopt;
  op.weight_format = *format;
  op.name = *name;
  op.kind = *kind;
  op.shape = *s;
  op.ops_per_element = *ops;
  op.special_per_element = special;
  return op;
}

}  // namespace

bool is_trace(const ConfigNode& root) { return root.is_map() && root.find("xpusim_trace") != nullptr; }

OpGraph import_trace(const ConfigNode& root) {
  Diagnostics diag;
  if (!root.is_map()) throw ConfigError(root.mark(), "a trace must be a JSON object with \"xpusim_trace\": 1");
  Fields top(root, "trace", diag);
  top.reject_unknown(kTopKeys);
  auto version = top.integer("xpusim_trace", true, 0, 0);
  if (version && *version != kTraceVersion) {
    throw ConfigError(root.find("xpusim_trace")->mark(), "unsupported trace version " + std::to_string(*version) +
                                                            " (this xpusim reads version " + std::to_string(kTraceVersion) + ")");
  }
  auto name = top.text("name", true), unit = top.text("item_unit", false), compression = top.text("compression", false);
  auto items = top.real("items", false, 1.0);
  const ConfigNode* ops = top.node("ops", true);
  const ConfigNode* tensors = top.node("tensors", false);
  for (const ConfigNode* seq : {ops, tensors}) {
    if (seq && !seq->is_sequence()) diag.error(seq->mark(), "trace: expects a list, got " + std::string(seq->kind_name()));
  }
  diag.throw_if_any();

  OpGraph g(*name);
  std::map<std::string, OpId> ids;
  std::vector<std::string> names;
  for (std::size_t i = 0; ops && i < ops->items().size(); ++i) {
    std::optional<OpNode> op = read_op(ops->items()[i], i, diag);
    if (!op) continue;
    if (ids.count(op->name)) {
      diag.error(ops->items()[i].mark(), "ops[" + std::to_string(i) + "]: duplicate op name '" + op->name + "'");
      continue;
    }
    names.push_back(op->name);
    const OpId id = g.add_op(std::move(*op));
    ids[names.back()] = id;
  }
  constexpr int kMaxUnknownEnds = 10;
  int unknown_ends = 0;
  for (std::size_t i = 0; tensors && tensors->is_sequence() && i < tensors->items().size(); ++i) {
    const ConfigNode& t = tensors->items()[i];
    const std::string who = "tensors[" + std::to_string(i) + "]";
    if (!t.is_map()) {
      diag.error(t.mark(), who + ": expects a map with from, to and bytes, got " + std::string(t.kind_name()));
      continue;
    }
    Fields f(t, who, diag);
    f.reject_unknown(kTensorKeys);
    auto from = f.text("from", true), to = f.text("to", true), tname = f.text("name", false);
    auto bytes = f.integer("bytes", true, 0, 0);
    std::optional<OpId> ends[2];
    for (int e = 0; e < 2; ++e) {
      const auto& end = e == 0 ? from : to;
      if (!end) continue;
      auto it = ids.find(*end);
      if (it != ids.end()) {
        ends[e] = it->second;
      } else if (++unknown_ends > kMaxUnknownEnds) {
        continue;  // the first few say enough; a did-you-mean over many ops for each would be slow
      } else {
        diag.error(t.find(e == 0 ? "from" : "to")->mark(),
                   who + ": '" + (e == 0 ? "from" : "to") + "' names unknown op '" + *end + "'" + did_you_mean(*end, names));
      }
    }
    if (!ends[0] || !ends[1] || !bytes) continue;
    const Bytes produced = output_bytes(g.op(*ends[0]));
    if (*bytes > static_cast<std::int64_t>(produced.count())) {
      diag.error(t.find("bytes")->mark(), who + ": shape mismatch: carries " + std::to_string(*bytes) + " bytes but op '" +
                                              *from + "' produces only " + std::to_string(produced.count()));
      continue;
    }
    g.add_tensor(*ends[0], *ends[1], Bytes(static_cast<std::uint64_t>(*bytes)), tname.value_or(""));
  }
  if (unknown_ends > kMaxUnknownEnds) {
    diag.error(tensors->mark(), "trace: " + std::to_string(unknown_ends - kMaxUnknownEnds) +
                                    " more tensor ends name unknown ops");
  }
  diag.throw_if_any();
  g.set_items(items.value_or(1.0), unit.value_or("inferences"));
  g.set_compression(compression.value_or(""));
  try {
    g.validate();
  } catch (const ConfigError& e) {
    // validate() names the graph; the file is what the user must open.
    std::vector<std::string> lines;
    for (const auto& m : e.messages()) lines.push_back(root.mark().file + ": " + m);
    throw ConfigError(lines);
  }
  return g;
}

OpGraph import_trace_file(const std::string& path) { return import_trace(ConfigNode::load_file(path)); }

namespace {

std::string field(const char* key, std::int64_t v) { return std::string("\"") + key + "\": " + std::to_string(v); }
std::string flag(const char* key, bool v) { return std::string("\"") + key + "\": " + (v ? "true" : "false"); }

std::string shape_json(const OpNode& op) {
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) {
    return "{" + field("batch", g->batch) + ", " + field("m", g->m) + ", " + field("n", g->n) + ", " + field("k", g->k) +
           ", " + flag("b_is_activation", g->b_is_activation) + "}";
  }
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) {
    return "{" + field("batch", c->batch) + ", " + field("in_h", c->in_h) + ", " + field("in_w", c->in_w) + ", " +
           field("in_c", c->in_c) + ", " + field("out_c", c->out_c) + ", " + field("kernel_h", c->kernel_h) + ", " +
           field("kernel_w", c->kernel_w) + ", " + field("stride", c->stride) + ", " + field("pad", c->pad) + ", " +
           flag("ceil_mode", c->ceil_mode) + "}";
  }
  const auto& v = std::get<VectorShape>(op.shape);
  return "{" + field("elements", v.elements) + ", " + field("inputs", v.inputs) + ", " +
         field("input_elements", v.input_elements) + "}";
}

}  // namespace

std::string export_trace(const OpGraph& g) {
  std::string o = "{\n  \"xpusim_trace\": " + std::to_string(kTraceVersion) + ",\n  \"name\": " + json_string(g.name()) +
                  ",\n  \"items\": " + json_number(g.items()) + ",\n  \"item_unit\": " + json_string(g.item_unit()) +
                  (g.compression().empty() ? "" : ",\n  \"compression\": " + json_string(g.compression())) + ",\n  \"ops\": [";
  for (OpId id = 0; id < g.size(); ++id) {
    const OpNode& op = g.op(id);
    // The shape variant decides the shape keys; the reader insists that they fit the kind.
    o += std::string(id ? "," : "") + "\n    {\"name\": " + json_string(op.name) + ", \"kind\": " +
         json_string(std::string(to_string(op.kind))) + ", \"dtype\": " + json_string(std::string(to_string(op.dtype)));
    if (op.weight_dtype) o += ", \"weight_dtype\": " + json_string(std::string(to_string(*op.weight_dtype)));
    if (op.kv_dtype) o += ", \"kv_dtype\": " + json_string(std::string(to_string(*op.kv_dtype)));
    if (op.weight_format != WeightFormat{}) {
      const WeightFormat& w = op.weight_format;
      o += ", \"weight_format\": {\"sparsity\": " + json_string(std::string(to_string(w.sparsity))) + ", \"density\": " +
           json_number(w.density) + ", \"seed\": " + std::to_string(w.seed) + ", \"codec_ratio\": " + json_number(w.codec_ratio) + "}";
    }
    o += ", \"shape\": " + shape_json(op);
    if (!is_matrix(op)) o += ", \"ops_per_element\": " + json_number(op.ops_per_element);
    if (op.special_per_element > 0) o += ", \"special_per_element\": " + json_number(op.special_per_element);
    o += "}";
  }
  o += "\n  ],\n  \"tensors\": [";
  bool first = true;
  for (const TensorEdge& t : g.tensors()) {
    o += std::string(first ? "" : ",") + "\n    {\"from\": " + json_string(g.op(t.from).name) + ", \"to\": " +
         json_string(g.op(t.to).name) + ", \"bytes\": " + std::to_string(t.bytes.count()) + ", \"name\": " + json_string(t.name) + "}";
    first = false;
  }
  return o + "\n  ]\n}\n";
}

}  // namespace xpusim::wl
