// SPDX-License-Identifier: MIT
// Command-line option parsing for the `xpusim` commands, with did-you-mean for misspelt options.
#include <algorithm>

#include "sim/cli/cli.h"
#include "sim/config/config_error.h"

namespace xpusim::cli {

std::string ParsedArgs::get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      const std::string& command) {
  ParsedArgs parsed;
  std::vector<std::string> names{"--help"};
  for (const auto& s : specs) names.push_back(s.name);
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      parsed.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      parsed.help = true;
      continue;
    }
    const auto eq = a.find('=');
    const std::string name = a.substr(0, eq);
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      throw UsageError("unknown option '" + name + "'" + (command.empty() ? "" : " for '" + command + "'") +
                           did_you_mean(name, names),
                       command);
    }
    std::string value;
    if (spec->value_name.empty()) {
      if (eq != std::string::npos) throw UsageError("option '" + name + "' takes no value", command);
    } else if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError("option '" + name + "' needs a value (" + name + " " + spec->value_name + ")", command);
    }
    auto& values = parsed.options[name];
    if (!values.empty() && !spec->repeatable) {
      throw UsageError("option '" + name + "' given more than once", command);
    }
    values.push_back(std::move(value));
  }
  return parsed;
}

std::string options_help(const std::vector<OptionSpec>& specs) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& s : specs) {
    std::string left = s.name + (s.value_name.empty() ? "" : " " + s.value_name);
    rows.emplace_back(left, s.help + (s.repeatable ? " (repeatable)" : ""));
  }
  rows.emplace_back("-h, --help", "show this help");
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out = "Options:\n";
  for (const auto& [left, help] : rows) {
    out += "  " + left + std::string(width - left.size() + 2, ' ') + help + "\n";
  }
  return out;
}

}  // namespace xpusim::cli
