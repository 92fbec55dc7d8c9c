// SPDX-License-Identifier: MIT
// Reading a compression plan (YAML block, --compress, overrides) and applying it to an op graph.
#include "workloads/transforms/compress.h"

#include <charconv>

#include "sim/config/schema.h"
#include "sim/seed.h"

namespace xpusim::wl {
namespace {

std::vector<std::string> dtype_choices() {
  std::vector<std::string> out;
  for (DataType d : {DataType::kFp32, DataType::kTf32, DataType::kBf16, DataType::kFp16, DataType::kFp8, DataType::kInt8,
                     DataType::kFp4, DataType::kInt4}) {
    out.emplace_back(xpusim::to_string(d));
  }
  return out;
}

/// The block as typed; presence of a key is read from the block itself.
struct Spec {
  std::string weight_dtype, activation_dtype, sparsity;
  double density = 0, codec_ratio = 1;
  std::int64_t seed = 1;

  static const Schema<Spec>& schema() {
    static const Schema<Spec> s = [] {
      Schema<Spec> sc("Compression what-ifs applied to the workload's matrix ops");
      sc.add("weight_dtype", &Spec::weight_dtype, "storage type of the weights").one_of(dtype_choices());
      sc.add("activation_dtype", &Spec::activation_dtype, "type matrix ops compute in; weights follow it by default")
          .one_of(dtype_choices());
      sc.add("sparsity", &Spec::sparsity, "weight sparsity pattern").one_of({"none", "2:4", "unstructured"});
      sc.add("density", &Spec::density, "unstructured: kept fraction of the weights, in (0, 1]");
      sc.add("seed", &Spec::seed, "unstructured: seed of the per-block survivor draws").at_least(0);
      sc.add("codec_ratio", &Spec::codec_ratio, "weights stored through a codec decoded at the memory interface: "
                                                "decoded bytes per stored byte")
          .at_least(1);
      return sc;
    }();
    return s;
  }
};

std::string number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

const std::vector<std::string>& compression_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& f : Spec::schema().docs()) k.push_back(f.key);
    return k;
  }();
  return keys;
}

std::string CompressionPlan::to_string() const {
  std::string s;
  auto add = [&](const std::string& kv) { s += (s.empty() ? "" : ",") + kv; };
  if (weight_dtype) add("weight_dtype=" + std::string(xpusim::to_string(*weight_dtype)));
  if (activation_dtype) add("activation_dtype=" + std::string(xpusim::to_string(*activation_dtype)));
  if (sparsity) add("sparsity=" + std::string(xpusim::to_string(*sparsity)));
  if (sparsity == Sparsity::kUnstructured) {
    add("density=" + number(density));
    add("seed=" + std::to_string(seed));
  }
  if (codec_ratio) add("codec_ratio=" + number(*codec_ratio));
  return s;
}

CompressionPlan read_compression(const ConfigNode& block) {
  Diagnostics diag;
  const Spec spec = Spec::schema().bind(block, "compression", diag, {});
  diag.throw_if_any();
  CompressionPlan p;
  if (block.find("weight_dtype")) p.weight_dtype = parse_dtype(spec.weight_dtype);
  if (block.find("activation_dtype")) p.activation_dtype = parse_dtype(spec.activation_dtype);
  if (block.find("sparsity")) p.sparsity = parse_sparsity(spec.sparsity);
  if (block.find("codec_ratio")) p.codec_ratio = spec.codec_ratio;
  const bool unstructured = p.sparsity == Sparsity::kUnstructured;
  if (const ConfigNode* d = block.find("density")) {
    if (!unstructured) {
      diag.error(d->mark(), "compression: 'density' applies only with sparsity=unstructured (2:4 keeps half by construction)");
    } else if (!(spec.density > 0 && spec.density <= 1)) {
      diag.error(d->mark(), "compression: 'density' must be in (0, 1], got " + d->value());
    }
    p.density = spec.density;
  } else if (unstructured) {
    diag.error(block.find("sparsity")->mark(), "compression: sparsity=unstructured needs 'density' (the kept fraction, in (0, 1])");
  }
  if (const ConfigNode* s = block.find("seed"); s && !unstructured) {
    diag.error(s->mark(), "compression: 'seed' applies only with sparsity=unstructured");
  }
  p.seed = static_cast<std::uint64_t>(spec.seed);
  if (p.weight_dtype && p.activation_dtype && bits(*p.weight_dtype) > bits(*p.activation_dtype)) {
    diag.error(block.find("weight_dtype")->mark(), "compression: weight_dtype " + spec.weight_dtype + " is wider than activation_dtype " +
                                                       spec.activation_dtype + "; weights are stored no wider than the activations they multiply");
  }
  diag.throw_if_any();
  return p;
}

