// SPDX-License-Identifier: MIT
// A GPU's streaming multiprocessors with tensor (matrix) cores and CUDA-core FP32 lanes, run the way a
// GEMM library runs them: CTA tiles dealt out in waves over the SMs, one kernel launch per op.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "arch/compute_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

/// One CTA (thread-block) output tile shape a GEMM library has a kernel for.
struct CtaTile {
  std::int64_t m = 0, n = 0;
};

/// Parses "128x256, 64x64" into tiles; throws UnitError on a malformed or non-positive entry.
std::vector<CtaTile> parse_cta_tiles(const std::string& text);

struct GpuSmParams {
  std::int64_t sms = 0;  // streaming multiprocessors (AMD: compute units)
  Frequency clock{0};    // the clock the data-sheet tensor peak is quoted at
  std::string cta_tiles = "128x128";
  std::int64_t cta_k = 64;          // K depth of one shared-memory pipeline stage (smem check, split-K floor)
  std::int64_t stages = 2;          // shared-memory pipeline stages of the mainloop
  std::int64_t max_split_k = 1;     // most K splits (split-K / stream-K) the library uses
  std::int64_t cluster_ctas = 1;    // CTAs of a cluster that share one L2 read of a common operand tile (TMA multicast)
  // Dense tensor-core MACs per clock per SM for each dtype; 0 = unsupported. fp16 covers bf16.
  std::int64_t macs_fp16 = 0, macs_tf32 = 0, macs_fp8 = 0, macs_int8 = 0, macs_fp4 = 0, macs_int4 = 0;
  bool sparsity_2to4 = false;       // 2:4 structured sparsity doubles the MAC rate
  std::string native_weight_dtypes; // weight formats the tensor cores take without a dequantization pass
  std::int64_t fp32_lanes = 0;      // CUDA-core FP32 FMA lanes per SM: vector tasks and FP32 GEMMs
  std::int64_t sfu_lanes = 0;       // special-function (MUFU) results per clock per SM; 0: transcendentals use the FP32 lanes
  bool softmax_overlap = false;     // the fused attention kernel overlaps softmax with the GEMMs (FlashAttention-3)
  Bytes smem_per_sm{0};             // shared memory per SM: holds the pipeline stages of a CTA tile
  std::int64_t smem_bytes_per_clock = 0;  // shared-memory bandwidth per SM feeding the tensor cores
  std::int64_t prologue_cycles = 0; // latency before a CTA's first K slice is in shared memory
  Time launch_overhead{0};          // kernel launch + stream synchronisation, once per op
  Energy mac_energy_fp16{0}, mac_energy_tf32{0}, mac_energy_fp8{0}, mac_energy_int8{0}, mac_energy_fp4{0},
      mac_energy_int4{0}, mac_energy_fp32{0};
  Energy vector_op_energy{0};
  /// Per SM and cycle the SM is busy with a task, beyond its MACs and lane ops: clock tree, instruction
  /// issue and operand delivery that run whatever the arithmetic does.
  Energy active_energy_per_cycle{0};
  Power leakage{0};

  static const Schema<GpuSmParams>& schema();
  /// Tiles parse, at least one dtype runs, and every tile's pipeline stages fit shared memory.
  void check(const std::string& context, const SourceMark& where, Diagnostics& diag) const;
};

/// How one matrix task was run: the library's kernel choice and its wave count.
struct GpuKernelChoice {
  CtaTile tile;
  std::int64_t split_k = 1;
  std::int64_t ctas = 0;
  std::int64_t waves = 0;
  std::int64_t cycles_per_cta = 0;  // mainloop of one CTA, no prologue/epilogue
  std::int64_t cycles = 0;          // whole task, launch excluded
  Feed feed = Feed::kCompute;       // the slowest of tensor cores, shared memory and L2 in the mainloop
};

class GpuSm final : public ComputeModel {
 public:
  GpuSm(ComponentContext ctx, const GpuSmParams& p);

  /// Reads the bandwidth of this unit's operand buffers (the L2), which caps the CTAs' operand feed.
  void connect(const Chip& chip, Diagnostics& diag) override;

