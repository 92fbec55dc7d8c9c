// SPDX-License-Identifier: MIT
// GPU tensor-core model: data-sheet peaks, wave quantization, kernel choice, launch overhead, and
// whole-op behaviour on the bundled H100 (memory-bound decode GEMV, compute-bound large GEMM, FP8).
#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "arch/compute/gpu_sm.h"
#include "sim/driver/simulate.h"

using namespace xpusim;

namespace {

std::unique_ptr<arch::Chip> load(const std::string& chip, const std::vector<std::string>& set = {}) {
  return arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/" + chip + ".yaml", set);
}

arch::GpuSm& sm_of(const arch::Chip& chip) {
  auto* sm = dynamic_cast<arch::GpuSm*>(chip.compute_units().front().model);
  REQUIRE(sm != nullptr);
  return *sm;
}

wl::OpGraph one_gemm(std::int64_t m, std::int64_t n, std::int64_t k, DataType dt) {
  wl::OpGraph g("gemm");
  wl::OpNode op;
  op.name = "g";
  op.kind = wl::OpKind::kGemm;
  op.dtype = dt;
  op.shape = wl::GemmShape{1, m, n, k, false};
  g.add_op(op);
  return g;
}

arch::ComputeTask matrix(std::int64_t m, std::int64_t n, std::int64_t k, DataType dt = DataType::kBf16) {
  arch::ComputeTask t;
  t.m = m, t.n = n, t.k = k, t.dtype = dt;
  return t;
}

double tflops(const Result& r) { return r.ops.front().flops / r.latency_s / 1e12; }

}  // namespace

TEST_CASE("tensor peaks equal the data sheets (dense)", "[gpu]") {
  struct Row {
    const char* chip;
    DataType dt;
    double tflops;
    double tolerance = 0.005;
  };
  // Dense data-sheet figures, each sourced in its chip config; B200 TF32 is stas00's 1125 (klockwood: 1100).
  const Row rows[] = {
      {"a100-sxm-80gb", DataType::kBf16, 312}, {"a100-sxm-80gb", DataType::kTf32, 156},
      {"a100-sxm-80gb", DataType::kInt8, 624}, {"a100-sxm-80gb", DataType::kInt4, 1248},
      {"h100-sxm", DataType::kBf16, 989.4},    {"h100-sxm", DataType::kTf32, 494.7},
      {"h100-sxm", DataType::kFp8, 1978.9},    {"h100-sxm", DataType::kInt8, 1978.9},
      {"h200-sxm", DataType::kBf16, 989},      {"h200-sxm", DataType::kFp8, 1979},
      {"gh200", DataType::kBf16, 989},         {"gh200", DataType::kFp8, 1979},
      {"b200", DataType::kBf16, 2250},         {"b200", DataType::kFp8, 4500},
      {"b200", DataType::kFp4, 9000},          {"b200", DataType::kInt8, 4500},
      {"b200", DataType::kTf32, 1125},         {"l4", DataType::kBf16, 121},
      {"l4", DataType::kFp8, 242.5},           {"l4", DataType::kTf32, 60, 0.01},  // sheet: "120 sparse", rounded
      {"l40s", DataType::kFp8, 733},           {"l40s", DataType::kTf32, 183},
      {"mi300x", DataType::kBf16, 1307.4},     {"mi300x", DataType::kFp8, 2614.9},
      {"mi300x", DataType::kTf32, 653.7},      {"mi300x", DataType::kInt8, 2614.9},
  };
  for (const Row& r : rows) {
    auto chip = load(r.chip);
    const double peak = sm_of(*chip).peak_rate(arch::TaskClass::kMatrix, r.dt).per_second() / 1e12;
    INFO(r.chip << " " << to_string(r.dt) << ": model " << peak << " TFLOPS, data sheet " << r.tflops);
    CHECK(peak == Approx(r.tflops).epsilon(r.tolerance));
  }
  // Unsupported formats have no peak: no FP8 on A100, no FP4 on Hopper.
  CHECK(sm_of(*load("a100-sxm-80gb")).peak_rate(arch::TaskClass::kMatrix, DataType::kFp8).per_second() == 0);
  CHECK_FALSE(sm_of(*load("h100-sxm")).supports(arch::TaskClass::kMatrix, DataType::kFp4));
}