std::vector<std::string> compression_overrides(const std::string& spec) {
  const SourceMark where{"--compress " + spec, 0, 0};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = spec.find(',', start);
    const std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(where, "expects KEY=VALUE[,KEY=VALUE...] with keys " + [] {
        std::string k;
        for (const auto& key : compression_keys()) k += (k.empty() ? "" : ", ") + key;
        return k;
      }() + "; got '" + item + "'");
    }
    out.push_back("compression." + item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool take_compression_overrides(std::vector<std::string>& overrides, ConfigNode& block) {
  static const std::string kPrefix = "compression.";
  bool any = false;
  std::vector<std::string> rest;
  for (const std::string& o : overrides) {
    if (o.rfind(kPrefix, 0) != 0) {
      rest.push_back(o);
      continue;
    }
    const std::size_t eq = o.find('=');
    const std::string key = o.substr(kPrefix.size(), eq == std::string::npos ? std::string::npos : eq - kPrefix.size());
    const SourceMark where{o, 0, 0};
    if (eq == std::string::npos || key.empty() || key.find('.') != std::string::npos) {
      throw ConfigError(where, "expects compression.KEY=VALUE, e.g. compression.sparsity=2:4");
    }
    if (!block.is_map()) block = ConfigNode::map(where);
    block.set(key, ConfigNode::scalar(o.substr(eq + 1), where), where);
    any = true;
  }
  overrides = std::move(rest);
  return any;
}

OpGraph apply_compression(const OpGraph& g, const CompressionPlan& plan) {
  OpGraph out(g.name());
  out.set_items(g.items(), g.item_unit());
  out.set_fusion(g.fusion());
  const std::string text = plan.to_string();
  out.set_compression(g.compression().empty() ? text : text.empty() ? g.compression() : g.compression() + "; " + text);
  std::vector<DataType> old_dtype;
  for (OpId id = 0; id < g.size(); ++id) {
    OpNode op = g.op(id);
    old_dtype.push_back(op.dtype);
    if (is_matrix(op)) {
      const DataType act = plan.activation_dtype.value_or(op.dtype);
      if (!gemm_view(op).b_is_activation) {
        const DataType w = plan.weight_dtype ? *plan.weight_dtype : plan.activation_dtype ? act : weight_type(op);
        if (bits(w) > bits(act)) {
          throw ConfigError(SourceMark{g.name(), 0, 0},
                            "compression: weight_dtype " + std::string(xpusim::to_string(w)) + " is wider than op '" + op.name +
                                "''s " + std::string(xpusim::to_string(act)) + " activations; weights are stored no wider than the activations they multiply");
        }
        op.weight_dtype = w;
        if (plan.sparsity) {
          op.weight_format.sparsity = *plan.sparsity;
          op.weight_format.density = *plan.sparsity == Sparsity::kTwoFour ? 0.5 : *plan.sparsity == Sparsity::kUnstructured ? plan.density : 1.0;
          op.weight_format.seed = *plan.sparsity == Sparsity::kUnstructured ? mix_seed(plan.seed, hash_name(op.name)) : 0;
        }
        if (plan.codec_ratio) op.weight_format.codec_ratio = *plan.codec_ratio;
      }
      op.dtype = act;
    }
    out.add_op(std::move(op));
  }
  for (const TensorEdge& e : g.tensors()) {
    // A tensor leaves its producer in the producer's (possibly new) activation type.
    const int from = bits(old_dtype[e.from]), to = bits(out.op(e.from).dtype);
    const Bytes bytes = from == to ? e.bytes : Bytes((e.bytes.count() * static_cast<std::uint64_t>(to) + static_cast<std::uint64_t>(from) - 1) /
                                                     static_cast<std::uint64_t>(from));
    out.add_tensor(e.from, e.to, bytes, e.name);
  }
  out.validate();
  return out;
}

}  // namespace xpusim::wl
