// SPDX-License-Identifier: MIT
// `xpusim list [TYPE]`: every registered model type with its documented parameters (like sst-info),
// read from the same schemas that check configs, so the listing cannot drift from the code.
#include <algorithm>

#include "arch/power/chip_power.h"
#include "arch/registry.h"
#include "sim/cli/cli.h"

namespace xpusim::cli {
namespace {

const char* const kListUsage =
    "Usage: xpusim list [TYPE]...\n"
    "\n"
    "Lists every model type a chip config may use (`type:` of a component), each with its\n"
    "parameters: key, kind (unit), default and meaning. Parameters without a default are required.\n"
    "`xpusim list scenario` lists the keys of a workload's scenario: block, `xpusim list chip` those\n"
    "of a chip config's chip: block.\n\n";

/// The keys of a chip config's `chip:` block (arch/chip.cpp reads them).
std::vector<FieldDoc> chip_fields() {
  return {
      {"name", "text", "the chip's name in results", "", true},
      {"main_memory", "component name", "the memory that holds weights and activations", "", true},
      {"cache", "component name or none",
       "the on-chip memory that keeps main-memory bytes between kernels (a GPU's L2: write-back, least recently used; "
       "README \"Memory-side cache\"): a kernel reads what its producer left there from it",
       "none", false},
      {"static_power", "power", "static power of the chip outside its components (uncore), charged for the whole run", "0 W", false},
      {"fusion", "one of none|epilogue|full",
       "how the chip's production compiler stack fuses ops into kernels (README \"Kernel fusion\"); a workload's "
       "fusion: or --wset fusion= overrides it",
       "none", false},
      {"power", "map (below)", "the chip's process node, core voltage and active-idle power (README \"Power\")", "", false},
      {"description", "text", "free text", "\"\"", false},
  };
}

void describe(const arch::ModelInfo& m, std::ostream& out) {
  out << m.type << (m.doc.empty() ? "" : " - " + m.doc) << "\n";
  std::vector<std::vector<std::string>> rows{{"key", "kind", "default", "doc"}};
  for (const FieldDoc& f : m.fields) {
    rows.push_back({f.key, f.kind,
                    f.required               ? "(required)"
                    : f.default_text.empty() ? "\"\""
                                             : f.default_text,
                    f.doc});
  }
  std::vector<std::size_t> width(4, 0);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  for (const auto& r : rows) {
    std::string line = "  ";
    for (std::size_t c = 0; c + 1 < r.size(); ++c) line += r[c] + std::string(width[c] - r[c].size() + 2, ' ');
    out << line << r.back() << "\n";
  }
}

}  // namespace

int list_command(const std::vector<std::string>& args, std::ostream& out) {
  const std::vector<OptionSpec> no_options;
  const ParsedArgs a = parse_args(args, no_options, "list");
  if (a.help) {
    out << kListUsage << options_help(no_options);
    return 0;
  }
  if (a.positionals.size() == 1 && a.positionals.front() == "chip") {
    describe(arch::ModelInfo{"chip", "the chip: block of a chip config", chip_fields(), {}}, out);
    out << "\n";
    describe(arch::ModelInfo{"chip: power", arch::ChipPowerParams::schema().doc(), arch::ChipPowerParams::schema().docs(), {}}, out);
    out << "\nEvery component also takes energy_node (length, e.g. \"45 nm\"): the node its energies are given at;\n"
           "the chip's power: node and voltage scale them (arch/power/process_node.cpp).\n";
    return 0;
  }
  if (a.positionals.size() == 1 && a.positionals.front() == "scenario") {
    describe(arch::ModelInfo{"scenario", "MLPerf Inference scenario (a `scenario:` block, --scenario, --set scenario.KEY=VALUE)",
                             scenario_fields(), {}},
             out);
    return 0;
  }
  const arch::Registry& registry = arch::Registry::instance();
  const std::vector<std::string> types = registry.types();
  std::vector<std::string> wanted = a.positionals.empty() ? types : a.positionals;
  // Check every name first, so an error never follows half a listing.
  for (const auto& t : wanted) {
    if (!registry.find(t)) {
      throw UsageError("unknown model type '" + t + "'" + did_you_mean(t, types), "list");
    }
  }
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (i > 0) out << "\n";
    describe(*registry.find(wanted[i]), out);
  }
  return 0;
}

}  // namespace xpusim::cli
