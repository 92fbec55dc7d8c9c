// SPDX-License-Identifier: MIT
// `xpusim compare`: one workload on several chips, side by side: latency, throughput, throughput per
// watt, energy per item, what bounds the time, and where the energy goes.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sim/cli/cli.h"
#include "sim/config/config_error.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "sim/unit_parse.h"
#include "workloads/loader.h"

namespace xpusim::cli {
namespace {

const std::vector<OptionSpec>& compare_options() {
  static const std::vector<OptionSpec> specs{
      {"--chips", "A,B,...", false, "comma-separated chip configs (YAML or SCALE-Sim .cfg)"},
      {"--systems", "A,B,...", false, "comma-separated system configs instead of chips (workload: generation or transformer spec)"},
      {"--set", "PATH=VALUE", true, "with --systems: override every system, e.g. --set system.tp=4"},
      {"--workload", "FILE", false, "workload: SCALE-Sim topology .csv, workload spec .yaml or HF config.json"},
      {"--wset", "KEY=VALUE", true, "override a workload spec parameter, e.g. --wset batch=8"},
      compress_option(),
      {"--format", "table|csv", false, "output format (default: table)"},
  };
  return specs;
}

const char* const kCompareUsage =
    "Usage: xpusim compare --chips A.yaml,B.yaml[,...]|--systems A.yaml,B.yaml[,...] --workload FILE [--wset KEY=VALUE]... [--compress KEY=VALUE,...] [--format table|csv]\n"
    "\n"
    "Runs one workload on every chip and prints the results side by side.\n\n";

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string p;
  while (std::getline(ss, p, ',')) {
    if (!p.empty()) parts.push_back(p);
  }
  return parts;
}

std::string top_bound(const Result& r) {
  if (r.bound_compute >= r.bound_memory && r.bound_compute >= r.bound_interconnect) return "compute";
  return r.bound_memory >= r.bound_interconnect ? "memory" : "interconnect";
}

/// "hbm 61%, vmem 32%, mxu 7%": components by falling share, those under 0.5% left out.
std::string energy_shares(const Result& r) {
  auto parts = r.energy_breakdown_j;
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (const auto& [name, joules] : parts) {
    const double pct = r.energy_j > 0 ? 100.0 * joules / r.energy_j : 0;
    if (pct < 0.5) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s %.0f%%", s.empty() ? "" : ", ", name.c_str(), pct);
    s += buf;
  }
  return s;
}

}  // namespace

int compare_command(const std::vector<std::string>& args, std::ostream& out) {
  const ParsedArgs a = parse_args(args, compare_options(), "compare");
  if (a.help) {
    out << kCompareUsage << options_help(compare_options());
    return 0;
  }
  if (!a.positionals.empty()) throw UsageError("unexpected argument '" + a.positionals.front() + "'", "compare");
  if (a.has("--chips") == a.has("--systems")) throw UsageError("give exactly one of --chips and --systems", "compare");
  if (!a.has("--workload")) throw UsageError("missing --workload", "compare");
  const bool systems = a.has("--systems");
  const std::string fmt = a.get("--format", "table");
  if (fmt != "table" && fmt != "csv") {
    throw UsageError("--format expects table or csv, got '" + fmt + "'" + did_you_mean(fmt, {"table", "csv"}), "compare");
  }
  const std::vector<std::string> chips = split_commas(a.get(systems ? "--systems" : "--chips"));
  if (chips.empty()) throw UsageError("--chips names no chip", "compare");
  const std::vector<std::string> wset = workload_overrides(a, "compare");
  for (const auto& c : chips) require_file(c, systems ? "system file" : "chip file", "compare");
  require_file(a.get("--workload"), "workload file", "compare");
  if (!systems && a.has("--set")) throw UsageError("--set applies to --systems only", "compare");

  std::vector<Result> results;
  wl::OpGraph graph("workload");
  if (systems || wl::workload_type(a.get("--workload")) == "generation") {
    for (const auto& c : chips) {
      if (systems) {
        results.push_back(run_on_system(c, a.all("--set"), a.get("--workload"), wset, false, nullptr));
      } else {
        auto one = arch::System::single(load_chip(c, {}));
        results.push_back(run_generation(*one, a.get("--workload"), wset, false, nullptr));
      }
    }
    // Items per run: the throughput times the time, the same for every system.
    graph = wl::OpGraph(results.front().workload);
    graph.set_items(results.front().throughput_value * results.front().latency_s, results.front().throughput_unit.substr(0, results.front().throughput_unit.size() - 2));
  } else {
    graph = wl::load_workload(a.get("--workload"), wset);
    for (const auto& c : chips) {
      auto chip = load_chip(c, {});
      results.push_back(simulate(*chip, graph));
    }
  }

  std::ostringstream o;
  if (fmt == "csv") {
    o << "chip,workload,latency_s,throughput,throughput_unit,throughput_per_watt,energy_per_item_j,avg_power_w,"
         "bound_compute,bound_memory,bound_interconnect\n";
    for (const auto& r : results) {
      const double per_watt = r.avg_power_w > 0 ? r.throughput_value / r.avg_power_w : 0;
      char buf[512];
      std::snprintf(buf, sizeof buf, "%s,%s,%.9g,%.9g,%s,%.9g,%.9g,%.9g,%.6g,%.6g,%.6g\n", r.chip.c_str(), r.workload.c_str(),
                    r.latency_s, r.throughput_value, r.throughput_unit.c_str(), per_watt, r.energy_j / graph.items(),
                    r.avg_power_w, r.bound_compute, r.bound_memory, r.bound_interconnect);
      o << buf;
    }
  } else {
    const std::string unit = results.front().throughput_unit;
    const std::string item = graph.item_unit();
    o << "workload " << graph.name() << " (" << graph.items() << " " << item << " per run)\n\n";
    // Chips under a clock governor get the clock it left their ops (x the configured clocks).
    const bool clocks = std::any_of(results.begin(), results.end(), [](const Result& r) { return r.avg_clock_ratio.has_value(); });
    auto clock_of = [&](const Result& r) {
      if (!clocks) return std::string();
      char c[32];
      if (r.avg_clock_ratio) {
        std::snprintf(c, sizeof c, " %6.3gx", *r.avg_clock_ratio);
      } else {
        std::snprintf(c, sizeof c, " %7s", "-");
      }
      return std::string(c);
    };
    char buf[512];
    std::snprintf(buf, sizeof buf, "%-18s %12s %16s %14s %14s %10s%s %-8s %s\n", "chip", "latency", unit.c_str(),
                  (item + "/J").c_str(), ("J/" + item).c_str(), "power", clocks ? "   clock" : "", "bound", "energy");
    o << buf;
    for (const auto& r : results) {
      const double per_joule = r.energy_j > 0 ? graph.items() / r.energy_j : 0;
      std::snprintf(buf, sizeof buf, "%-18s %12s %16.4g %14.4g %14.4g %10s%s %-8s %s\n", r.chip.c_str(),
                    format(Time::from_seconds_ceil(r.latency_s)).c_str(), r.throughput_value, per_joule, r.energy_j / graph.items(),
                    format(Power(r.avg_power_w)).c_str(), clock_of(r).c_str(), top_bound(r).c_str(), energy_shares(r).c_str());
      o << buf;
    }
  }
  out << o.str();
  return 0;
}

}  // namespace xpusim::cli
