// SPDX-License-Identifier: MIT
// A summary of an op graph before it is simulated: weights read, total work, compulsory traffic and a
// per-op table. The data behind `xpusim describe`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "workloads/op_graph.h"

namespace xpusim::wl {

struct OpRow {
  std::string name;
  std::string kind;   // to_string(OpKind)
  std::string shape;  // shape_string()
  Flops flops;
  Bytes bytes;  // compulsory bytes: inputs, weights and outputs, each once
};

struct GraphSummary {
  std::string name;
  double items = 0;
  std::string item_unit;
  std::string compression;  // OpGraph::compression(): the what-ifs applied, "" when none
  std::size_t ops = 0, tensors = 0;
  /// Sum of the ops' weight bytes: the parameters one run reads (MoE: only the experts that received
  /// tokens; a transformer's embedding table is gathered row by row, so it is not in here).
  Bytes weight_bytes;
  Flops flops;
  Bytes compulsory_bytes;
  std::vector<OpRow> rows;  // in topological order
};

/// Totals of one pipeline stage. Builders name ops "STAGE/rest" (SDXL: "text_encoder_l/...",
/// "step:3/...", "vae/..."); a stage written "NAME:INDEX" is one run of stage NAME, so the 20 denoising
/// steps of an image form the stage "step" with 20 runs.
struct StageSummary {
  std::string stage;
  std::size_t runs = 0, ops = 0;
  std::int64_t parameters = 0;  // matrix weights of one run (weights of the first run, as all runs share them)
  Flops flops;                  // all runs
  Bytes compulsory_bytes;       // all runs
};

/// Matrix weight elements of an op: K x N of a GEMM with a weight operand, the filter of a conv; 0 otherwise.
std::int64_t weight_elements(const OpNode& op);
/// The stages of `g` in order of first appearance (topological order); empty when no op name holds a '/'.
std::vector<StageSummary> stage_summaries(const OpGraph& g);
/// Matrix parameters of the model(s) in `g`: per stage the weights of one run, summed; a graph without
/// stages counts every op's weights. Biases, norm scales and gathered embedding tables are not matrix work.
std::int64_t matrix_parameters(const OpGraph& g);

/// "gemm 4x[1x128]x[128x1024] (B act)", "conv 1x224x224x3 k7x7/2 p3 -> 64", "vec 4096 x2", ...
std::string shape_string(const OpNode& op);
/// Flop counts with an SI prefix and 4 significant digits ("13.21 GFLOP").
std::string format_flops(Flops f);
/// Summarises `g`; the rows follow g.topo_order().
GraphSummary describe(const OpGraph& g);
/// A plain-text report: totals, per-item figures, and the first `max_rows` rows (all when 0).
std::string format_summary(const GraphSummary& s, std::size_t max_rows = 0);

}  // namespace xpusim::wl