TEST_CASE("L40S BF16 peak is the FP8 peak halved -- its data sheet's 362 is 1.2% lower", "[gpu]") {
  // NVIDIA's L40S sheet lists 362.05 dense / 733 sparse BF16 and 733 dense FP8: they cannot all hold
  // at one MAC ratio. The model keeps the 2:1 FP8:BF16 ratio of Ada tensor cores.
  auto chip = load("l40s");
  const double bf16 = sm_of(*chip).peak_rate(arch::TaskClass::kMatrix, DataType::kBf16).per_second() / 1e12;
  CHECK(bf16 == Approx(733.0 / 2).epsilon(0.002));
  CHECK(bf16 == Approx(362.05).epsilon(0.015));
}

TEST_CASE("wave quantization: SMs+1 tiles take two waves", "[gpu]") {
  auto chip = load("h100-sxm", {"sm.cta_tiles=128x256", "sm.max_split_k=1"});
  const arch::GpuSm& sm = sm_of(*chip);
  // 132 SMs: 12 x 11 tiles of 128x256 is one full wave; one more tile column row starts a second.
  const auto full = sm.estimate(matrix(12 * 128, 11 * 256, 4096));
  const auto plus_one = sm.estimate(matrix(12 * 128 + 1, 11 * 256, 4096));  // 13 x 11 = 143 tiles
  const auto exact = sm.choose_kernel(12 * 128, 11 * 256, 4096, 1, DataType::kBf16, true);
  CHECK(exact.ctas == 132);
  CHECK(exact.waves == 1);
  CHECK(ratio(plus_one.time, full.time) == Approx(2.0).epsilon(0.01));
  // A partial tile costs a full one: 1 row more than a tile is as slow as a second full row of tiles.
  CHECK(sm.estimate(matrix(13 * 128, 11 * 256, 4096)).time == plus_one.time);
}

TEST_CASE("the library picks small tiles and split-K for skinny GEMMs", "[gpu]") {
  auto chip = load("h100-sxm");
  const arch::GpuSm& sm = sm_of(*chip);
  const auto k = sm.choose_kernel(8, 8192, 8192, 1, DataType::kBf16, true);
  CHECK(k.tile.m == 16);  // an 8-row problem takes the small-M (swap-AB) kernel
  CHECK(k.waves == 1);
  // 8 x 1024 makes only 8-16 CTAs: K is split to bring idle SMs in.
  const auto narrow = sm.choose_kernel(8, 1024, 8192, 1, DataType::kBf16, true);
  CHECK(narrow.split_k == 8);
  CHECK(narrow.waves == 1);
  // A large square GEMM keeps the biggest tile and no split.
  const auto big = sm.choose_kernel(8192, 8192, 8192, 1, DataType::kBf16, true);
  CHECK(big.tile.m * big.tile.n == 128 * 256);
  CHECK(big.split_k == 1);
}

TEST_CASE("kernel launch overhead is paid once per op", "[gpu]") {
  auto chip = load("h100-sxm");
  const arch::GpuSm& sm = sm_of(*chip);
  arch::ComputeTask t = matrix(1024, 1024, 1024);
  const Time plain = sm.estimate(t).time;
  t.starts_op = true;
  const Time first = sm.estimate(t).time;
  CHECK((first - plain).ps() == Approx(2e6).epsilon(0.001));  // launch_overhead: 2 us
  // In a simulated op, only the first of its tiles carries it: the op's launches stat is 1.
  auto g = one_gemm(8192, 8192, 8192, DataType::kBf16);
  Result r = simulate(*chip, g);
  double launches = -1, tasks = 0;
  for (const auto& s : r.stats) {
    if (s.component == "sm" && s.key == "kernel_launches") launches = s.value;
    if (s.component == "sm" && s.key == "tasks") tasks = s.value;
  }
  CHECK(launches == 1);
  CHECK(tasks > 1);
}

TEST_CASE("vector ops run on the CUDA cores", "[gpu]") {
  auto chip = load("h100-sxm", {"sm.active_energy_per_cycle=0 J"});
  const arch::GpuSm& sm = sm_of(*chip);
  arch::ComputeTask t;
  t.cls = arch::TaskClass::kVector;
  t.elements = 132 * 128 * 1000;
  t.ops_per_element = 2;
  CHECK(sm.supports(arch::TaskClass::kVector, DataType::kBf16));
  CHECK(sm.estimate(t).cycles.count() == 2000 + 400);  // ops / (lanes x SMs) + prologue
  // vector_op_energy per op, scaled from its energy node to the chip's (configs/chips/h100-sxm.yaml).
  CHECK(sm.energy_scale() == Approx(0.071 / 0.174));
  CHECK(sm.estimate(t).energy.pj() == Approx(132 * 128 * 1000 * 2 * sm.params().vector_op_energy.pj() * sm.energy_scale()));
}

