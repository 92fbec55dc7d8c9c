// SPDX-License-Identifier: MIT
// `xpusim describe`: what a workload asks of a chip before it is simulated: parameters, work and
// compulsory traffic per run, per item and per pipeline stage, and the per-op table. Can export a trace.
#include <algorithm>
#include <cstdio>

#include "sim/cli/cli.h"
#include "sim/config/config_error.h"
#include "sim/json_text.h"
#include "sim/unit_parse.h"
#include "workloads/describe.h"
#include "workloads/importers/trace_json.h"
#include "workloads/loader.h"
#include "workloads/transforms/fuse.h"

namespace xpusim::cli {
namespace {

const std::vector<OptionSpec>& describe_options() {
  static const std::vector<OptionSpec> specs{
      {"--workload", "FILE", false, "workload: spec .yaml, trace or HF config .json, SCALE-Sim .csv"},
      {"--wset", "KEY=VALUE", true, "override a workload spec parameter, e.g. --wset batch=8"},
      compress_option(),
      {"--format", "table|json", false, "output format (default: table)"},
      {"--rows", "N", false, "ops shown in the table (default: 40; 0 = all); json lists all"},
      {"--export-trace", "FILE", false, "also write the graph as an xpusim JSON trace (traces/FORMAT.md)"},
  };
  return specs;
}

const char* const kDescribeUsage =
    "Usage: xpusim describe --workload FILE [--wset KEY=VALUE]... [--compress KEY=VALUE,...] [--format table|json]\n"
    "                       [--export-trace FILE]\n"
    "\n"
    "Prints the workload's matrix parameters, FLOPs and compulsory bytes per run and per item, per\n"
    "pipeline stage (SDXL: per text encoder, per denoising step, VAE) and per op, without simulating.\n\n";

/// A count with an SI prefix and 4 significant digits ("2.567 G").
std::string format_count(double v) {
  const char* prefixes[] = {"", " k", " M", " G", " T", " P"};
  int i = 0;
  while (v >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", v, prefixes[i]);
  return buf;
}

std::string stage_table(const std::vector<wl::StageSummary>& stages) {
  char buf[256];
  std::string out = "\n  per stage (one run = one text encoding, one denoising step, one decode, ...):\n";
  std::snprintf(buf, sizeof buf, "  %-16s %5s %7s %14s %16s %16s %16s\n", "stage", "runs", "ops", "params/run",
                "work/run", "bytes/run", "work (all runs)");
  out += buf;
  for (const auto& s : stages) {
    const double r = static_cast<double>(s.runs);
    std::snprintf(buf, sizeof buf, "  %-16s %5zu %7zu %14s %16s %16s %16s\n", s.stage.c_str(), s.runs, s.ops,
                  format_count(static_cast<double>(s.parameters)).c_str(), wl::format_flops(Flops(s.flops.count() / r)).c_str(),
                  format(Bytes(static_cast<std::uint64_t>(static_cast<double>(s.compulsory_bytes.count()) / r))).c_str(),
                  wl::format_flops(s.flops).c_str());
    out += buf;
  }
  return out;
}

std::string to_json(const wl::GraphSummary& s, std::int64_t params, const std::vector<wl::StageSummary>& stages) {
  std::string o = "{\n  \"name\": " + json_string(s.name) + ",\n  \"items\": " + json_number(s.items) + ",\n  \"item_unit\": " +
                  json_string(s.item_unit) + ",\n  \"compression\": " + json_string(s.compression) + ",\n  \"ops\": " + std::to_string(s.ops) + ",\n  \"tensors\": " +
                  std::to_string(s.tensors) + ",\n  \"parameters\": " + std::to_string(params) +
                  ",\n  \"weight_bytes\": " + json_number(static_cast<double>(s.weight_bytes.count())) + ",\n  \"flops\": " +
                  json_number(s.flops.count()) + ",\n  \"compulsory_bytes\": " + json_number(static_cast<double>(s.compulsory_bytes.count())) +
                  ",\n  \"flops_per_item\": " + json_number(s.items > 0 ? s.flops.count() / s.items : 0) + ",\n  \"stages\": [";
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& st = stages[i];
    const double r = static_cast<double>(st.runs);
    o += std::string(i ? "," : "") + "\n    {\"stage\": " + json_string(st.stage) + ", \"runs\": " + std::to_string(st.runs) +
         ", \"ops\": " + std::to_string(st.ops) + ", \"parameters\": " + std::to_string(st.parameters) +
         ", \"flops_per_run\": " + json_number(st.flops.count() / r) + ", \"bytes_per_run\": " +
         json_number(static_cast<double>(st.compulsory_bytes.count()) / r) + ", \"flops\": " + json_number(st.flops.count()) +
         ", \"compulsory_bytes\": " + json_number(static_cast<double>(st.compulsory_bytes.count())) + "}";
  }
  o += "\n  ],\n  \"op_table\": [";
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const auto& r = s.rows[i];
    o += std::string(i ? "," : "") + "\n    {\"name\": " + json_string(r.name) + ", \"kind\": " + json_string(r.kind) +
         ", \"shape\": " + json_string(r.shape) + ", \"flops\": " + json_number(r.flops.count()) + ", \"bytes\": " +
         json_number(static_cast<double>(r.bytes.count())) + "}";
  }
  return o + "\n  ]\n}\n";
}

}  // namespace

