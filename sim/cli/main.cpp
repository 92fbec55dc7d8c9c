// SPDX-License-Identifier: MIT
// The `xpusim` program: dispatches to a command and maps errors to exit codes (0 ok, 1 internal
// error, 2 bad input). This is the only place in the project that decides how the process ends.
#include <cstdlib>
#include <iostream>
#include <new>
#include <sstream>

#include "sim/cli/cli.h"
#include "sim/config/config_error.h"
#include "sim/unit_parse.h"

namespace {

using xpusim::cli::UsageError;

const char* const kUsage =
    "Usage: xpusim COMMAND [OPTIONS]\n"
    "\n"
    "Cycle-approximate simulator of AI-inference accelerators.\n"
    "\n"
    "Commands:\n"
    "  run       simulate a workload on a chip: xpusim run --chip FILE --workload FILE\n"
    "  compare   one workload on several chips: xpusim compare --chips A.yaml,B.yaml --workload FILE\n"
    "  report    HTML report of results: xpusim report RESULT.json --html OUT.html\n"
    "  validate  check a chip config or a workload and print it resolved: xpusim validate FILE\n"
    "  list      list model types and their parameters: xpusim list [TYPE]\n"
    "  describe  parameters, work and traffic of a workload, per stage and op: xpusim describe --workload FILE\n"
    "\n"
    "Run 'xpusim COMMAND --help' for a command's options. Exit status: 0 success, 2 bad input,\n"
    "1 internal error.\n";

int dispatch(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) throw UsageError("missing command (run, compare, report, describe, validate or list)");
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    if (rest.empty()) {
      out << kUsage;
      return 0;
    }
    return dispatch({rest.front(), "--help"}, out);
  }
  if (command == "run") return xpusim::cli::run_command(rest, out);
  if (command == "validate") return xpusim::cli::validate_command(rest, out);
  if (command == "list") return xpusim::cli::list_command(rest, out);
  if (command == "compare") return xpusim::cli::compare_command(rest, out);
  if (command == "describe") return xpusim::cli::describe_command(rest, out);
  if (command == "report") return xpusim::cli::report_command(rest, out);
  const std::vector<std::string> commands{"run", "compare", "report", "validate", "list", "describe", "help"};
  std::string hint = xpusim::did_you_mean(command, commands);
  if (command.rfind("--", 0) == 0) {
    throw UsageError("unknown option '" + command + "' before a command" + hint);
  }
  throw UsageError("unknown command '" + command + "'" + hint);
}

void error(const std::string& message) {
  // Multi-line messages (every problem of a config) get the prefix on each line, for grep.
  std::istringstream lines(message);
  std::string line;
  while (std::getline(lines, line)) std::cerr << "xpusim: error: " << line << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  // SystemC prints a copyright banner on stdout at first use; it would corrupt JSON/CSV output.
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const std::vector<std::string> args(argv + 1, argv + argc);
  // Output is buffered and printed only after the command succeeded, so a failure never leaves
  // half a table on stdout either.
  std::ostringstream out;
  int code = 1;
  try {
    code = dispatch(args, out);
  } catch (const UsageError& e) {
    error(e.what());
    std::cerr << "Run 'xpusim " << (e.command().empty() ? "" : e.command() + " ") << "--help' for usage.\n";
    return 2;
  } catch (const xpusim::ConfigError& e) {
    for (const auto& m : e.messages()) error(m);
    return 2;
  } catch (const xpusim::UnitError& e) {
    error(e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    error("out of memory");
    return 1;
  } catch (const std::exception& e) {
    error(std::string("internal error: ") + e.what() + " (please report this with the inputs that caused it)");
    return 1;
  } catch (...) {
    error("internal error: unknown exception (please report this with the inputs that caused it)");
    return 1;
  }
  std::cout << out.str() << std::flush;
  if (!std::cout) {
    std::cerr << "xpusim: error: cannot write to standard output\n";
    return 1;
  }
  return code;
}
