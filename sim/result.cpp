// SPDX-License-Identifier: MIT
// Text forms of a Result: JSON (stable keys), CSV, a human table and Chrome trace-event JSON.
// Everything is written by hand with std::to_chars, so output is byte-stable and locale-free.
#include "sim/result.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string_view>

#include "sim/json_text.h"

namespace xpusim {
namespace {

// `v` with `digits` significant digits, for humans.
std::string sig(double v, int digits) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v < 0 ? "-inf" : "inf");
  char buf[48];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
  return std::string(buf, end);
}

// A CSV field per RFC 4180: quoted only when it holds a separator, a quote or a line break.
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Picoseconds as microseconds with up to six decimals, exactly: trace viewers take ts and dur in
// microseconds, and integer arithmetic avoids binary-fraction noise such as 0.30000000000000004.
std::string micros(std::int64_t ps) {
  std::string sign = ps < 0 ? "-" : "";
  std::uint64_t a = ps < 0 ? 0 - static_cast<std::uint64_t>(ps) : static_cast<std::uint64_t>(ps);
  std::string out = sign + std::to_string(a / 1000000);
  std::string frac = std::to_string(a % 1000000);
  frac.insert(0, 6 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? out : out + "." + frac;
}

// "1.234 ms": four significant digits and an SI prefix, for the human table.
std::string si(double v, std::string_view unit) {
  static constexpr const char* kPrefix[] = {"p", "n", "u", "m", "", "k", "M", "G", "T", "P"};
  if (v == 0 || !std::isfinite(v)) return sig(v, 4) + " " + std::string(unit);
  int k = static_cast<int>(std::floor(std::log10(std::fabs(v)) / 3));
  k = std::clamp(k, -4, 5);
  double scaled = v / std::pow(10.0, 3 * k);
  // Rounding to four digits can carry into the next prefix (999.97 -> 1000).
  if (std::fabs(scaled) >= 999.95 && k < 5) {
    ++k;
    scaled = v / std::pow(10.0, 3 * k);
  }
  return sig(scaled, 4) + " " + kPrefix[k + 4] + std::string(unit);
}

std::string percent(double part, double whole) {
  if (!(whole > 0)) return "-";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, 100.0 * part / whole, std::chars_format::fixed, 1);
  return std::string(buf, end) + "%";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(std::string s, std::size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

// Rows of cells printed as aligned columns; columns listed in `right` are right-aligned (numbers).
std::string columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                    const std::string& indent) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
      bool r = c < right.size() && right[c];
      bool last = c + 1 == row.size();
      line += r ? pad_left(row[c], width[c]) : (last ? row[c] : pad(row[c], width[c]));
      if (!last) line += "  ";
    }
    out += line + "\n";
  }
  return out;
}

std::int64_t to_ps(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * 1e12)); }

std::string scenario_json(const ScenarioReport& s) {
  std::string o = "{\"kind\": " + json_string(s.kind) + ", \"batching\": " + json_string(s.batching) +
                  ", \"seed\": " + json_number(static_cast<std::int64_t>(s.seed)) + ", \"queries\": " + json_number(s.queries) +
                  ", \"samples_per_query\": " + json_number(s.samples_per_query) + ", \"target_qps\": " + json_number(s.target_qps) +
                  ",\n    \"duration_s\": " + json_number(s.duration_s) + ", \"throughput\": {\"value\": " +
                  json_number(s.throughput_value) + ", \"unit\": " + json_string(s.throughput_unit) + "},\n    \"latency\": {";
  for (std::size_t i = 0; i < s.latencies.size(); ++i) {
    const LatencyDistribution& d = s.latencies[i];
    o += std::string(i ? "," : "") + "\n      " + json_string(d.name) + ": {\"count\": " + json_number(d.count) +
         ", \"mean_s\": " + json_number(d.mean_s) + ", \"p50_s\": " + json_number(d.p50_s) + ", \"p90_s\": " + json_number(d.p90_s) +
         ", \"p99_s\": " + json_number(d.p99_s) + ", \"max_s\": " + json_number(d.max_s) + "}";
  }
  o += s.latencies.empty() ? "},\n" : "\n    },\n";
  o += "    \"constraints\": [";
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    const LatencyConstraint& c = s.constraints[i];
    o += std::string(i ? "," : "") + "\n      {\"metric\": " + json_string(c.metric) + ", \"percentile\": " +
         json_number(c.percentile) + ", \"bound_s\": " + json_number(c.bound_s) + ", \"value_s\": " + json_number(c.value_s) +
         ", \"met\": " + (c.met ? "true" : "false") + ", \"source\": " + json_string(c.source) + "}";
  }
  o += s.constraints.empty() ? "],\n" : "\n    ],\n";
  const int met = s.met();
  o += std::string("    \"met\": ") + (met < 0 ? "null" : met ? "true" : "false") + ",\n    \"figures\": {";
  for (std::size_t i = 0; i < s.figures.size(); ++i) {
    o += (i ? ", " : "") + json_string(s.figures[i].first) + ": " + json_number(s.figures[i].second);
  }
  o += "},\n    \"steps\": [";
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const ScenarioStep& st = s.steps[i];
    o += std::string(i ? "," : "") + "\n      {\"phase\": " + json_string(st.phase) + ", \"batch\": " + json_number(st.batch) +
         ", \"tokens\": " + json_number(st.tokens) + ", \"past_tokens\": " + json_number(st.past_tokens) +
         ", \"decode_batch\": " + json_number(st.decode_batch) + ", \"decode_tokens\": " + json_number(st.decode_tokens) +
         ", \"count\": " + json_number(st.count) + ", \"latency_s\": " + json_number(st.latency_s) + "}";
  }
  o += s.steps.empty() ? "],\n" : "\n    ],\n";
  return o + "    \"simulations\": " + json_number(s.simulations) + "}";
}