int describe_command(const std::vector<std::string>& args, std::ostream& out) {
  const ParsedArgs a = parse_args(args, describe_options(), "describe");
  if (a.help) {
    out << kDescribeUsage << options_help(describe_options());
    return 0;
  }
  if (!a.positionals.empty()) {
    throw UsageError("unexpected argument '" + a.positionals.front() + "' (give the workload with --workload)", "describe");
  }
  if (!a.has("--workload")) throw UsageError("missing --workload FILE", "describe");
  const std::string format = a.get("--format", "table");
  const std::vector<std::string> formats{"table", "json"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    throw UsageError("--format expects table or json, got '" + format + "'" + did_you_mean(format, formats), "describe");
  }
  std::size_t rows = 40;
  if (a.has("--rows")) {
    const std::string r = a.get("--rows");
    if (r.empty() || r.find_first_not_of("0123456789") != std::string::npos || r.size() > 9) {
      throw UsageError("--rows expects a whole number, got '" + r + "'", "describe");
    }
    rows = static_cast<std::size_t>(std::stoul(r));
  }
  const std::vector<std::string> wset = workload_overrides(a, "describe");
  require_file(a.get("--workload"), "workload file", "describe");
  if (a.has("--export-trace")) OutputFiles::check_writable({{"--export-trace", a.get("--export-trace")}});

  const wl::OpGraph g = wl::load_workload(a.get("--workload"), wset);
  // With a fusion policy asked for (--wset fusion=full, or the spec's `fusion:`), the table lists the
  // kernels it forms; the totals and parameters stay those of the ops.
  const wl::OpGraph kernels = g.fusion() ? wl::fuse(g, *g.fusion()) : g;
  const wl::GraphSummary s = wl::describe(kernels);
  const std::vector<wl::StageSummary> stages = wl::stage_summaries(g);
  const std::int64_t params = wl::matrix_parameters(g);
  std::string text;
  if (format == "json") {
    text = to_json(s, params, stages);
  } else {
    const std::string summary = wl::format_summary(s, rows);
    const std::size_t table = summary.find("\n\n");  // totals first, then the stages, then the op table
    text = summary.substr(0, table + 1) + "  matrix parameters: " + format_count(static_cast<double>(params)) + "\n";
    if (!stages.empty()) text += stage_table(stages);
    text += summary.substr(table + 1);
  }
  if (a.has("--export-trace")) {
    OutputFiles files;
    files.add(a.get("--export-trace"), wl::export_trace(g));
    files.commit();
  }
  out << text;
  return 0;
}

}  // namespace xpusim::cli
