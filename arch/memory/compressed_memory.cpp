// SPDX-License-Identifier: MIT
// Compressed-weight memory: fewer physical bytes per logical byte, plus a decoder stage.
#include "arch/memory/compressed_memory.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/chip.h"
#include "arch/registry.h"

namespace xpusim::arch {

const Schema<CompressedMemoryParams>& CompressedMemoryParams::schema() {
  static const Schema<CompressedMemoryParams> s = [] {
    using P = CompressedMemoryParams;
    Schema<P> sc("weight codec at the memory interface: reads deliver 'ratio' logical bytes per DRAM byte");
    sc.add("device", &P::device, "name of the DRAM component holding the compressed data").required();
    sc.add("ratio", &P::ratio, "logical bytes delivered per physical byte read (>= 1)").required().at_least(1);
    sc.add("decode_bandwidth", &P::decode_bandwidth, "logical bytes per second the decoders emit")
        .required().positive();
    sc.add("decode_energy", &P::decode_energy, "energy per logical byte decoded").required().at_least(0);
    sc.add("leakage", &P::leakage, "static power of the decoders").at_least(0);
    return sc;
  }();
  return s;
}

CompressedMemory::CompressedMemory(ComponentContext ctx, const CompressedMemoryParams& p)
    : MemoryModel(std::move(ctx)), p_(p) {}

void CompressedMemory::connect(const Chip& chip, Diagnostics& diag) {
  Component* c = chip.find(p_.device);
  device_ = c == this ? nullptr : dynamic_cast<MemoryModel*>(c);
  if (!device_) {
    std::vector<std::string> memories;
    for (const auto& comp : chip.components()) {
      if (dynamic_cast<MemoryModel*>(comp.get()) && comp.get() != this) memories.push_back(comp->name());
    }
    diag.error(mark(), name() + " (memory/compressed): 'device' names '" + p_.device +
                           "', which is not another memory of this chip" + did_you_mean(p_.device, memories));
  }
}

Bytes CompressedMemory::capacity() const {
  if (!device_) return Bytes(0);
  return Bytes(static_cast<std::int64_t>(static_cast<double>(device_->capacity().count()) * p_.ratio));
}

Bandwidth CompressedMemory::peak_bandwidth() const { return codec_peak_bandwidth(p_.ratio); }

Bandwidth CompressedMemory::codec_peak_bandwidth(double codec_ratio) const {
  if (!device_) return p_.decode_bandwidth;
  return std::min(device_->peak_bandwidth() * (codec_ratio > 1 ? codec_ratio : p_.ratio), p_.decode_bandwidth);
}

EnergyPerByte CompressedMemory::streaming_energy(bool write) const {
  if (!device_) return EnergyPerByte(0);
  if (write) return device_->streaming_energy(true);
  return EnergyPerByte(device_->streaming_energy(false).joules_per_byte() / p_.ratio + p_.decode_energy.joules_per_byte());
}

Time CompressedMemory::idle_latency() const { return device_ ? device_->idle_latency() : Time(0); }

Completion CompressedMemory::access(const MemRequest& req, Time now) {
  if (req.bytes.count() <= 0) return Completion{now, now, Energy(0)};
  if (!device_) throw std::logic_error(name() + ": accessed before connect()");
  if (req.write) {
    const Completion c = device_->access(req, now);
    written_ += req.bytes;
    device_energy_ += c.energy;
    return c;
  }
  const double ratio = req.codec_ratio > 1 ? req.codec_ratio : p_.ratio;
  MemRequest phys = req;
  phys.codec_ratio = 1.0;
  phys.bytes = Bytes(static_cast<std::int64_t>(std::ceil(static_cast<double>(req.bytes.count()) / ratio)));
  phys.address = static_cast<std::uint64_t>(static_cast<double>(req.address) / ratio);
  const Completion d = device_->access(phys, now);
  // The decoders consume the stream as it arrives: they start with the fetch and can end no earlier
  // than their own throughput allows.
  const Time decode = req.bytes / p_.decode_bandwidth;
  const Time ds = decoder_.reserve(d.start, decode);
  const Energy dec = p_.decode_energy * req.bytes;
  logical_read_ += req.bytes;
  physical_read_ += phys.bytes;
  decode_energy_ += dec;
  device_energy_ += d.energy;
  return Completion{std::min(d.start, ds), std::max(d.done, ds + decode), d.energy + dec};
}

std::vector<Stat> CompressedMemory::stats() const {
  return {
      {"logical_bytes_read", static_cast<double>(logical_read_.count()), "B", "decoded bytes delivered"},
      {"physical_bytes_read", static_cast<double>(physical_read_.count()), "B", "compressed bytes fetched"},
      {"bytes_written", static_cast<double>(written_.count()), "B", "uncompressed bytes written through"},
      {"decode_energy", decode_energy_.joules(), "J", "decoder energy"},
      {"device_energy", device_energy_.joules(), "J", "dynamic energy of the DRAM, booked here"},
  };
}

void CompressedMemory::reset() {
  decoder_.reset();
  logical_read_ = physical_read_ = written_ = Bytes(0);
  decode_energy_ = device_energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/compressed", CompressedMemory, CompressedMemoryParams);

}  // namespace xpusim::arch