// The scenario block of the human table: what ran, the latency percentiles, each constraint's verdict.
std::string scenario_table(const ScenarioReport& s) {
  std::string what = s.kind + ", " + s.batching + " batching, " + std::to_string(s.queries) + " queries";
  if (s.samples_per_query > 1) what += " of " + std::to_string(s.samples_per_query) + " samples";
  if (s.target_qps > 0) what += " at " + sig(s.target_qps, 4) + " qps";
  what += " (seed " + std::to_string(s.seed) + ", " + std::to_string(s.simulations) + " step shapes simulated)";
  std::string o = columns({{"scenario", what},
                           {"duration", si(s.duration_s, "s")},
                           {"throughput", sig(s.throughput_value, 4) + " " + s.throughput_unit}},
                          {}, "");
  std::vector<std::vector<std::string>> rows{{"latency", "count", "mean", "p50", "p90", "p99", "max"}};
  for (const LatencyDistribution& d : s.latencies) {
    rows.push_back({d.name, std::to_string(d.count), si(d.mean_s, "s"), si(d.p50_s, "s"), si(d.p90_s, "s"),
                    si(d.p99_s, "s"), si(d.max_s, "s")});
  }
  o += "\n" + columns(rows, {false, true, true, true, true, true, true}, "  ");
  if (!s.constraints.empty()) o += "\nconstraints\n";
  for (const LatencyConstraint& c : s.constraints) {
    o += "  " + c.metric + " p" + sig(c.percentile, 4) + " " + si(c.value_s, "s") + (c.met ? " <= " : " > ") +
         si(c.bound_s, "s") + ": " + (c.met ? "met" : "NOT met") + "  (" + c.source + ")\n";
  }
  std::vector<std::vector<std::string>> figures;
  for (const auto& [key, value] : s.figures) figures.push_back({key, sig(value, 6)});
  if (!figures.empty()) o += "\nscheduler\n" + columns(figures, {false, true}, "  ");
  std::vector<std::vector<std::string>> steps{{"step", "batch", "tokens", "count", "latency"}};
  for (const ScenarioStep& st : s.steps) {
    // A mixed step: "2+24" sequences, "256@768+1536" tokens (a 256-token chunk after 768, decodes over 1536).
    const std::string past = st.past_tokens > 0 ? "@" + std::to_string(st.past_tokens) : "";
    const bool mixed = st.decode_batch > 0;
    steps.push_back({st.phase, std::to_string(st.batch) + (mixed ? "+" + std::to_string(st.decode_batch) : ""),
                     std::to_string(st.tokens) + past + (mixed ? "+" + std::to_string(st.decode_tokens) : ""),
                     std::to_string(st.count), si(st.latency_s, "s")});
  }
  return o + "\nsimulated steps\n" + columns(steps, {false, true, true, true, true}, "  ") + "\n";
}