TEST_CASE("transcendentals issue to the SFUs beside the FP32 lanes", "[gpu][sfu]") {
  // H100: 128 FP32 lanes and 16 SFU results per clock per SM. A softmax element (5 ops, 1 exp):
  // 4 ops on the lanes take 4/128 of a cycle, the exp 1/16: the SFUs set the pace.
  arch::ComputeTask t;
  t.cls = arch::TaskClass::kVector;
  t.elements = 132 * 128 * 1000;
  t.ops_per_element = 5;
  t.special_per_element = 1;
  t.fill_drain = false;
  auto h100 = load("h100-sxm");
  CHECK(sm_of(*h100).params().sfu_lanes == 16);
  CHECK(sm_of(*h100).estimate(t).cycles.count() == 132 * 128 * 1000 / (16 * 132));
  // Mostly lane work: the lanes set the pace, the SFU work hides beside them.
  t.ops_per_element = 33;
  CHECK(sm_of(*h100).estimate(t).cycles.count() == 32 * 1000);
  // sfu_lanes 0: every op on the lanes, as before the SFUs were modelled.
  auto plain = load("h100-sxm", {"sm.sfu_lanes=0"});
  t.ops_per_element = 5;
  CHECK(sm_of(*plain).estimate(t).cycles.count() == 5 * 1000);
  // The energy is the same either way: each op is charged once.
  CHECK(sm_of(*plain).estimate(t).energy.pj() > 0);
  t.special_per_element = 6;
  CHECK_THROWS_WITH(sm_of(*h100).estimate(t), Catch::Contains("special_per_element"));
}

TEST_CASE("a ping-pong attention kernel overlaps its softmax with the GEMMs", "[gpu][sfu]") {
  // One head-dim-128 attention kernel (8 heads x 4096 x 4096) fused from scores, softmax and P x V.
  wl::OpGraph g("attention");
  wl::OpNode op;
  op.name = "att";
  op.kind = wl::OpKind::kAttention;
  op.dtype = DataType::kBf16;
  op.shape = wl::AttentionShape{8, 4096, 4096, 128, 1, -1};
  op.ops_per_element = 5;
  op.special_per_element = 1;
  g.add_op(op);
  g.set_fusion(FusionPolicy::kFull);
  auto serial = load("h100-sxm", {"sm.softmax_overlap=false", "chip.power.tdp=0 W", "chip.power.max_clock=1"});
  auto overlapped = load("h100-sxm", {"sm.softmax_overlap=true", "chip.power.tdp=0 W", "chip.power.max_clock=1"});
  const Result a = simulate(*serial, g), b = simulate(*overlapped, g);
  const double ta = a.ops.front().end_s - a.ops.front().start_s, tb = b.ops.front().end_s - b.ops.front().start_s;
  INFO("serial " << ta << " s, overlapped " << tb << " s");
  CHECK(tb < 0.85 * ta);  // the exponentials (a third of the GEMMs' time at head dim 128) hide
  CHECK(tb >= b.ops.front().roofline_s);
  CHECK(a.ops.front().bytes == b.ops.front().bytes);
  CHECK(b.energy_j == Approx(a.energy_j).epsilon(0.05));
}

TEST_CASE("H100 decode GEMV (m=1..8, n=k=8192, bf16) is HBM-bound near peak bandwidth", "[gpu]") {
  auto chip = load("h100-sxm");
  for (std::int64_t m : {1, 8}) {
    auto g = one_gemm(m, 8192, 8192, DataType::kBf16);
    Result r = simulate(*chip, g);
    const auto& op = r.ops.front();
    const double achieved = static_cast<double>(op.bytes) / r.latency_s / 1e12;
    INFO("m=" << m << ": " << achieved << " TB/s of 3.35, " << r.latency_s * 1e6 << " us");
    CHECK(op.bound == "memory");
    CHECK(achieved > 0.70 * 3.35);  // cuBLAS GEMV reaches roughly 80-90% of HBM bandwidth
    CHECK(achieved < 3.35);
    CHECK(r.latency_s >= op.roofline_s);
  }
}

TEST_CASE("H100 8192^3 BF16 GEMM is compute-bound at 60-90% of dense peak", "[gpu]") {
  auto chip = load("h100-sxm");
  auto g = one_gemm(8192, 8192, 8192, DataType::kBf16);
  Result r = simulate(*chip, g);
  const double eff = tflops(r) / 989.4;
  // measured_public.yaml: cuBLAS reaches 792-795 TFLOPS (0.80) on its best shapes (stas00 MAMF).
  INFO(tflops(r) << " TFLOPS = " << eff << " of peak");
  CHECK(r.ops.front().bound == "compute");
  CHECK(eff > 0.60);
  CHECK(eff < 0.90);
  CHECK(r.latency_s >= r.ops.front().roofline_s);
}

