// SPDX-License-Identifier: MIT
// GPU SM timing: a GEMM library's kernel choice (CTA tile, split-K) and its waves over the SMs; each
// CTA streams K through shared memory into the tensor cores at the slower of the two rates.
#include "arch/compute/gpu_sm.h"
#include "sim/int_math.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "arch/chip.h"
#include "arch/registry.h"

namespace xpusim::arch {
namespace {


std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  std::size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::int64_t parse_positive(const std::string& s, const std::string& item) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    throw UnitError("expects CTA tiles like \"128x256, 64x64\", got \"" + item + "\"");
  }
  return v;
}

// Operand bytes of one element as stored in shared memory (FP4/INT4 pack two per byte).
double operand_bytes(DataType d) { return bits(d) / 8.0; }

}  // namespace

std::vector<CtaTile> parse_cta_tiles(const std::string& text) {
  std::vector<CtaTile> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string item = trim(text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    std::size_t x = item.find('x');
    if (x == std::string::npos) throw UnitError("expects CTA tiles like \"128x256, 64x64\", got \"" + item + "\"");
    out.push_back({parse_positive(item.substr(0, x), item), parse_positive(item.substr(x + 1), item)});
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const Schema<GpuSmParams>& GpuSmParams::schema() {
  static const Schema<GpuSmParams> s = [] {
    using P = GpuSmParams;
    Schema<P> sc("GPU SMs with tensor cores: GEMM CTA tiles in waves over the SMs, CUDA-core vector ops");
    sc.add("sms", &P::sms, "streaming multiprocessors (AMD compute units); CTAs are dealt out over them")
        .required().positive();
    sc.add("clock", &P::clock, "SM clock at which the data-sheet tensor peak is quoted").required().at_least(kMinClockHz, "1 MHz");
    sc.add("cta_tiles", &P::cta_tiles, "CTA output tiles (M x N) the GEMM library has kernels for; the first is "
                                       "the mapper's fold");
    sc.add("cta_k", &P::cta_k, "K depth of one shared-memory pipeline stage; no split-K piece is shorter").positive();
    sc.add("stages", &P::stages, "shared-memory pipeline stages of the mainloop (for the capacity check)").positive();
    sc.add("max_split_k", &P::max_split_k, "most K splits (split-K) the library uses to fill idle SMs").positive();
    sc.add("cluster_ctas", &P::cluster_ctas,
           "CTAs of a thread-block cluster that share one L2 read of the operand tile they have in common "
           "(TMA multicast on Hopper, CTA-pair MMA on Blackwell); 1 = each CTA reads its own").positive();
    sc.add("macs_fp16", &P::macs_fp16, "dense FP16/BF16 tensor MACs per clock per SM (0 = unsupported)").at_least(0);
    sc.add("macs_tf32", &P::macs_tf32, "dense TF32 tensor MACs per clock per SM").at_least(0);
    sc.add("macs_fp8", &P::macs_fp8, "dense FP8 tensor MACs per clock per SM").at_least(0);
    sc.add("macs_int8", &P::macs_int8, "dense INT8 tensor MACs per clock per SM").at_least(0);
    sc.add("macs_fp4", &P::macs_fp4, "dense FP4 tensor MACs per clock per SM").at_least(0);
    sc.add("macs_int4", &P::macs_int4, "dense INT4 tensor MACs per clock per SM").at_least(0);
    sc.add("sparsity_2to4", &P::sparsity_2to4, "tensor cores skip zeros of 2:4 structured sparsity (2x MACs)");
    sc.add("native_weight_dtypes", &P::native_weight_dtypes,
           "comma-separated weight dtypes the tensor cores take directly (no CUDA-core dequantization); empty = none");
    sc.add("fp32_lanes", &P::fp32_lanes, "CUDA-core FP32 FMA lanes per SM: vector ops and FP32 GEMMs").at_least(0);
    sc.add("sfu_lanes", &P::sfu_lanes,
           "special-function (MUFU: exp2, tanh, reciprocal) results per clock per SM, a pipe beside the FP32 lanes; "
           "0 = transcendentals issue to the FP32 lanes like any op").at_least(0);
    sc.add("softmax_overlap", &P::softmax_overlap,
           "fused attention overlaps each tile's softmax with another tile's GEMMs (FlashAttention-3 ping-pong): "
           "a tile costs the slower of its GEMMs and its softmax");
    sc.add("smem_per_sm", &P::smem_per_sm, "shared memory per SM; a CTA's pipeline stages must fit").required().positive();
    sc.add("smem_bytes_per_clock", &P::smem_bytes_per_clock, "shared-memory bandwidth per SM, bytes per clock")
        .required().positive();
    sc.add("prologue_cycles", &P::prologue_cycles, "cycles before a CTA's first K slice is in shared memory")
        .at_least(0);
    sc.add("launch_overhead", &P::launch_overhead, "kernel launch and synchronisation, paid once per op").at_least(0);
    sc.add("mac_energy_fp16", &P::mac_energy_fp16, "energy of one FP16/BF16 tensor MAC").at_least(0);
    sc.add("mac_energy_tf32", &P::mac_energy_tf32, "energy of one TF32 tensor MAC").at_least(0);
    sc.add("mac_energy_fp8", &P::mac_energy_fp8, "energy of one FP8 tensor MAC").at_least(0);
    sc.add("mac_energy_int8", &P::mac_energy_int8, "energy of one INT8 tensor MAC").at_least(0);
    sc.add("mac_energy_fp4", &P::mac_energy_fp4, "energy of one FP4 tensor MAC").at_least(0);
    sc.add("mac_energy_int4", &P::mac_energy_int4, "energy of one INT4 tensor MAC").at_least(0);
    sc.add("mac_energy_fp32", &P::mac_energy_fp32, "energy of one CUDA-core FP32 FMA").at_least(0);
    sc.add("vector_op_energy", &P::vector_op_energy, "energy of one CUDA-core vector operation").at_least(0);
    sc.add("active_energy_per_cycle", &P::active_energy_per_cycle,
           "energy per SM and cycle it is busy with a task (its CTAs or lanes at work), beyond the MACs and lane ops: "
           "clock tree, issue, operand delivery; a calibration (README 'Power')").at_least(0);
    sc.add("leakage", &P::leakage, "static power of the SMs, charged for the whole run").at_least(0);
    return sc;
  }();
  return s;
}

void GpuSmParams::check(const std::string& context, const SourceMark& where, Diagnostics& diag) const {
  try {
    parse_dtype_list(native_weight_dtypes);
  } catch (const UnitError& e) {
    diag.error(where, context + ": 'native_weight_dtypes' " + e.what());
  }
  std::vector<CtaTile> tiles;
  try {
    tiles = parse_cta_tiles(cta_tiles);
  } catch (const UnitError& e) {
    diag.error(where, context + ": 'cta_tiles' " + e.what());
    return;
  }
  if (macs_fp16 + macs_tf32 + macs_fp8 + macs_int8 + macs_fp4 + macs_int4 + fp32_lanes == 0) {
    diag.error(where, context + ": no dtype has a MAC rate and there are no fp32_lanes: the unit runs nothing");
  }
  // A, B slices of every stage in 16-bit operands (the widest common tensor input) must fit at once.
  for (const CtaTile& t : tiles) {
    const std::int64_t need = stages * cta_k * (t.m + t.n) * 2;
    if (need > smem_per_sm.count()) {
      diag.error(where, context + ": CTA tile " + std::to_string(t.m) + "x" + std::to_string(t.n) + " needs " +
                            std::to_string(need) + " B of shared memory for " + std::to_string(stages) +
                            " stages of K=" + std::to_string(cta_k) + ", more than smem_per_sm");
    }
  }
}

GpuSm::GpuSm(ComponentContext ctx, const GpuSmParams& p)
    : ComputeModel(std::move(ctx)),
      p_(p),
      clock_(p.clock),
      tiles_(parse_cta_tiles(p.cta_tiles)),
      native_weights_(parse_dtype_list(p.native_weight_dtypes)) {}

std::int64_t GpuSm::macs_per_clock(DataType dtype) const {
  switch (dtype) {
    case DataType::kFp16:
    case DataType::kBf16: return p_.macs_fp16;
    case DataType::kTf32: return p_.macs_tf32;
    case DataType::kFp8: return p_.macs_fp8;
    case DataType::kInt8: return p_.macs_int8;
    case DataType::kFp4: return p_.macs_fp4;
    case DataType::kInt4: return p_.macs_int4;
    case DataType::kFp32: return p_.fp32_lanes;  // no tensor path for plain FP32: CUDA-core FMAs
  }
  return 0;
}

Energy GpuSm::active_energy(std::int64_t cycles, std::int64_t active_sms) const {
  if (p_.active_energy_per_cycle.joules() == 0) return Energy(0);
  return p_.active_energy_per_cycle * (static_cast<double>(cycles) * static_cast<double>(active_sms) * energy_scale());
}

Energy GpuSm::mac_energy(DataType dtype) const {
  switch (dtype) {
    case DataType::kFp16:
    case DataType::kBf16: return p_.mac_energy_fp16;
    case DataType::kTf32: return p_.mac_energy_tf32;
    case DataType::kFp8: return p_.mac_energy_fp8;
    case DataType::kInt8: return p_.mac_energy_int8;
    case DataType::kFp4: return p_.mac_energy_fp4;
    case DataType::kInt4: return p_.mac_energy_int4;
    case DataType::kFp32: return p_.mac_energy_fp32;
  }
  return Energy(0);
}

void GpuSm::connect(const Chip& chip, Diagnostics& /*diag*/) {
  // The operands of every CTA stream from the unit's buffers (the L2): their bandwidth, in bytes per
  // SM clock, caps how fast all running CTAs together can be fed.
  for (const ComputeUnit& u : chip.compute_units()) {
    if (u.model != this) continue;
    const double bw = std::min(u.ifmap_buffer->peak_bandwidth().bytes_per_second(),
                               u.filter_buffer->peak_bandwidth().bytes_per_second());
    l2_bytes_per_clock_ = bw / p_.clock.hz();
  }
}

bool GpuSm::supports(TaskClass cls, DataType dtype) const {
  if (cls == TaskClass::kVector) return p_.fp32_lanes > 0;
  return macs_per_clock(dtype) > 0;
}

bool GpuSm::native_weight(DataType weight, DataType compute) const {
  return weight == compute || std::find(native_weights_.begin(), native_weights_.end(), weight) != native_weights_.end();
}

bool GpuSm::skips_zeros(Sparsity s) const {
  return s == Sparsity::kDense || (s == Sparsity::kTwoFour && p_.sparsity_2to4);
}

GpuKernelChoice GpuSm::choose_kernel(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch,
                                     DataType dtype, bool fill_drain, bool two_four, double b_bits) const {
  const KernelQuery query{m, n, k, batch, dtype, fill_drain, two_four, b_bits};
  if (last_kernel_ && last_kernel_->first == query) return last_kernel_->second;
  const GpuKernelChoice choice = search_kernel(m, n, k, batch, dtype, fill_drain, two_four, b_bits);
  last_kernel_.emplace(query, choice);
  return choice;
}

GpuKernelChoice GpuSm::search_kernel(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch,
                                     DataType dtype, bool fill_drain, bool two_four, double b_bits) const {
  const std::int64_t macs = macs_per_clock(dtype);
  if (macs <= 0) throw std::invalid_argument(name() + ": no tensor MAC rate for " + std::string(to_string(dtype)));
  if (m <= 0 || n <= 0 || k <= 0) throw std::invalid_argument(name() + ": m, n and k must be positive");
  const double bytes = operand_bytes(dtype);
  // Sparse tensor cores do the MACs of the kept half of B at twice the dense rate. A weight travels
  // through L2 and shared memory as stored (int4 values, 2:4 values plus indices) and is widened
  // only in registers, as Marlin-style kernels do.
  const double mac_rate = static_cast<double>(macs) * (two_four ? 2.0 : 1.0);
  const double b_bytes = b_bits > 0 ? b_bits / 8.0 : bytes;
  GpuKernelChoice best;
  best.cycles = std::numeric_limits<std::int64_t>::max();
  for (const CtaTile& t : tiles_) {
    // A batched GEMM launches the CTAs of all its members in one grid.
    const std::int64_t tiles_mn = batch * ceil_div(m, t.m) * ceil_div(n, t.n);
    // The epilogue stages the FP32 accumulators through shared memory on their way out.
    const std::int64_t epilogue = ceil_div(t.m * t.n * 4, p_.smem_bytes_per_clock);
    for (std::int64_t split = 1; split <= p_.max_split_k; split *= 2) {
      if (split > 1 && ceil_div(k, split) < p_.cta_k) break;  // a split shorter than one stage gains nothing
      // K is not rounded up to cta_k: a mapper that chunks K hands over pieces of one CTA's K loop.
      const std::int64_t k_cta = ceil_div(k, split);
      const std::int64_t ctas = tiles_mn * split;
      const std::int64_t waves = ceil_div(ctas, p_.sms);
      // Per K step a CTA needs t.m x t.n MACs and (t.m + t.n) operands, which shared memory must
      // deliver and the L2 must supply, shared among the CTAs running at once; the slowest of the
      // three sets the pace. A partial CTA tile costs a full one: its idle rows still occupy the SM.
      const double a_tile = static_cast<double>(t.m) * bytes, b_tile = static_cast<double>(t.n) * b_bytes;
      const double operands = a_tile + b_tile;
      // A cluster's CTAs along M share each B tile, along N each A tile: one L2 read multicast to all.
      const auto share_b = static_cast<double>(std::min(p_.cluster_ctas, ceil_div(m, t.m)));
      const auto share_a = static_cast<double>(std::min(p_.cluster_ctas, ceil_div(n, t.n)));
      const double l2_operands = std::min(a_tile + b_tile / share_b, a_tile / share_a + b_tile);
      const double mac_k = static_cast<double>(t.m * t.n) / mac_rate;
      const double smem_k = operands / static_cast<double>(p_.smem_bytes_per_clock);
      const double l2_k = l2_bytes_per_clock_ > 0 ? l2_operands * static_cast<double>(std::min(ctas, p_.sms)) / l2_bytes_per_clock_ : 0.0;
      const double per_k = std::max({mac_k, smem_k, l2_k});
      const Feed feed = per_k == mac_k ? Feed::kCompute : per_k == l2_k ? Feed::kBuffers : Feed::kLocalStore;
      const auto main = static_cast<std::int64_t>(std::ceil(static_cast<double>(k_cta) * per_k - 1e-9));
      // Each wave pays the pipeline fill and the epilogue; split-K adds a second epilogue that
      // reduces the partial tiles.
      const std::int64_t overhead = fill_drain ? p_.prologue_cycles + epilogue * (split > 1 ? 2 : 1) : 0;
      const std::int64_t cycles = waves * (main + overhead);
      if (cycles < best.cycles) best = GpuKernelChoice{t, split, ctas, waves, main, cycles, feed};
    }
  }
  return best;
}

TaskCost GpuSm::estimate(const ComputeTask& task) const {
  if (!supports(task.cls, task.dtype)) {
    throw std::invalid_argument(name() + ": cannot run a " +
                                std::string(task.cls == TaskClass::kMatrix ? "matrix" : "vector") + " task in " +
                                std::string(to_string(task.dtype)));
  }
  TaskCost c;
  std::int64_t cycles = 0;
  if (task.cls == TaskClass::kMatrix) {
    const GpuKernelChoice k = choose_kernel(task.m, task.n, task.k, task.batch, task.dtype, task.fill_drain, two_four(task), task.b_bits);
    cycles = k.cycles;
    c.feed = k.feed;
    const double macs = static_cast<double>(task.batch) * static_cast<double>(task.m) * static_cast<double>(task.n) *
                        static_cast<double>(task.k) * (two_four(task) ? task.density : 1.0);
    c.energy = mac_energy(task.dtype) * macs * energy_scale();  // MACs done: padding of partial tiles is not charged
    c.energy += active_energy(cycles, std::min(k.ctas, p_.sms));
    c.flops = Flops(2.0 * macs);
  } else {
    if (task.elements < 0 || !(task.ops_per_element >= 0)) {
      throw std::invalid_argument(name() + ": elements and ops_per_element must not be negative");
    }
    if (!(task.special_per_element >= 0) || task.special_per_element > task.ops_per_element) {
      throw std::invalid_argument(name() + ": special_per_element must lie between 0 and ops_per_element");
    }
    const double ops = static_cast<double>(task.elements) * task.ops_per_element;
    const double special = p_.sfu_lanes > 0 ? static_cast<double>(task.elements) * task.special_per_element : 0.0;
    const double lanes = static_cast<double>(p_.fp32_lanes * p_.sms);
    const auto issue = special > 0 ? static_cast<std::int64_t>(std::ceil(std::max(
                                         (ops - special) / lanes, special / static_cast<double>(p_.sfu_lanes * p_.sms))))
                                   : static_cast<std::int64_t>(std::ceil(ops / lanes));
    cycles = issue > 0 ? issue + (task.fill_drain ? p_.prologue_cycles : 0) : 0;
    c.energy = p_.vector_op_energy * ops * energy_scale();
    // Lanes fill SM after SM: a small task keeps few SMs busy.
    const auto lane_groups = static_cast<std::int64_t>(std::ceil(ops / static_cast<double>(p_.fp32_lanes)));
    c.energy += active_energy(cycles, std::min(p_.sms, lane_groups));
    c.flops = Flops(ops);
  }
  // One kernel per op: its launch and the synchronisation after it precede the first tile.
  if (task.starts_op) cycles += clock_.cycles_ceil(p_.launch_overhead).count();
  c.cycles = Cycles(cycles);
  c.time = clock_.to_time(c.cycles);
  return c;
}

Completion GpuSm::execute(const ComputeTask& task, Time now) {
  TaskCost c = estimate(task);
  // Weight decode passes and epilogues run on the CUDA cores while the tensor cores work on another
  // tile (warp-specialised kernels overlap them).
  Time start = (task.weight_decode || task.epilogue ? cuda_cores_ : gpu_).reserve(now, c.time);
  ++tasks_;
  if (task.starts_op) ++launches_;
  busy_cycles_ += c.cycles.count();
  if (task.cls == TaskClass::kMatrix) {
    GpuKernelChoice k = choose_kernel(task.m, task.n, task.k, task.batch, task.dtype, task.fill_drain, two_four(task), task.b_bits);
    ctas_ += k.ctas;
    waves_ += k.waves;
    macs_ += c.flops.count() / 2.0;
  } else {
    vector_ops_ += c.flops.count();
  }
  energy_ += c.energy;
  return Completion{start, start + c.time, c.energy};
}

FlopRate GpuSm::peak_rate(TaskClass cls, DataType dtype) const {
  if (!supports(cls, dtype)) return FlopRate(0);
  const double per_clock = cls == TaskClass::kMatrix ? 2.0 * static_cast<double>(macs_per_clock(dtype))
                                                     : static_cast<double>(p_.fp32_lanes);
  return FlopRate(per_clock * static_cast<double>(p_.sms) * p_.clock.hz());
}

MatrixGeometry GpuSm::geometry() const {
  MatrixGeometry g;
  g.rows = tiles_.front().m;
  g.cols = tiles_.front().n;
  g.arrays = p_.sms;
  g.dataflows = {Dataflow::kOutputStationary};
  g.dequant_m = tiles_.front().m;
  g.operand_sharing = p_.cluster_ctas;
  return g;
}

std::vector<Stat> GpuSm::stats() const {
  const double busy = static_cast<double>(busy_cycles_);
  const double peak_macs = static_cast<double>(std::max(p_.macs_fp16, p_.macs_tf32)) * static_cast<double>(p_.sms);
  return {
      {"tasks", static_cast<double>(tasks_), "count", "tasks executed (matrix and vector)"},
      {"kernel_launches", static_cast<double>(launches_), "count", "ops started: one kernel launch each"},
      {"ctas", static_cast<double>(ctas_), "count", "CTAs of the chosen kernels (split-K pieces included)"},
      {"waves", static_cast<double>(waves_), "count", "waves of CTAs over the SMs"},
      {"busy_cycles", busy, "cycles", "cycles the GPU was occupied, launches included"},
      {"macs", macs_, "MAC", "useful multiply-accumulates of matrix tasks"},
      {"vector_ops", vector_ops_, "op", "useful vector operations"},
      {"fp16_utilization", busy > 0 && peak_macs > 0 ? macs_ / (busy * peak_macs) : 0.0, "ratio",
       "macs / (busy_cycles x macs_fp16 x sms): tensor use while busy, in FP16-MAC units"},
      {"dynamic_energy", energy_.joules(), "J", "macs x energy per MAC + vector_ops x vector_op_energy"},
  };
}

void GpuSm::reset() {
  gpu_.reset();
  cuda_cores_.reset();
  tasks_ = launches_ = busy_cycles_ = ctas_ = waves_ = 0;
  macs_ = vector_ops_ = 0;
  energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("compute/gpu_tensor_cores", GpuSm, GpuSmParams);

}  // namespace xpusim::arch