  /// kMatrix in every dtype with a non-zero MAC rate (fp32 runs on the CUDA cores); kVector in every
  /// dtype when there are FP32 lanes (narrow values are widened to FP32).
  bool supports(TaskClass cls, DataType dtype) const override;
  /// Weights in native_weight_dtypes feed the tensor cores without a CUDA-core dequantization pass.
  bool native_weight(DataType weight, DataType compute) const override;
  /// k2to4 when sparsity_2to4 is set (sparse tensor cores).
  bool skips_zeros(Sparsity s) const override;
  /// kMatrix: the fastest library kernel (choose_kernel; a 2:4 task on sparse tensor cores at twice
  /// the MAC rate); kVector: ceil(ops / (lanes x sms)) cycles plus prologue_cycles when fill_drain, or
  /// with sfu_lanes the slower of the FP32 lanes' share and the transcendentals' on the SFUs (separate
  /// pipes, issued side by side).
  /// starts_op adds launch_overhead. Energy = MACs done (or ops) x energy per dtype. Throws
  /// std::invalid_argument for unsupported tasks or non-positive dims.
  TaskCost estimate(const ComputeTask& task) const override;
  /// Occupies the whole GPU for estimate(task).time after any accepted task (one kernel at a time).
  Completion execute(const ComputeTask& task, Time now) override;
  /// Dense data-sheet peak: 2 x MACs per clock per SM x sms x clock (kVector: lanes x sms x clock).
  FlopRate peak_rate(TaskClass cls, DataType dtype) const override;
  /// rows x cols = the first (largest) CTA tile, arrays = sms, os only: the mapper deals the CTA
  /// tiles of a block out over the SMs, so wave quantization emerges. dequant_m = the tile's M: each
  /// CTA dequantizes the weight tile it loads (Marlin, Frantar et al., arXiv:2408.11743).
  /// operand_sharing = cluster_ctas.
  MatrixGeometry geometry() const override;
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;
  bool side_pipe() const override { return true; }
  bool overlaps_softmax() const override { return p_.softmax_overlap; }
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

  /// The kernel a library would pick for C[m x n] += A[m x k] B[k x n]: over the configured CTA
  /// tiles and split-K factors, the fewest cycles of waves x (prologue + mainloop + epilogue); the
  /// mainloop runs at the slowest of tensor cores, shared memory and the CTAs' share of the L2
  /// (the CTAs of a cluster lying along M share each B tile, or along N each A tile, whichever saves more).
  /// `fill_drain` false leaves out prologue, epilogue and split-K reduction (charged on another chunk).
  /// `two_four`: B is 2:4-sparse on sparse tensor cores: twice the MAC rate. `b_bits`: bits per element
  /// of B in shared memory and L2 (a narrow or sparse weight as stored; 0 = the dtype's).
  GpuKernelChoice choose_kernel(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch, DataType dtype,
                                bool fill_drain, bool two_four = false, double b_bits = 0) const;
  /// Dense MACs per clock per SM for `dtype` (0 = unsupported).
  std::int64_t macs_per_clock(DataType dtype) const;
  const GpuSmParams& params() const { return p_; }

 private:
  Energy mac_energy(DataType dtype) const;
  /// active_energy_per_cycle over `cycles` on `active_sms` SMs, at the chip's node and voltage.
  Energy active_energy(std::int64_t cycles, std::int64_t active_sms) const;
  /// choose_kernel without the memo.
  GpuKernelChoice search_kernel(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch, DataType dtype,
                                bool fill_drain, bool two_four, double b_bits) const;
  bool two_four(const ComputeTask& task) const { return task.sparsity == Sparsity::kTwoFour && p_.sparsity_2to4; }

  GpuSmParams p_;
  Clock clock_;
  std::vector<CtaTile> tiles_;
  std::vector<DataType> native_weights_;
  double l2_bytes_per_clock_ = 0;  // operand-buffer bandwidth per SM clock; 0 until connect()
  /// The last choose_kernel question and answer: an op's tiles ask the same one again and again.
  struct KernelQuery {
    std::int64_t m = 0, n = 0, k = 0, batch = 0;
    DataType dtype = DataType::kBf16;
    bool fill_drain = false, two_four = false;
    double b_bits = 0;
    bool operator==(const KernelQuery&) const = default;
  };
  mutable std::optional<std::pair<KernelQuery, GpuKernelChoice>> last_kernel_;
  Reservation gpu_;
  Reservation cuda_cores_;  // weight decode passes inside matrix kernels
  std::int64_t tasks_ = 0, launches_ = 0, busy_cycles_ = 0, ctas_ = 0, waves_ = 0;
  double macs_ = 0, vector_ops_ = 0;
  Energy energy_{0};
};

}  // namespace xpusim::arch