TEST_CASE("FP8 halves a compute-bound GEMM on H100", "[gpu]") {
  auto chip = load("h100-sxm");
  auto bf = one_gemm(8192, 8192, 8192, DataType::kBf16);
  auto f8 = one_gemm(8192, 8192, 8192, DataType::kFp8);
  const double t_bf = simulate(*chip, bf).latency_s;
  const double t_f8 = simulate(*chip, f8).latency_s;
  CHECK(t_bf / t_f8 == Approx(2.0).epsilon(0.1));
}

TEST_CASE("CTA tiles that overflow shared memory are a config error", "[gpu]") {
  CHECK_THROWS_WITH(load("h100-sxm", {"sm.cta_tiles=256x256", "sm.stages=8"}),
                    Catch::Contains("needs") && Catch::Contains("more than smem_per_sm"));
  CHECK_THROWS_WITH(load("h100-sxm", {"sm.cta_tiles=128by256"}), Catch::Contains("expects CTA tiles"));
}

TEST_CASE("2:4 sparsity doubles the MAC rate on sparse tensor cores, and only there", "[gpu][sparse]") {
  arch::ComputeTask dense = matrix(8192, 8192, 8192);
  arch::ComputeTask two_four = dense;
  two_four.sparsity = Sparsity::kTwoFour;
  two_four.density = 0.5;
  two_four.b_bits = stored_bits_per_weight({Sparsity::kTwoFour}, 16);
  auto ratio = [&](const arch::GpuSm& sm) {
    return static_cast<double>(sm.estimate(two_four).cycles.count()) / static_cast<double>(sm.estimate(dense).cycles.count());
  };
  // With the tensor cores the bottleneck (an L2 ten times wider than H100's), the MAC time halves:
  // the mainloop per CTA is half; prologue, epilogue and launch are the same.
  auto fast_l2 = load("h100-sxm", {"l2.banks=400", "sm.active_energy_per_cycle=0 J"});
  const arch::GpuSm& fast = sm_of(*fast_l2);
  REQUIRE(fast.skips_zeros(Sparsity::kTwoFour));
  CHECK(ratio(fast) == Approx(0.5).epsilon(0.05));
  CHECK(fast.estimate(two_four).energy.joules() == Approx(0.5 * fast.estimate(dense).energy.joules()));
  // On the bundled H100 a dense bf16 GEMM is MAC-bound (a 128x256 CTA pair multicasts B: 256 + 512 / 2
  // B per K step per CTA x 132 CTAs over 4910 B per clock = 13.8 cycles < 16 for the MACs); 2:4 halves
  // the MACs to 8 cycles, but the L2 feed of 256 + 288 / 2 B (B's bytes at 9/16) takes 10.75.
  auto chip = load("h100-sxm");
  CHECK(ratio(sm_of(*chip)) == Approx(10.75 / 16).epsilon(0.03));
  // Without sparse tensor cores the zeros are multiplied: dense time and energy.
  auto plain = load("h100-sxm", {"sm.sparsity_2to4=false", "sm.active_energy_per_cycle=0 J"});
  const arch::GpuSm& psm = sm_of(*plain);
  CHECK_FALSE(psm.skips_zeros(Sparsity::kTwoFour));
  arch::ComputeTask same_feed = two_four;
  same_feed.b_bits = 16;
  CHECK(psm.estimate(same_feed).cycles == psm.estimate(dense).cycles);
  CHECK(psm.estimate(two_four).energy.joules() == Approx(psm.estimate(dense).energy.joules()));
}

