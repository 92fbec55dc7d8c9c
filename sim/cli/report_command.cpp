// SPDX-License-Identifier: MIT
// `xpusim report RESULT.json... --html OUT.html`: the HTML report is written by the Python package
// (matplotlib charts), so this command hands its arguments to `python3 -m xpusim report`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "sim/cli/cli.h"

namespace xpusim::cli {

int report_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    out << "Usage: xpusim report RESULT.json [MORE.json]... --html OUT.html\n"
           "       xpusim report SWEEP.csv --html OUT.html\n\n"
           "Writes one self-contained HTML report (energy and time-bound breakdowns, roofline, slowest\n"
           "ops; side by side for several results; metric-vs-parameter plots for a sweep). Runs\n"
           "`python3 -m xpusim report` with the Python package of this build ($XPUSIM_PYTHON picks the\n"
           "interpreter; default /usr/bin/python3).\n";
    return 0;
  }
  const char* env_python = std::getenv("XPUSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  std::string path = XPUSIM_PYTHON_DIR;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;

  std::vector<std::string> argv_s{python, "-m", "xpusim", "report"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start " + python);
  if (pid == 0) {
    setenv("PYTHONPATH", path.c_str(), 1);
    execv(python.c_str(), argv.data());
    _exit(127);  // exec failed: the parent reports it
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) throw std::runtime_error("lost the report process");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    throw UsageError("cannot run " + python + " (set XPUSIM_PYTHON to a Python with numpy, pandas and matplotlib)",
                     "report");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace xpusim::cli
