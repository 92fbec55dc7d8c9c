// SPDX-License-Identifier: MIT
// `xpusim run`: load a chip and a workload, simulate, and print or write the result.
#include <algorithm>
#include <optional>

#include "sim/cli/cli.h"
#include "sim/config/config_error.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "workloads/loader.h"

namespace xpusim::cli {
namespace {

const std::vector<OptionSpec>& run_options() {
  static const std::vector<OptionSpec> specs{
      {"--chip", "FILE", false, "chip config: YAML, or a SCALE-Sim .cfg"},
      {"--system", "FILE", false, "multi-chip system config (configs/systems/); --set system.tp=N etc. override it"},
      {"--workload", "FILE", false, "workload: SCALE-Sim topology .csv, workload spec .yaml (type: generation = prefill + decode) or HF config.json"},
      {"--set", "PATH=VALUE", true, "override a chip parameter, e.g. --set dram.data_rate=\"8 GT/s\""},
      {"--wset", "KEY=VALUE", true, "override a workload spec parameter, e.g. --wset batch=8"},
      compress_option(),
      {"--scenario", "KIND|FILE", false,
       "run an MLPerf scenario: offline, server, single_stream, multi_stream, a scenario YAML file, or none to "
       "ignore the workload's scenario: block; --set scenario.KEY=VALUE sets its keys"},
      {"--format", "table|json|csv", false, "output format (default: table)"},
      {"--out", "FILE", false, "write the result to FILE instead of standard output"},
      {"--trace", "FILE", false, "write a Chrome/Perfetto trace (open in ui.perfetto.dev)"},
  };
  return specs;
}

const char* const kRunUsage =
    "Usage: xpusim run --chip FILE|--system FILE --workload FILE [--set PATH=VALUE]... [--wset KEY=VALUE]...\n"
    "                  [--compress KEY=VALUE,...] [--scenario KIND|FILE] [--format table|json|csv] [--out FILE] [--trace FILE]\n"
    "\n"
    "Simulates the workload on the chip and reports latency, throughput, energy and what bounds\n"
    "each op. With a scenario (--scenario, or a scenario: block in the workload file) it runs many\n"
    "queries -- Poisson arrivals, batching, an LLM KV cache -- and reports latency percentiles\n"
    "against the MLPerf constraint. Outputs are written only when the whole run succeeded.\n\n";

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  const ParsedArgs a = parse_args(args, run_options(), "run");
  if (a.help) {
    out << kRunUsage << options_help(run_options());
    return 0;
  }
  if (!a.positionals.empty()) {
    throw UsageError(
        "unexpected argument '" + a.positionals.front() + "' (inputs are given with --chip and --workload)", "run");
  }
  if (!a.has("--chip") && !a.has("--system")) throw UsageError("missing --chip FILE (or --system FILE)", "run");
  if (a.has("--chip") && a.has("--system")) throw UsageError("give only one of --chip FILE and --system FILE", "run");
  if (!a.has("--workload")) throw UsageError("missing --workload FILE", "run");
  const std::string format = a.get("--format", "table");
  const std::vector<std::string> formats{"table", "json", "csv"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    throw UsageError("--format expects table, json or csv, got '" + format + "'" + did_you_mean(format, formats),
                     "run");
  }
  check_overrides(a.all("--set"), "--set", "run");
  const std::vector<std::string> wset = workload_overrides(a, "run");
  // Check everything cheap before the (possibly long) simulation, so mistakes surface at once.
  const bool system = a.has("--system");
  require_file(a.get(system ? "--system" : "--chip"), system ? "system file" : "chip file", "run");
  require_file(a.get("--workload"), "workload file", "run");
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* option : {"--out", "--trace"}) {
    if (a.has(option)) outputs.emplace_back(option, a.get(option));
  }
  OutputFiles::check_writable(outputs);

  // `--set scenario.KEY=VALUE` goes to the scenario; every other --set to the chip or system.
  std::vector<std::string> hardware_overrides, scenario_overrides;
  for (const std::string& o : a.all("--set")) {
    if (o.rfind("scenario.", 0) == 0) scenario_overrides.push_back(o.substr(9));
    else hardware_overrides.push_back(o);
  }
  const std::optional<ScenarioSpec> scenario =
      resolve_scenario(a.get("--workload"), a.get("--scenario"), scenario_overrides);

  Result result;
  std::string summary;
  if (scenario) {
    result = run_scenario(a.get(system ? "--system" : "--chip"), system, hardware_overrides, a.get("--workload"), wset,
                          *scenario, a.has("--trace"));
  } else if (system) {
    result = run_on_system(a.get("--system"), hardware_overrides, a.get("--workload"), wset, a.has("--trace"), &summary);
  } else if (wl::workload_type(a.get("--workload")) == "generation") {
    // A whole generation on one chip: the system path with a one-chip system.
    auto one = arch::System::single(load_chip(a.get("--chip"), hardware_overrides));
    result = run_generation(*one, a.get("--workload"), wset, a.has("--trace"), &summary);
  } else {
    std::unique_ptr<arch::Chip> chip = load_chip(a.get("--chip"), hardware_overrides);
    wl::OpGraph graph = wl::load_workload(a.get("--workload"), wset);
    SimOptions options;
    options.trace = a.has("--trace");
    result = simulate(*chip, graph, options);
  }

  const std::string text = format == "json" ? to_json(result) : format == "csv" ? to_csv(result) : summary + to_table(result);
  OutputFiles files;
  if (a.has("--out")) files.add(a.get("--out"), text);
  if (a.has("--trace")) files.add(a.get("--trace"), to_chrome_trace(result));
  files.commit();
  if (!a.has("--out")) out << text;
  return 0;
}

}  // namespace xpusim::cli