TEST_CASE("a thread-block cluster shares one L2 read of the tile its CTAs have in common", "[gpu][multicast]") {
  // Without multicast the bundled H100's 8192^3 bf16 GEMM is fed by its L2: 768 B per K step per CTA x
  // 132 CTAs over 4910 B per clock = 20.6 cycles per K step against 16 for the MACs.
  const arch::ComputeTask big = matrix(8192, 8192, 8192);
  auto alone = load("h100-sxm", {"sm.cluster_ctas=1"});
  auto pairs = load("h100-sxm");
  const arch::GpuSm& a = sm_of(*alone);
  const arch::GpuSm& p = sm_of(*pairs);
  CHECK(a.estimate(big).feed == arch::Feed::kBuffers);
  CHECK(p.estimate(big).feed == arch::Feed::kCompute);
  const auto mainloop = [](const arch::GpuSm& sm) { return sm.choose_kernel(8192, 8192, 8192, 1, DataType::kBf16, false).cycles_per_cta; };
  CHECK(static_cast<double>(mainloop(p)) / static_cast<double>(mainloop(a)) == Approx(16 / 20.6).epsilon(0.02));
  // A grid one CTA tall has no pair along M to share B with; the pair shares A along N instead,
  // which saves less (a 128-row A tile against a 256-column B tile).
  const auto one_row = [](const arch::GpuSm& sm) { return sm.choose_kernel(128, 8192, 8192, 1, DataType::kBf16, false); };
  CHECK(one_row(p).cycles_per_cta <= one_row(a).cycles_per_cta);
  CHECK(p.geometry().operand_sharing == 2);
  CHECK(a.geometry().operand_sharing == 1);
  CHECK_THROWS_WITH(load("h100-sxm", {"sm.cluster_ctas=0"}), Catch::Contains("cluster_ctas"));
  // A simulated GEMM reads B from the L2 once per CTA pair: its L2 operand traffic falls by the B
  // half, 1 - (1 + 2 / 2) / (1 + 2) = 1/3 for 128x256 tiles (the C writes are the same).
  const auto l2_read = [](arch::Chip& chip) {
    const Result r = simulate(chip, one_gemm(8192, 8192, 8192, DataType::kBf16));
    for (const auto& st : r.stats) {
      if (st.component == "l2" && st.key == "bytes_read") return st.value;
    }
    return -1.0;
  };
  const double read_alone = l2_read(*alone), read_pairs = l2_read(*pairs);
  REQUIRE(read_alone > 0);
  CHECK(read_pairs / read_alone == Approx(2.0 / 3.0).epsilon(0.05));
}

TEST_CASE("a busy SM cycle costs active_energy_per_cycle on each SM the task keeps busy", "[gpu][power]") {
  auto with = load("h100-sxm");
  auto without = load("h100-sxm", {"sm.active_energy_per_cycle=0 J"});
  const arch::GpuSm& sm = sm_of(*with);
  const arch::GpuSm& bare = sm_of(*without);
  REQUIRE(sm.params().active_energy_per_cycle.joules() > 0);
  const double per_cycle = sm.params().active_energy_per_cycle.joules() * sm.energy_scale();
  // A big GEMM fills every SM for every cycle of its tiles.
  const arch::ComputeTask big = matrix(8192, 8192, 8192);
  CHECK(sm.estimate(big).cycles == bare.estimate(big).cycles);
  CHECK(sm.estimate(big).energy.joules() - bare.estimate(big).energy.joules() ==
        Approx(per_cycle * 132 * static_cast<double>(sm.estimate(big).cycles.count())));
  // An 8-CTA GEMM keeps 8 SMs busy; the others are clock-gated.
  const arch::ComputeTask small = matrix(128, 1024, 64);
  const auto k = sm.choose_kernel(128, 1024, 64, 1, DataType::kBf16, true);
  REQUIRE(k.ctas < 132);
  CHECK(sm.estimate(small).energy.joules() - bare.estimate(small).energy.joules() ==
        Approx(per_cycle * static_cast<double>(k.ctas) * static_cast<double>(sm.estimate(small).cycles.count())));
  // A kernel's launch is not a busy cycle.
  arch::ComputeTask launched = big;
  launched.starts_op = true;
  CHECK(sm.estimate(launched).energy.joules() == Approx(sm.estimate(big).energy.joules()));
}

TEST_CASE("narrow weights stream through L2 and shared memory at their stored width", "[gpu]") {
  auto chip = load("h100-sxm");
  const arch::GpuSm& sm = sm_of(*chip);
  // A decode GEMV is bound by its operand feed, not the tensor cores: int4 weights shrink that feed.
  arch::ComputeTask bf16 = matrix(1, 8192, 8192);
  arch::ComputeTask int4 = bf16;
  int4.b_bits = 4;
  CHECK(sm.estimate(int4).cycles < sm.estimate(bf16).cycles);
  CHECK(sm.native_weight(DataType::kBf16, DataType::kBf16));
  CHECK_FALSE(sm.native_weight(DataType::kInt4, DataType::kBf16));
  CHECK(sm_of(*load("h100-sxm", {"sm.native_weight_dtypes=int4"})).native_weight(DataType::kInt4, DataType::kBf16));
  CHECK(sm.geometry().dequant_m == 128);  // the first CTA tile's M: each CTA row dequantizes its weight tile
}
