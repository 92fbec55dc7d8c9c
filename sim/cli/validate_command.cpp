// SPDX-License-Identifier: MIT
// `xpusim validate FILE`: checks a chip config or a workload without simulating, and shows the
// resolved chip config (defaults filled in) so a run can be replayed exactly.
#include <array>
#include <charconv>
#include <cmath>

#include "arch/registry.h"
#include "sim/cli/cli.h"
#include "sim/config/config_node.h"
#include "sim/unit_parse.h"
#include "workloads/loader.h"
#include "workloads/serving.h"

namespace xpusim::cli {
namespace {

const std::vector<OptionSpec>& validate_options() {
  static const std::vector<OptionSpec> specs{
      {"--set", "PATH=VALUE", true, "override a chip parameter before checking"},
      {"--wset", "KEY=VALUE", true, "override a workload spec parameter before checking"},
  };
  return specs;
}

const char* const kValidateUsage =
    "Usage: xpusim validate FILE [--set PATH=VALUE]... [--wset KEY=VALUE]...\n"
    "\n"
    "Checks a chip config (.yaml with chip:/components:, or a SCALE-Sim .cfg) and prints it fully\n"
    "resolved, defaults included; or checks a workload (.csv, .yaml spec, config.json) and prints\n"
    "its op count and work. Exit 0 when valid, 2 with every problem listed when not.\n\n";

// The chip's config with every parameter a component's schema defaults filled in, so the printed
// config pins down the run even if a default changes later.
ConfigNode resolved_config(const arch::Chip& chip) {
  ConfigNode root = chip.config();
  ConfigNode* comps = root.find("components");
  if (!comps || !comps->is_sequence()) return root;
  for (ConfigNode& item : comps->items()) {
    const ConfigNode* type = item.find("type");
    const arch::ModelInfo* info = type ? arch::Registry::instance().find(type->value()) : nullptr;
    if (!info) continue;
    for (const FieldDoc& f : info->fields) {
      if (!item.find(f.key) && !f.default_text.empty()) item.set(f.key, ConfigNode::scalar(f.default_text, {}));
    }
  }
  return root;
}

std::string si_count(double v, const std::string& unit) {
  static constexpr std::array<const char*, 6> kPrefix{"", "k", "M", "G", "T", "P"};
  std::size_t k = 0;
  while (k + 1 < kPrefix.size() && std::fabs(v) >= 999.95) {
    v /= 1000;
    ++k;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 4);
  return std::string(buf, end) + " " + kPrefix[k] + unit;
}

// A scenario: block is checked too, and summarised on one line.
void validate_scenario(const std::string& path, std::ostream& out) {
  const std::optional<ScenarioSpec> s = resolve_scenario(path, "", {});
  if (!s) return;
  out << "scenario: " << to_string(s->kind) << ", " << s->queries << " queries";
  if (s->kind == ScenarioKind::kServer) out << " at " << s->qps << " qps";
  out << ", seed " << s->seed << "\n";
}

void validate_workload(const std::string& path, const std::vector<std::string>& overrides, std::ostream& out) {
  if (wl::workload_type(path) == "generation") {
    const wl::GenerationSpec g = wl::load_generation_spec(path, overrides);
    out << "ok: generation of " << g.model.name << ", batch " << g.batch << ", " << g.prompt_len << " prompt + "
        << g.output_len << " output tokens, " << wl::decode_buckets(g).size() << " decode buckets of " << g.kv_bucket
        << "\n";
    validate_scenario(path, out);
    return;
  }
  const wl::OpGraph graph = wl::load_workload(path, overrides);
  double total_flops = 0;
  Bytes total_bytes{0};
  constexpr std::array kKinds{wl::OpKind::kGemm,    wl::OpKind::kConv2d,    wl::OpKind::kElementwise,
                              wl::OpKind::kSoftmax, wl::OpKind::kLayerNorm, wl::OpKind::kRmsNorm,
                              wl::OpKind::kPool,    wl::OpKind::kAllReduce, wl::OpKind::kAllGather,
                              wl::OpKind::kReduceScatter, wl::OpKind::kAllToAll, wl::OpKind::kSendRecv};
  std::array<std::size_t, kKinds.size()> per_kind{};
  for (wl::OpId id = 0; id < graph.size(); ++id) {
    const wl::OpNode& op = graph.op(id);
    total_flops += wl::flops(op).count();
    total_bytes = total_bytes + wl::compulsory_bytes(op);
    for (std::size_t k = 0; k < kKinds.size(); ++k) per_kind[k] += op.kind == kKinds[k] ? 1 : 0;
  }
  out << "ok: " << graph.name() << ", " << graph.size() << " ops, " << si_count(total_flops, "FLOP") << ", "
      << format(total_bytes) << " compulsory traffic\n";
  out << "ops by kind:";
  for (std::size_t k = 0; k < kKinds.size(); ++k) {
    if (per_kind[k] > 0) out << " " << wl::to_string(kKinds[k]) << " " << per_kind[k];
  }
  out << "\none run processes " << si_count(graph.items(), "") << graph.item_unit() << "(s)\n";
  validate_scenario(path, out);
}

}  // namespace

int validate_command(const std::vector<std::string>& args, std::ostream& out) {
  const ParsedArgs a = parse_args(args, validate_options(), "validate");
  if (a.help) {
    out << kValidateUsage << options_help(validate_options());
    return 0;
  }
  if (a.positionals.size() != 1) {
    throw UsageError(a.positionals.empty() ? "missing FILE to validate" : "validate takes one FILE", "validate");
  }
  const std::string& path = a.positionals.front();
  require_file(path, "file", "validate");
  check_overrides(a.all("--set"), "--set", "validate");
  check_overrides(a.all("--wset"), "--wset", "validate");
  if (is_chip_file(path)) {
    if (a.has("--wset"))
      throw UsageError("--wset applies to workloads, but '" + path + "' is a chip config", "validate");
    std::unique_ptr<arch::Chip> chip = load_chip(path, a.all("--set"));
    out << "ok: " << chip->name() << ", " << chip->components().size() << " components\n";
    out << "# resolved config (defaults filled in)" << resolved_config(*chip).to_yaml();
    return 0;
  }
  if (a.has("--set")) throw UsageError("--set applies to chips, but '" + path + "' is a workload", "validate");
  validate_workload(path, a.all("--wset"), out);
  return 0;
}

}  // namespace xpusim::cli
