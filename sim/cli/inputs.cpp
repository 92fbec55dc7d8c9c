// SPDX-License-Identifier: MIT
// Loading the CLI's inputs: which kind of file a path holds, and a chip from YAML or SCALE-Sim .cfg
// with --set overrides applied.
#include <cctype>
#include <filesystem>
#include <fstream>

#include "sim/cli/cli.h"
#include "sim/config/config_node.h"
#include "sim/config/scalesim_cfg.h"
#include "workloads/transforms/compress.h"

namespace xpusim::cli {
namespace {

// The lower-cased extension ("chip.YAML" -> ".yaml"), as the workload loader compares them.
std::string extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

}  // namespace

void require_file(const std::string& path, const std::string& what, const std::string& command) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw UsageError(what + " '" + path + "' does not exist", command);
  if (!fs::is_regular_file(path, ec)) throw UsageError(what + " '" + path + "' is not a regular file", command);
  if (!std::ifstream(path)) throw UsageError(what + " '" + path + "' cannot be read", command);
}

void check_overrides(const std::vector<std::string>& overrides, const std::string& option, const std::string& command) {
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      // Checked here, before paths are rewritten with "components.", so the message shows what was typed.
      throw UsageError(
          option + " '" + o + "': expects " +
              (option == "--set" ? "PATH=VALUE, e.g. dram.data_rate=\"8 GT/s\"" : "KEY=VALUE, e.g. batch=8"),
          command);
    }
  }
}

OptionSpec compress_option() {
  return {"--compress", "KEY=VALUE,...", false,
          "compression what-if on the workload's matrix ops, e.g. weight_dtype=int4,sparsity=2:4 (keys: weight_dtype, "
          "activation_dtype, sparsity=none|2:4|unstructured, density, seed, codec_ratio)"};
}

std::vector<std::string> workload_overrides(const ParsedArgs& a, const std::string& command) {
  std::vector<std::string> out = a.all("--wset");
  check_overrides(out, "--wset", command);
  if (a.has("--compress")) {
    try {
      for (std::string& o : wl::compression_overrides(a.get("--compress"))) out.push_back(std::move(o));
    } catch (const ConfigError& e) {
      throw UsageError(e.messages().front(), command);
    }
  }
  return out;
}

bool is_chip_file(const std::string& path) {
  const std::string ext = extension(path);
  if (ext == ".cfg") return true;
  if (ext != ".yaml" && ext != ".yml") return false;
  // Workload specs are YAML too; a chip config is told apart by its top-level keys.
  ConfigNode root = ConfigNode::load_file(path);
  return root.is_map() && (root.find("components") || root.find("chip"));
}

std::unique_ptr<arch::Chip> load_chip(const std::string& path, const std::vector<std::string>& overrides) {
  if (extension(path) != ".cfg") return arch::Chip::load(path, overrides);
  // A .cfg becomes the same tree a YAML chip gives, so overrides address it the same way
  // (mirrors arch::Chip::load, which only reads YAML).
  ConfigNode root = scalesim_cfg_to_chip_config(path);
  std::vector<std::string> rewritten;
  for (const auto& o : overrides) {
    bool top = o.rfind("chip.", 0) == 0 || o.rfind("components.", 0) == 0;
    rewritten.push_back(top ? o : "components." + o);
  }
  arch::apply_overrides(root, rewritten);
  return arch::Chip::build(root);
}

}  // namespace xpusim::cli
