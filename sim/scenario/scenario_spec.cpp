// SPDX-License-Identifier: MIT
#include "sim/scenario/scenario_spec.h"

#include <filesystem>

#include "sim/config/config_node.h"

namespace xpusim {
namespace {

const std::vector<std::string> kKinds = {"offline", "server", "single_stream", "multi_stream"};

// The block as written: the schema binds text and units; semantic checks follow in parse_scenario.
struct RawScenario {
  std::string kind, batching = "continuous", lengths = "fixed", requests;
  std::int64_t seed = 1, queries = 1024, samples_per_query = 0, max_batch = 0;
  double qps = 0, percentile = 0, memory_fraction = 0.9;
  Time max_wait{0}, latency_bound{0}, ttft_bound{0}, tpot_bound{0};
  std::int64_t kv_block = 16, max_prefill_tokens = 0;
  std::int64_t prompt_len_min = 0, prompt_len_max = 0, output_len_min = 0, output_len_max = 0;
  std::int64_t kv_bucket = 0, batch_bucket = 0;

  static const Schema<RawScenario>& schema() {
    static const Schema<RawScenario> s = [] {
      Schema<RawScenario> sc("An MLPerf Inference scenario: query arrivals, batching and the latency constraint");
      sc.add("kind", &RawScenario::kind, "offline (all queries at once), server (Poisson arrivals), single_stream "
                                         "or multi_stream (next query when the previous one is done)")
          .one_of(kKinds)
          .required();
      sc.add("seed", &RawScenario::seed, "seeds arrivals and request lengths: same seed, same output").at_least(0);
      sc.add("queries", &RawScenario::queries, "queries (LLM: requests) in the run").at_least(1);
      sc.add("qps", &RawScenario::qps, "server: mean Poisson arrival rate in queries per second").positive();
      sc.add("samples_per_query", &RawScenario::samples_per_query, "samples per query; 0 = 8 for multi_stream (MLPerf), else 1")
          .at_least(0);
      sc.add("max_batch", &RawScenario::max_batch,
             "largest batch (LLM: running sequences, vLLM max_num_seqs); 0 = samples_per_query for single/multi_stream, "
             "256 otherwise")
          .at_least(0);
      sc.add("max_wait", &RawScenario::max_wait, "dynamic batcher: longest a query waits for a fuller batch (non-LLM)")
          .at_least(0);
      sc.add("percentile", &RawScenario::percentile, "latency percentile judged; 0 = 90 for single_stream, else 99 (MLPerf)")
          .at_least(0)
          .at_most(100);
      sc.add("latency_bound", &RawScenario::latency_bound,
             "bound on the query (LLM: whole request) latency percentile; 0 s = none, or the MLPerf server default")
          .at_least(0);
      sc.add("ttft_bound", &RawScenario::ttft_bound, "LLM: bound on the time-to-first-token percentile; 0 s = MLPerf default or none")
          .at_least(0);
      sc.add("tpot_bound", &RawScenario::tpot_bound, "LLM: bound on the time-per-output-token percentile; 0 s = MLPerf default or none")
          .at_least(0);
      sc.add("batching", &RawScenario::batching,
             "LLM: continuous (iteration-level, vLLM v0), chunked (continuous with chunked prefill: prompt chunks ride "
             "with the decodes) or static (whole batches)")
          .one_of({"continuous", "chunked", "static"});
      sc.add("kv_block", &RawScenario::kv_block, "LLM: tokens per paged KV-cache block (vLLM block_size 16)").at_least(1);
      sc.add("memory_fraction", &RawScenario::memory_fraction,
             "LLM: share of each chip's main memory for weights, activations and KV cache (vLLM gpu_memory_utilization 0.9)")
          .positive()
          .at_most(1);
      sc.add("max_prefill_tokens", &RawScenario::max_prefill_tokens,
             "LLM: prompt tokens per prefill iteration; 0 = max(2048, longest request), vLLM without chunked prefill. "
             "Chunked: the token budget of every iteration, decodes included (vLLM max_num_batched_tokens); 0 = 2048")
          .at_least(0);
      sc.add("lengths", &RawScenario::lengths, "LLM: fixed (the workload's prompt_len / output_len) or uniform (seeded, in the ranges below)")
          .one_of({"fixed", "uniform"});
      sc.add("prompt_len_min", &RawScenario::prompt_len_min, "LLM, lengths uniform: shortest prompt").at_least(1);
      sc.add("prompt_len_max", &RawScenario::prompt_len_max, "LLM, lengths uniform: longest prompt").at_least(1);
      sc.add("output_len_min", &RawScenario::output_len_min, "LLM, lengths uniform: fewest output tokens").at_least(1);
      sc.add("output_len_max", &RawScenario::output_len_max, "LLM, lengths uniform: most output tokens").at_least(1);
      sc.add("kv_bucket", &RawScenario::kv_bucket,
             "LLM: decode contexts round up to a multiple of this (prompts to four significant bits); 0 = the workload's kv_bucket")
          .at_least(0);
      sc.add("requests", &RawScenario::requests,
             "server: a request log (CSV; path relative to the file that holds this block) replayed instead of Poisson "
             "arrivals: columns arrival_s or TIMESTAMP, and for an LLM prompt_tokens / output_tokens (the Azure LLM "
             "trace names ContextTokens / GeneratedTokens also read); queries = its rows unless given");
      sc.add("batch_bucket", &RawScenario::batch_bucket,
             "batches are padded to a multiple of this; 0 = exact sizes (non-LLM), powers of two (LLM)")
          .at_least(0);
      return sc;
    }();
    return s;
  }
};

ScenarioKind kind_of(const std::string& k) {
  if (k == "offline") return ScenarioKind::kOffline;
  if (k == "single_stream") return ScenarioKind::kSingleStream;
  if (k == "multi_stream") return ScenarioKind::kMultiStream;
  return ScenarioKind::kServer;
}

const SourceMark& mark_of(const ConfigNode& node, std::string_view key) {
  const ConfigNode* n = node.find(key);
  return n ? n->mark() : node.mark();
}

}  // namespace

bool is_scenario_kind(std::string_view text) {
  for (const auto& k : kKinds) {
    if (k == text) return true;
  }
  return false;
}

std::string_view to_string(ScenarioKind k) {
  switch (k) {
    case ScenarioKind::kOffline: return "offline";
    case ScenarioKind::kServer: return "server";
    case ScenarioKind::kSingleStream: return "single_stream";
    case ScenarioKind::kMultiStream: return "multi_stream";
  }
  return "?";
}

std::string_view to_string(Batching b) {
  return b == Batching::kStatic ? "static" : b == Batching::kChunked ? "chunked" : "continuous";
}

std::vector<FieldDoc> scenario_fields() { return RawScenario::schema().docs(); }

ScenarioSpec parse_scenario(const ConfigNode& node) {
  Diagnostics diag;
  const RawScenario raw = RawScenario::schema().bind(node, "scenario", diag, {});
  diag.throw_if_any();
  ScenarioSpec s;
  s.kind = kind_of(raw.kind);
  s.seed = static_cast<std::uint64_t>(raw.seed);
  s.queries = raw.queries;
  s.qps = raw.qps;
  s.samples_per_query = raw.samples_per_query;
  s.max_batch = raw.max_batch;
  s.max_wait = raw.max_wait;
  s.percentile = raw.percentile;
  s.latency_bound = raw.latency_bound;
  s.ttft_bound = raw.ttft_bound;
  s.tpot_bound = raw.tpot_bound;
  s.batching = raw.batching == "static" ? Batching::kStatic : raw.batching == "chunked" ? Batching::kChunked : Batching::kContinuous;
  s.kv_block = raw.kv_block;
  s.memory_fraction = raw.memory_fraction;
  s.max_prefill_tokens = raw.max_prefill_tokens;
  s.lengths = raw.lengths == "uniform" ? LengthDistribution::kUniform : LengthDistribution::kFixed;
  s.prompt_len_min = raw.prompt_len_min;
  s.prompt_len_max = raw.prompt_len_max;
  s.output_len_min = raw.output_len_min;
  s.output_len_max = raw.output_len_max;
  s.kv_bucket = raw.kv_bucket;
  s.batch_bucket = raw.batch_bucket;
  s.mark = node.mark();

  if (const ConfigNode* log = node.find("requests")) {
    namespace fs = std::filesystem;
    fs::path file = raw.requests;
    // A path inside a YAML file is relative to that file; one given on the command line, to the directory.
    if (file.is_relative() && fs::is_regular_file(log->mark().file)) file = fs::path(log->mark().file).parent_path() / file;
    if (s.kind != ScenarioKind::kServer) diag.error(log->mark(), "scenario: 'requests' replays arrivals, which needs kind: server");
    if (node.find("qps")) diag.error(mark_of(node, "qps"), "scenario: give either 'qps' (Poisson arrivals) or 'requests' (a log), not both");
    if (s.lengths == LengthDistribution::kUniform) diag.error(mark_of(node, "lengths"), "scenario: 'requests' gives the lengths; drop lengths: uniform");
    if (s.samples_per_query > 1) diag.error(mark_of(node, "samples_per_query"), "scenario: a logged request is one sample");
    diag.throw_if_any();
    if (!fs::is_regular_file(file)) throw ConfigError(log->mark(), "scenario: 'requests' file '" + file.string() + "' not found");
    s.log = read_request_log(file.string());
    if (!node.find("queries")) {
      s.queries = static_cast<std::int64_t>(s.log.size());
    } else if (s.queries > static_cast<std::int64_t>(s.log.size())) {
      throw ConfigError(mark_of(node, "queries"), "scenario: 'queries' " + std::to_string(s.queries) + " exceeds the " +
                                                      std::to_string(s.log.size()) + " requests of the log");
    }
    s.log.resize(static_cast<std::size_t>(s.queries));
    // The log's offered rate stands where a Poisson run's qps does (reports' target_qps).
    const double span = s.log.back().arrival.seconds();
    s.qps = span > 0 ? static_cast<double>(s.queries - 1) / span : 0;
  } else if (s.kind == ScenarioKind::kServer && !node.find("qps")) {
    diag.error(node.mark(), "scenario (server): missing required key 'qps' (the Poisson arrival rate, queries per second), "
                            "or 'requests' (a request log to replay)");
  }
  const char* const range_keys[] = {"prompt_len_min", "prompt_len_max", "output_len_min", "output_len_max"};
  if (s.lengths == LengthDistribution::kUniform) {
    for (const char* k : range_keys) {
      if (!node.find(k)) diag.error(node.mark(), std::string("scenario: lengths uniform needs '") + k + "'");
    }
    if (node.find("prompt_len_max") && s.prompt_len_min > s.prompt_len_max) {
      diag.error(mark_of(node, "prompt_len_max"), "scenario: 'prompt_len_max' is below 'prompt_len_min'");
    }
    if (node.find("output_len_max") && s.output_len_min > s.output_len_max) {
      diag.error(mark_of(node, "output_len_max"), "scenario: 'output_len_max' is below 'output_len_min'");
    }
  } else {
    for (const char* k : range_keys) {
      if (node.find(k)) diag.error(mark_of(node, k), std::string("scenario: '") + k + "' needs lengths: uniform");
    }
  }
  diag.throw_if_any();
  return s;
}

std::optional<ScenarioSpec> resolve_scenario(const std::string& workload_path, const std::string& source,
                                             const std::vector<std::string>& overrides) {
  namespace fs = std::filesystem;
  // The block sits under a `scenario` key of a root map, so override messages read "--set scenario.qps".
  ConfigNode root = ConfigNode::map(SourceMark{workload_path, 0, 0});
  const std::string ext = fs::path(workload_path).extension().string();
  if (ext == ".yaml" || ext == ".yml") {
    const ConfigNode file = ConfigNode::load_file(workload_path);
    if (const ConfigNode* block = file.is_map() ? file.find("scenario") : nullptr) root.set("scenario", *block);
  }
  if (source == "none") {
    if (!overrides.empty()) {
      throw ConfigError(SourceMark{"--set scenario." + overrides.front(), 0, 0}, "there is no scenario to set (--scenario none)");
    }
    return std::nullopt;
  }
  if (!source.empty()) {
    const SourceMark here{"--scenario " + source, 0, 0};
    if (is_scenario_kind(source)) {
      if (!root.find("scenario")) root.set("scenario", ConfigNode::map(here), here);
      root.find("scenario")->set("kind", ConfigNode::scalar(source, here), here);
    } else if (fs::is_regular_file(source)) {
      const ConfigNode file = ConfigNode::load_file(source);
      const ConfigNode* block = file.is_map() ? file.find("scenario") : nullptr;
      if (!block || file.entries().size() != 1) {
        throw ConfigError(file.mark(), "a scenario file is a map with one key, 'scenario'");
      }
      root.set("scenario", *block);
    } else {
      throw ConfigError(here, "--scenario expects offline, server, single_stream, multi_stream, none or a scenario "
                              "YAML file, got '" + source + "'" + did_you_mean(source, kKinds));
    }
  }
  if (!root.find("scenario")) {
    if (!overrides.empty()) {
      throw ConfigError(SourceMark{"--set scenario." + overrides.front(), 0, 0},
                        "there is no scenario to set: give --scenario KIND or add a 'scenario:' block to the workload");
    }
    return std::nullopt;
  }
  for (const std::string& o : overrides) {
    const std::size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(SourceMark{"--set scenario." + o, 0, 0}, "expects scenario.KEY=VALUE, e.g. scenario.qps=50");
    }
    root.apply_override("scenario." + o.substr(0, eq), o.substr(eq + 1));
  }
  return parse_scenario(*root.find("scenario"));
}

}  // namespace xpusim
