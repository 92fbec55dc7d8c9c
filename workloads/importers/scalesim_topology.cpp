// SPDX-License-Identifier: MIT
// SCALE-Sim topology CSV reader. Follows SCALE-Sim v2's topology_utils.py: header skipped, blank rows
// skipped, one stride for both dimensions, `DP` layers split per channel, no padding, 1-byte words.
#include "workloads/importers/scalesim_topology.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <set>
#include <vector>

#include "sim/config/config_error.h"
#include "sim/config/csv_row.h"
#include "sim/config/input_limits.h"

namespace xpusim::wl {
namespace {

// The last conv column is optional: SCALE-Sim reads a 9th value as the column stride (some of its
// own files have one), and otherwise uses Strides for both dimensions.
const std::vector<std::string> kConvColumns{"Layer name",    "IFMAP Height", "IFMAP Width",
                                            "Filter Height", "Filter Width", "Channels",
                                            "Num Filter",    "Strides",      "Stride Width"};
constexpr std::size_t kConvRequired = 8;
const std::vector<std::string> kGemmColumns{"Layer", "M", "N", "K"};

using Field = CsvField;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

enum class Form { kConv, kGemm };

class RowReader {
 public:
  RowReader(const std::string& path, int line, const std::vector<Field>& fields,
            const std::vector<std::string>& columns, std::size_t required, Diagnostics& diag)
      : path_(path), line_(line), fields_(fields), columns_(columns), required_(required), diag_(diag) {}

  SourceMark mark(std::size_t i) const { return SourceMark{path_, line_, i < fields_.size() ? fields_[i].column : 0}; }
  /// False (after reporting every missing and extra column) when the row has the wrong width.
  bool check_width() {
    bool ok = true;
    for (std::size_t i = fields_.size(); i < required_; ++i) {
      diag_.error(mark(i), "missing column '" + columns_[i] + "'");
      ok = false;
    }
    for (std::size_t i = columns_.size(); i < fields_.size(); ++i) {
      if (fields_[i].text.empty()) continue;  // stray commas
      diag_.error(mark(i), "unexpected value \"" + fields_[i].text + "\" after column '" + columns_.back() +
                               "' (at most " + std::to_string(columns_.size()) + " columns)");
      ok = false;
    }
    return ok;
  }
  std::string name() {
    if (fields_[0].text.empty()) diag_.error(mark(0), "column '" + columns_[0] + "' is empty");
    return fields_[0].text;
  }
  /// The positive whole number in column `i`; 0 after reporting a problem.
  std::int64_t positive(std::size_t i) {
    const std::string& t = fields_[i].text;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
      diag_.error(mark(i), "column '" + columns_[i] + "' expects a whole number, got \"" + t + "\"");
      return 0;
    }
    if (v <= 0) {
      diag_.error(mark(i), "column '" + columns_[i] + "' must be positive, got " + t);
      return 0;
    }
    return v;
  }
  bool has(std::size_t i) const { return i < fields_.size() && !fields_[i].text.empty(); }
  void error(std::size_t i, const std::string& message) { diag_.error(mark(i), message); }

