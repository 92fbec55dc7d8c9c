// SPDX-License-Identifier: MIT
// A weight codec in front of a DRAM (Mach-1-class): pruned, block-quantized weights are decoded at the
// memory interface, so each physical byte read delivers `ratio` logical bytes to the compute units.
#pragma once

#include <string>
#include <vector>

#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct CompressedMemoryParams {
  std::string device;            // the DRAM component holding the compressed image
  double ratio = 1.0;            // logical bytes per physical byte read
  Bandwidth decode_bandwidth{0}; // logical bytes per second the decoders emit
  EnergyPerByte decode_energy{0};// per logical byte decoded
  Power leakage{0};

  static const Schema<CompressedMemoryParams>& schema();
};

class CompressedMemory final : public MemoryModel {
 public:
  CompressedMemory(ComponentContext ctx, const CompressedMemoryParams& p);

  /// Resolves `device` to a memory of the chip.
  void connect(const Chip& chip, Diagnostics& diag) override;
  /// Reads fetch ceil(bytes / r) physical bytes from the device (at address / r) and stream them
  /// through the decoders (bytes / decode_bandwidth, pipelined with the fetch); energy = device
  /// energy + bytes x decode_energy. r is the request's codec_ratio when the workload's codec set one
  /// (> 1: the workload says how compressible its weights are), else the chip's `ratio`. Writes
  /// (activations, KV) bypass the codec uncompressed.
  Completion access(const MemRequest& req, Time now) override;
  /// Logical capacity: device capacity x ratio.
  Bytes capacity() const override;
  /// Logical peak: min(device peak x ratio, decode_bandwidth).
  Bandwidth peak_bandwidth() const override;
  bool decodes_codec() const override { return true; }
  /// min(device peak x codec_ratio, decode_bandwidth); the chip's `ratio` when codec_ratio <= 1.
  Bandwidth codec_peak_bandwidth(double codec_ratio) const override;
  Time idle_latency() const override;
  bool off_chip() const override { return true; }
  /// A read: the device's energy for the stored bytes plus the decoder's per logical byte.
  EnergyPerByte streaming_energy(bool write) const override;
  Power static_power() const override { return p_.leakage; }
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  CompressedMemoryParams p_;
  MemoryModel* device_ = nullptr;
  Reservation decoder_;
  Bytes logical_read_{0}, physical_read_{0}, written_{0};
  Energy decode_energy_{0}, device_energy_{0};
};

}  // namespace xpusim::arch
