// SPDX-License-Identifier: MIT
// Pieces of the `xpusim` program: option parsing, input loading, all-or-nothing output files and
// one function per command. Commands throw on bad input; only main() turns errors into exit codes.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "arch/system.h"
#include "sim/result.h"
#include "sim/scenario/scenario_spec.h"
#include "workloads/op_graph.h"

namespace xpusim::cli {

/// A bad command line (unknown option, missing value, missing file). Exit code 2, like ConfigError.
/// `command` names the command whose --help would have helped ("" for the top level).
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& message, std::string command = {})
      : std::runtime_error(message), command_(std::move(command)) {}
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

/// One option a command accepts, e.g. {"--set", "PATH=VALUE", true, "..."}.
struct OptionSpec {
  std::string name;
  std::string value_name;  // empty for flags
  bool repeatable = false;
  std::string help;
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>> options;  // ordered: no hash-map iteration
  std::vector<std::string> positionals;
  bool help = false;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  /// The single value of `name`, or `fallback` when it was not given.
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  /// Every value of a repeatable option, in command-line order.
  std::vector<std::string> all(const std::string& name) const;
};

/// Parses `args` (after the command word) against `specs`. Accepts `--opt value` and `--opt=value`,
/// `--` ends the options, `-h`/`--help` sets `help`. Throws UsageError with a did-you-mean.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      const std::string& command);

/// "Options:" block of a command's --help, one aligned line per option.
std::string options_help(const std::vector<OptionSpec>& specs);

/// Throws UsageError unless `path` names a readable regular file; `what` is e.g. "chip file".
void require_file(const std::string& path, const std::string& what, const std::string& command);

/// True when `path` holds a chip config rather than a workload: a SCALE-Sim .cfg, or YAML with
/// top-level `chip:` or `components:`. Throws ConfigError (with line:column) for malformed YAML.
bool is_chip_file(const std::string& path);

/// Throws UsageError unless every entry of `overrides` has the form PATH=VALUE with a non-empty
/// PATH, quoting the entry as typed; `option` is "--set" or "--wset".
void check_overrides(const std::vector<std::string>& overrides, const std::string& option, const std::string& command);

/// The --compress option of the commands that load a workload.
OptionSpec compress_option();
/// The workload overrides of a command line: its --wset entries, then one compression.KEY=VALUE
/// entry per setting of --compress. Throws UsageError for malformed entries.
std::vector<std::string> workload_overrides(const ParsedArgs& a, const std::string& command);

/// Loads a chip from YAML or a SCALE-Sim .cfg, applying `--set path=value` overrides. Paths that do
/// not start with `chip.` or `components.` address components by name (`dram.bandwidth`).
std::unique_ptr<arch::Chip> load_chip(const std::string& path, const std::vector<std::string>& overrides);

/// Runs a workload spec (type generation or transformer) on `system`; see run_on_system.
Result run_generation(arch::System& system, const std::string& workload_path,
                      const std::vector<std::string>& workload_overrides, bool trace, std::string* summary);

/// Runs a workload spec (type generation or transformer) on a system config with `--set` overrides
/// and `--wset` workload overrides. A generation is summarised into one Result; `summary` gets its
/// TTFT / TPOT / tokens/s lines.
Result run_on_system(const std::string& system_path, const std::vector<std::string>& overrides,
                     const std::string& workload_path, const std::vector<std::string>& workload_overrides, bool trace,
                     std::string* summary);

/// Runs the scenario `spec` (sim/scenario) of a workload: an LLM generation spec on the system config
/// (or on the chip as a one-chip system), any other workload on the chip. `overrides` are the --set
/// values without the scenario ones. Throws ConfigError for a non-LLM workload on a system.
Result run_scenario(const std::string& hardware_path, bool is_system, const std::vector<std::string>& overrides,
                    const std::string& workload_path, const std::vector<std::string>& workload_overrides,
                    const ScenarioSpec& spec, bool trace);

/// Files written all or nothing: each goes to a temporary file in its target's directory and is
/// renamed over the target only in commit(), after every file was written in full. Temporaries left
/// by a failure are removed, so a failed run never leaves a partial or stale-looking output file.
class OutputFiles {
 public:
  /// Queues `content` for `path`. Throws UsageError if the directory is missing or the path repeats.
  void add(const std::string& path, std::string content);
  /// Checks, before any work is done, that each output (option, path) can be written later: its
  /// directory exists and no two outputs name the same file. Nothing can then fail after the run
  /// except the writes themselves.
  static void check_writable(const std::vector<std::pair<std::string, std::string>>& outputs);
  /// Writes and renames every queued file; throws UsageError (and removes temporaries) on failure.
  void commit();

 private:
  std::vector<std::pair<std::string, std::string>> files_;
};

/// The commands. Each writes its normal output to `out` and returns the exit code (0); bad input
/// throws UsageError, ConfigError or UnitError.
int run_command(const std::vector<std::string>& args, std::ostream& out);
int validate_command(const std::vector<std::string>& args, std::ostream& out);
int list_command(const std::vector<std::string>& args, std::ostream& out);
int compare_command(const std::vector<std::string>& args, std::ostream& out);
int describe_command(const std::vector<std::string>& args, std::ostream& out);
/// Delegates to `python3 -m xpusim report`; returns its exit code.
int report_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace xpusim::cli