 private:
  const std::string& path_;
  int line_;
  const std::vector<Field>& fields_;
  const std::vector<std::string>& columns_;
  std::size_t required_;
  Diagnostics& diag_;
};

/// Reads one data row into `out` (one op, or one per channel for a depthwise `DP` layer).
void read_row(Form form, RowReader& r, std::vector<OpNode>& out) {
  if (!r.check_width()) return;
  OpNode op;
  op.name = r.name();
  op.dtype = DataType::kInt8;  // SCALE-Sim's word is one byte
  if (form == Form::kGemm) {
    GemmShape g;
    g.m = r.positive(1), g.n = r.positive(2), g.k = r.positive(3);
    op.kind = OpKind::kGemm;
    op.shape = g;
    if (g.m > 0 && g.n > 0 && g.k > 0 && !op.name.empty()) out.push_back(op);
    return;
  }
  ConvShape c;
  c.in_h = r.positive(1), c.in_w = r.positive(2);
  c.kernel_h = r.positive(3), c.kernel_w = r.positive(4);
  c.in_c = r.positive(5), c.out_c = r.positive(6), c.stride = r.positive(7);
  c.pad = 0;
  c.ceil_mode = true;  // E = ceil((H - F + S) / S), topology_utils.py topo_calc_hyperparams
  if (r.has(8)) {
    std::int64_t stride_w = r.positive(8);
    if (stride_w && c.stride && stride_w != c.stride) {
      r.error(8, "column 'Stride Width' (" + std::to_string(stride_w) + ") differs from 'Strides' (" +
                     std::to_string(c.stride) + "): one stride for both dimensions is supported");
      c.stride = 0;
    }
  }
  bool ok = c.in_h && c.in_w && c.kernel_h && c.kernel_w && c.in_c && c.out_c && c.stride && !op.name.empty();
  if (c.kernel_h > c.in_h && c.in_h > 0) {
    r.error(3, "column 'Filter Height' (" + std::to_string(c.kernel_h) + ") is larger than 'IFMAP Height' (" +
                   std::to_string(c.in_h) + ")");
    ok = false;
  }
  if (c.kernel_w > c.in_w && c.in_w > 0) {
    r.error(4, "column 'Filter Width' (" + std::to_string(c.kernel_w) + ") is larger than 'IFMAP Width' (" +
                   std::to_string(c.in_w) + ")");
    ok = false;
  }
  if (!ok) return;
  op.kind = OpKind::kConv2d;
  if (op.name.find("DP") != std::string::npos) {
    // SCALE-Sim runs a depthwise layer as one single-channel conv per channel, one after another.
    const std::int64_t channels = c.in_c;
    if (static_cast<std::uint64_t>(channels) + out.size() > limits::ops()) {
      r.error(5, "depthwise layer '" + op.name + "' splits into " + std::to_string(channels) + " ops, one per channel: the topology " +
                     "would exceed " + std::to_string(limits::ops()) + " ops" + limits::raise_hint("XPUSIM_MAX_OPS"));
      return;
    }
    c.in_c = 1;
    for (std::int64_t ch = 0; ch < channels; ++ch) {
      OpNode d = op;
      d.name = op.name + "Channel_" + std::to_string(ch);
      d.shape = c;
      out.push_back(d);
    }
    return;
  }
  op.shape = c;
  out.push_back(op);
}

Form detect_form(const std::string& path, int line, const std::vector<Field>& header) {
  auto is = [&](std::size_t i, const char* want) { return i < header.size() && lower(header[i].text) == want; };
  if (is(1, "m") && is(2, "n") && is(3, "k")) return Form::kGemm;
  // SCALE-Sim's own conv headers vary in case and wording ("Ifmap height", "IFMAP Width" twice, "num
  // filters"), and SCALE-Sim never reads them; the leading IFMAP column and the width identify the form.
  if (header.size() >= kConvRequired && lower(header[1].text).find("ifmap") != std::string::npos) {
    return Form::kConv;
  }
  throw ConfigError(SourceMark{path, line, 1},
                    "not a SCALE-Sim topology header: expected the conv form (Layer name, IFMAP Height, IFMAP Width, "
                    "Filter Height, Filter Width, Channels, Num Filter, Strides,) or the GEMM form (Layer, M, N, K,)");
}

}  // namespace

OpGraph import_scalesim_topology(const std::string& path) {
  std::istringstream in(limits::read_file(path, SourceMark{path, 0, 0}));
  Diagnostics diag;
  std::vector<OpNode> ops;
  std::optional<Form> form;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    std::vector<Field> fields = split_csv_row(line);
    // SCALE-Sim drops each row's last comma-separated field (topology_utils.py: row.split(',')[:-1]), which
    // in its own files is empty or a marker such as MobileNet's "#dw": a field from '#' on is a comment.
    const auto comment = std::find_if(fields.begin(), fields.end(), [](const Field& f) { return f.text.rfind('#', 0) == 0; });
    fields.erase(comment, fields.end());
    if (fields.empty()) continue;  // blank, only commas, or a comment
    if (!form) {
      form = detect_form(path, line_no, fields);
      continue;
    }
    const bool gemm = *form == Form::kGemm;
    RowReader r(path, line_no, fields, gemm ? kGemmColumns : kConvColumns, gemm ? kGemmColumns.size() : kConvRequired,
                diag);
    read_row(*form, r, ops);
  }
  if (!form) throw ConfigError(SourceMark{path, 0, 0}, "empty file: expected a SCALE-Sim topology header and layers");
  if (ops.empty() && diag.empty()) diag.error(SourceMark{path, line_no, 0}, "no layers after the header");
  diag.throw_if_any();

  OpGraph g(std::filesystem::path(path).stem().string());
  g.set_items(1, "inferences");
  // SCALE-Sim allows repeated layer names (its MLPERF and DeepBench files have them); the graph needs
  // unique ones, so a repeat becomes "name#2", "name#3", ...
  std::set<std::string> used;
  for (const auto& op : ops) used.insert(op.name);
  std::set<std::string> seen;
  OpId prev = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    OpNode op = ops[i];
    if (!seen.insert(op.name).second) {
      for (int n = 2;; ++n) {
        std::string candidate = op.name + "#" + std::to_string(n);
        if (!used.count(candidate) && !seen.count(candidate)) {
          op.name = candidate;
          break;
        }
      }
      seen.insert(op.name);
    }
    OpId id = g.add_op(op);
    // SCALE-Sim runs layers one after another; a tensor edge carries that order and the data moved.
    if (i > 0) g.add_tensor(prev, id, output_bytes(g.op(prev)), g.op(prev).name + ".out");
    prev = id;
  }
  g.validate();
  return g;
}

}  // namespace xpusim::wl