/// Counter tracks of the trace: the board power over time (the ops' dynamic energy spread over their
/// intervals, summed where they overlap, plus the static power of a one-chip run) and the clock ratio
/// the governor set, one sample wherever an op starts or ends. On a multi-chip system the ops are the
/// representative chips' (the totals count every copy), so only their dynamic power is drawn.
std::string power_counters(const Result& r) {
  struct Edge {
    std::int64_t at;
    double watts;
    double clock;  // the op's clock ratio at its start, 0 at its end or without a governor
  };
  std::vector<Edge> edges;
  double dynamic_j = 0;
  for (const OpResult& op : r.ops) {
    const std::int64_t start = to_ps(op.start_s), end = to_ps(op.end_s);
    dynamic_j += op.energy_j;
    if (end <= start) continue;
    const double w = op.energy_j / (op.end_s - op.start_s);
    edges.push_back({start, w, op.clock_ratio.value_or(0)});
    edges.push_back({end, -w, 0});
  }
  if (edges.empty()) return "";
  std::stable_sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.at < b.at; });
  // A scenario's ops are one step of many, so its energy is not theirs plus static: no static series.
  const bool interconnect = std::any_of(r.energy_breakdown_j.begin(), r.energy_breakdown_j.end(),
                                        [](const auto& e) { return e.first == "interconnect"; });
  const bool single = !r.scenario && !interconnect && r.latency_s > 0;
  const double static_w = single ? std::max(0.0, (r.energy_j - dynamic_j) / r.latency_s) : 0;
  std::string o;
  double watts = 0, clock = 0;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    watts += edges[i].watts;
    if (edges[i].clock > 0) clock = edges[i].clock;
    if (i + 1 < edges.size() && edges[i + 1].at == edges[i].at) continue;  // one sample per instant
    std::string args = "\"dynamic_W\": " + json_number(std::max(0.0, watts));
    if (single) args += ", \"static_W\": " + json_number(static_w);
    o += ",\n{\"name\": \"power\", \"ph\": \"C\", \"pid\": 1, \"ts\": " + micros(edges[i].at) + ", \"args\": {" + args + "}}";
    if (clock > 0) {
      o += ",\n{\"name\": \"clock ratio\", \"ph\": \"C\", \"pid\": 1, \"ts\": " + micros(edges[i].at) +
           ", \"args\": {\"ratio\": " + json_number(clock) + "}}";
    }
  }
  return o;
}

}  // namespace

std::string to_json(const Result& r) {
  std::string o = "{\n";
  o += "  \"chip\": " + json_string(r.chip) + ",\n";
  o += "  \"workload\": " + json_string(r.workload) + ",\n";
  o += "  \"compression\": " + json_string(r.compression) + ",\n";
  if (!r.fusion.empty()) o += "  \"fusion\": " + json_string(r.fusion) + ",\n";
  o += "  \"latency_s\": " + json_number(r.latency_s) + ",\n";
  o += "  \"throughput\": {\"value\": " + json_number(r.throughput_value) + ", \"unit\": " + json_string(r.throughput_unit) + "},\n";
  o += "  \"energy_j\": " + json_number(r.energy_j) + ",\n";
  o += "  \"avg_power_w\": " + json_number(r.avg_power_w) + ",\n";
  if (r.power_cap_w) o += "  \"power_cap_w\": " + json_number(*r.power_cap_w) + ",\n";
  if (r.avg_clock_ratio) o += "  \"avg_clock_ratio\": " + json_number(*r.avg_clock_ratio) + ",\n";
  o += "  \"energy_breakdown_j\": {";
  for (std::size_t i = 0; i < r.energy_breakdown_j.size(); ++i) {
    const auto& [component, joules] = r.energy_breakdown_j[i];
    o += (i ? ", " : "") + json_string(component) + ": " + json_number(joules);
  }
  o += "},\n";
  o += "  \"time_bound_fraction\": {\"compute\": " + json_number(r.bound_compute) + ", \"memory\": " + json_number(r.bound_memory) +
       ", \"interconnect\": " + json_number(r.bound_interconnect) + "},\n";
  // The ceilings of the roofline plot: each unit's peak per dtype it ran, and main-memory bandwidth.
  o += "  \"roofline\": {\"peak_flops_per_s\": {";
  for (std::size_t i = 0; i < r.peak_flops_per_s.size(); ++i) {
    o += (i ? ", " : "") + json_string(r.peak_flops_per_s[i].first) + ": " + json_number(r.peak_flops_per_s[i].second);
  }
  o += "}, \"peak_bandwidth_bytes_per_s\": " + json_number(r.peak_bandwidth_bytes_per_s) + "},\n";
  o += "  \"ops\": [";
  for (std::size_t i = 0; i < r.ops.size(); ++i) {
    const OpResult& op = r.ops[i];
    o += std::string(i ? "," : "") + "\n    {\"name\": " + json_string(op.name) + ", \"kind\": " + json_string(op.kind) +
         ", \"unit\": " + json_string(op.unit) + ", \"dataflow\": " + json_string(op.dataflow) +
         ", \"start_s\": " + json_number(op.start_s) + ", \"end_s\": " + json_number(op.end_s) + ", \"flops\": " + json_number(op.flops) +
         ", \"bytes\": " + json_number(op.bytes) + ", \"bound\": " + json_string(op.bound) +
         ", \"bound_level\": " + json_string(op.bound_level) +
         ", \"compute_cycles\": " + json_number(op.compute_cycles) + ", \"energy_j\": " + json_number(op.energy_j) +
         ", \"roofline_s\": " + json_number(op.roofline_s) + ", \"dequant_ops\": " + json_number(op.dequant_ops) +
         ", \"dequant_s\": " + json_number(op.dequant_s);
    if (op.clock_ratio) o += ", \"clock_ratio\": " + json_number(*op.clock_ratio);
    if (!op.members.empty()) {
      o += ", \"members\": [";
      for (std::size_t m = 0; m < op.members.size(); ++m) o += (m ? ", " : "") + json_string(op.members[m]);
      o += "]";
    }
    o += "}";
  }
  o += r.ops.empty() ? "],\n" : "\n  ],\n";
  o += "  \"stats\": [";
  for (std::size_t i = 0; i < r.stats.size(); ++i) {
    const ComponentStat& s = r.stats[i];
    o += std::string(i ? "," : "") + "\n    {\"component\": " + json_string(s.component) + ", \"key\": " + json_string(s.key) +
         ", \"value\": " + json_number(s.value) + ", \"unit\": " + json_string(s.unit) + "}";
  }
  o += r.stats.empty() ? "]" : "\n  ]";
  if (r.scenario) o += ",\n  \"scenario\": " + scenario_json(*r.scenario);
  return o + "\n}\n";
}

std::string to_csv(const Result& r) {
  // A governed chip's ops carry the clock they ran at in one more column.
  const bool clocks = r.avg_clock_ratio.has_value();
  std::string o = "name,kind,unit,dataflow,start_s,end_s,flops,bytes,bound,compute_cycles,energy_j,roofline_s,dequant_ops,dequant_s";
  o += clocks ? ",clock_ratio\n" : "\n";
  for (const OpResult& op : r.ops) {
    o += csv_field(op.name) + "," + csv_field(op.kind) + "," + csv_field(op.unit) + "," + csv_field(op.dataflow) + "," +
         json_number(op.start_s) + "," + json_number(op.end_s) + "," + json_number(op.flops) + "," + json_number(op.bytes) + "," + csv_field(op.bound) +
         "," + json_number(op.compute_cycles) + "," + json_number(op.energy_j) + "," + json_number(op.roofline_s) + "," + json_number(op.dequant_ops) +
         "," + json_number(op.dequant_s);
    if (clocks) o += "," + (op.clock_ratio ? json_number(*op.clock_ratio) : std::string());
    o += "\n";
  }
  return o;
}

std::string to_table(const Result& r) {
  std::string o = r.scenario ? scenario_table(*r.scenario) : std::string();
  std::vector<std::vector<std::string>> summary{{"chip", r.chip}, {"workload", r.workload}};
  if (!r.compression.empty()) summary.push_back({"compression", r.compression});
  summary.push_back({"latency", si(r.latency_s, "s")});
  summary.push_back({"throughput", (std::fabs(r.throughput_value) >= 1000 ? si(r.throughput_value, "")
                                                                          : sig(r.throughput_value, 4)) +
                                       " " + r.throughput_unit});
  summary.push_back({"energy", si(r.energy_j, "J")});
  summary.push_back({"avg power", si(r.avg_power_w, "W")});
  if (r.avg_clock_ratio) {
    summary.push_back({"clock", sig(*r.avg_clock_ratio, 3) + " x configured (" + (r.power_cap_w ? "power cap " + si(*r.power_cap_w, "W") : std::string("no power cap")) + ")"});
  }
  o += columns(summary, {}, "");

  o += "\nenergy breakdown\n";
  std::vector<std::vector<std::string>> energy;
  for (const auto& [component, joules] : r.energy_breakdown_j) {
    energy.push_back({component, si(joules, "J"), percent(joules, r.energy_j)});
  }
  if (energy.empty()) energy.push_back({"(none)"});
  o += columns(energy, {false, true, true}, "  ");

  o += "\ntime bound\n";
  o += columns({{"compute", percent(r.bound_compute, 1)},
                {"memory", percent(r.bound_memory, 1)},
                {"interconnect", percent(r.bound_interconnect, 1)}},
               {false, true}, "  ");

  // Slowest first; a stable sort keeps graph order among equal durations, so the table is deterministic.
  std::vector<std::size_t> order(r.ops.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto duration = [&](std::size_t i) { return r.ops[i].end_s - r.ops[i].start_s; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return duration(a) > duration(b); });
  const std::size_t shown = std::min<std::size_t>(order.size(), 10);
  o += "\nslowest ops (" + std::to_string(shown) + " of " + std::to_string(r.ops.size()) + ")\n";
  // Weight dequantization gets a column only in runs that have any.
  const bool dequant = std::any_of(r.ops.begin(), r.ops.end(), [](const OpResult& op) { return op.dequant_s > 0; });
  std::vector<std::vector<std::string>> rows{{"name", "kind", "unit", "time", "share", "bound", "roofline"}};
  if (dequant) rows.front().push_back("dequant");
  for (std::size_t k = 0; k < shown; ++k) {
    const OpResult& op = r.ops[order[k]];
    rows.push_back({op.name, op.kind, op.unit, si(duration(order[k]), "s"), percent(duration(order[k]), r.latency_s),
                    op.bound, si(op.roofline_s, "s")});
    if (dequant) rows.back().push_back(si(op.dequant_s, "s"));
  }
  o += columns(rows, {false, false, false, true, true, false, true, true}, "  ");
  return o;
}

std::string to_chrome_trace(const Result& r) {
  std::vector<TraceSpan> spans = r.timeline;
  // A result without a recorded timeline still has each op's interval; show those on one track.
  if (spans.empty()) {
    for (const OpResult& op : r.ops) {
      spans.push_back({"ops", op.name, "op", to_ps(op.start_s), to_ps(op.end_s) - to_ps(op.start_s)});
    }
  }
  // Tracks get thread ids in order of first appearance, which is fixed by the timeline's order.
  std::vector<std::string> tracks;
  auto tid_of = [&](const std::string& track) {
    auto it = std::find(tracks.begin(), tracks.end(), track);
    if (it == tracks.end()) {
      tracks.push_back(track);
      return tracks.size();
    }
    return static_cast<std::size_t>(it - tracks.begin()) + 1;
  };
  std::vector<std::size_t> tids;
  tids.reserve(spans.size());
  for (const TraceSpan& s : spans) tids.push_back(tid_of(s.track));

  std::string o = "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  std::string process = r.chip.empty() ? "xpusim" : r.chip;
  if (!r.workload.empty()) process += " / " + r.workload;
  o += "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"args\": {\"name\": " + json_string(process) +
       "}}";
  for (std::size_t t = 0; t < tracks.size(); ++t) {
    std::string tid = std::to_string(t + 1);
    o += ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": " + tid +
         ", \"args\": {\"name\": " + json_string(tracks[t]) + "}}";
    o += ",\n{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1, \"tid\": " + tid +
         ", \"args\": {\"sort_index\": " + tid + "}}";
  }
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const TraceSpan& s = spans[i];
    o += ",\n{\"name\": " + json_string(s.name) + ", \"cat\": " + json_string(s.category.empty() ? "span" : s.category) +
         ", \"ph\": \"X\", \"pid\": 1, \"tid\": " + std::to_string(tids[i]) + ", \"ts\": " + micros(s.start_ps) +
         ", \"dur\": " + micros(s.duration_ps) + "}";
  }
  o += power_counters(r);
  return o + "\n]}\n";
}

}  // namespace xpusim
