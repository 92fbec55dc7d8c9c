// SPDX-License-Identifier: MIT
// Strong physical quantities. A Quantity never converts implicitly to or from a raw number, and only
// physically meaningful mixed operators exist, so bytes can never be added to seconds by accident.
#pragma once

#include <cmath>
#include <concepts>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace xpusim {

/// Base of every quantity: a value of representation `Rep` tagged by the concrete type `Derived`.
/// Same-type arithmetic (+, -, comparison) and scaling by a plain number are allowed.
template <class Derived, class Rep>
class Quantity {
 public:
  using rep = Rep;
  constexpr Quantity() = default;
  constexpr explicit Quantity(Rep v) : v_(v) {}

  friend constexpr Derived operator+(Derived a, Derived b) { return Derived(a.v_ + b.v_); }
  friend constexpr Derived operator-(Derived a, Derived b) { return Derived(a.v_ - b.v_); }
  constexpr Derived& operator+=(Derived b) {
    v_ += b.v_;
    return static_cast<Derived&>(*this);
  }
  constexpr Derived& operator-=(Derived b) {
    v_ -= b.v_;
    return static_cast<Derived&>(*this);
  }
  friend constexpr auto operator<=>(const Quantity&, const Quantity&) = default;
  friend constexpr bool operator==(const Quantity&, const Quantity&) = default;
  /// Ratio of two quantities of the same kind: a plain number.
  friend constexpr double ratio(Derived a, Derived b) {
    return static_cast<double>(a.v_) / static_cast<double>(b.v_);
  }

 protected:
  Rep v_{};
};

/// Simulated time in integer picoseconds (the base tick of gem5 and SST): exact and deterministic.
class Time : public Quantity<Time, std::int64_t> {
 public:
  using Quantity::Quantity;
  constexpr std::int64_t ps() const { return v_; }
  constexpr double seconds() const { return static_cast<double>(v_) * 1e-12; }
  constexpr double ns() const { return static_cast<double>(v_) * 1e-3; }
  /// Rounds up to whole picoseconds: a modelled duration is never shortened.
  static Time from_seconds_ceil(double s) { return Time(static_cast<std::int64_t>(std::ceil(s * 1e12 - 1e-6))); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }
  // Whole factors only: a fractional one would be truncated (0.25 * t == 0); scale seconds() instead.
  template <std::integral K>
  friend constexpr Time operator*(Time t, K k) { return Time(t.v_ * static_cast<std::int64_t>(k)); }
  template <std::integral K>
  friend constexpr Time operator*(K k, Time t) { return Time(t.v_ * static_cast<std::int64_t>(k)); }
};

/// A count of clock cycles; converts to Time only through a Clock.
class Cycles : public Quantity<Cycles, std::int64_t> {
 public:
  using Quantity::Quantity;
  constexpr std::int64_t count() const { return v_; }
  template <std::integral K>  // whole factors only, as for Time
  friend constexpr Cycles operator*(Cycles c, K k) { return Cycles(c.v_ * static_cast<std::int64_t>(k)); }
};

/// Data size. Signed so that a mistaken subtraction shows up as a negative number, not a wrap.
class Bytes : public Quantity<Bytes, std::int64_t> {
 public:
  using Quantity::Quantity;
  constexpr std::int64_t count() const { return v_; }
  constexpr double bits() const { return static_cast<double>(v_) * 8.0; }
  template <std::integral K>  // whole factors only, as for Time
  friend constexpr Bytes operator*(Bytes b, K k) { return Bytes(b.v_ * static_cast<std::int64_t>(k)); }
  template <std::integral K>
  friend constexpr Bytes operator*(K k, Bytes b) { return Bytes(b.v_ * static_cast<std::int64_t>(k)); }
};

class Frequency : public Quantity<Frequency, double> {
 public:
  using Quantity::Quantity;
  constexpr double hz() const { return v_; }
  constexpr double ghz() const { return v_ * 1e-9; }
};

class Bandwidth : public Quantity<Bandwidth, double> {
 public:
  using Quantity::Quantity;
  constexpr double bytes_per_second() const { return v_; }
  friend constexpr Bandwidth operator*(Bandwidth b, double k) { return Bandwidth(b.v_ * k); }
  friend constexpr Bandwidth operator*(double k, Bandwidth b) { return Bandwidth(b.v_ * k); }
};

class Energy : public Quantity<Energy, double> {
 public:
  using Quantity::Quantity;
  constexpr double joules() const { return v_; }
  constexpr double pj() const { return v_ * 1e12; }
  friend constexpr Energy operator*(Energy e, double k) { return Energy(e.v_ * k); }
  friend constexpr Energy operator*(double k, Energy e) { return Energy(e.v_ * k); }
};

class Power : public Quantity<Power, double> {
 public:
  using Quantity::Quantity;
  constexpr double watts() const { return v_; }
  friend constexpr Power operator*(Power p, double k) { return Power(p.v_ * k); }
};

/// A supply voltage (a chip's voltage/frequency relation).
class Voltage : public Quantity<Voltage, double> {
 public:
  using Quantity::Quantity;
  constexpr double volts() const { return v_; }
};

/// A length; here the feature size that names a process node ("4 nm").
class Length : public Quantity<Length, double> {
 public:
  using Quantity::Quantity;
  constexpr double meters() const { return v_; }
  constexpr double nm() const { return v_ * 1e9; }
};

/// Energy to move one byte (parsed from "pJ/bit" or "pJ/B").
class EnergyPerByte : public Quantity<EnergyPerByte, double> {
 public:
  using Quantity::Quantity;
  constexpr double joules_per_byte() const { return v_; }
  friend constexpr EnergyPerByte operator*(EnergyPerByte e, double k) { return EnergyPerByte(e.v_ * k); }
};

/// A number of floating-point (or integer) operations; one multiply-accumulate is two.
class Flops : public Quantity<Flops, double> {
 public:
  using Quantity::Quantity;
  constexpr double count() const { return v_; }
};

/// Operations per second.
class FlopRate : public Quantity<FlopRate, double> {
 public:
  using Quantity::Quantity;
  constexpr double per_second() const { return v_; }
};

// ---- The physically valid mixed operators, and no others. ----

/// Transfer time, rounded up to a whole picosecond so that no transfer beats its bandwidth.
inline Time operator/(Bytes b, Bandwidth bw) {
  return Time::from_seconds_ceil(static_cast<double>(b.count()) / bw.bytes_per_second());
}
/// Bytes moved in a time, rounded down.
inline Bytes operator*(Bandwidth bw, Time t) {
  return Bytes(static_cast<std::int64_t>(std::floor(bw.bytes_per_second() * t.seconds())));
}
inline Bandwidth operator/(Bytes b, Time t) { return Bandwidth(static_cast<double>(b.count()) / t.seconds()); }
inline Energy operator*(Power p, Time t) { return Energy(p.watts() * t.seconds()); }
inline Power operator/(Energy e, Time t) { return Power(e.joules() / t.seconds()); }
inline Energy operator*(EnergyPerByte e, Bytes b) { return Energy(e.joules_per_byte() * static_cast<double>(b.count())); }
inline Time operator/(Flops f, FlopRate r) { return Time::from_seconds_ceil(f.count() / r.per_second()); }
inline FlopRate operator/(Flops f, Time t) { return FlopRate(f.count() / t.seconds()); }

/// The slowest clock a component may have: no digital accelerator runs slower, and slower clocks'
/// cycles overflow the picosecond timeline on long tasks.
inline constexpr double kMinClockHz = 1e6;

/// A clock domain: the only bridge between Cycles and Time.
class Clock {
 public:
  constexpr explicit Clock(Frequency f) : f_(f) {}
  constexpr Frequency frequency() const { return f_; }
  /// Time taken by `c` cycles, rounded up to a picosecond. Exact for any count (no accumulated drift).
  Time to_time(Cycles c) const {
    long double ps = static_cast<long double>(c.count()) * 1e12L / static_cast<long double>(f_.hz());
    return Time(static_cast<std::int64_t>(std::ceil(ps - 1e-6L)));
  }
  /// Whole cycles needed to cover `t`.
  Cycles cycles_ceil(Time t) const {
    long double c = static_cast<long double>(t.ps()) * static_cast<long double>(f_.hz()) / 1e12L;
    return Cycles(static_cast<std::int64_t>(std::ceil(c - 1e-9L)));
  }

 private:
  Frequency f_;
};

namespace literals {
constexpr Time operator""_ps(unsigned long long v) { return Time(static_cast<std::int64_t>(v)); }
constexpr Time operator""_ns(unsigned long long v) { return Time(static_cast<std::int64_t>(v) * 1000); }
constexpr Time operator""_us(unsigned long long v) { return Time(static_cast<std::int64_t>(v) * 1000000); }
constexpr Bytes operator""_B(unsigned long long v) { return Bytes(static_cast<std::int64_t>(v)); }
constexpr Bytes operator""_KiB(unsigned long long v) { return Bytes(static_cast<std::int64_t>(v) << 10); }
constexpr Bytes operator""_MiB(unsigned long long v) { return Bytes(static_cast<std::int64_t>(v) << 20); }
constexpr Bytes operator""_GiB(unsigned long long v) { return Bytes(static_cast<std::int64_t>(v) << 30); }
constexpr Frequency operator""_GHz(long double v) { return Frequency(static_cast<double>(v) * 1e9); }
constexpr Frequency operator""_GHz(unsigned long long v) { return Frequency(static_cast<double>(v) * 1e9); }
constexpr Bandwidth operator""_GBps(unsigned long long v) { return Bandwidth(static_cast<double>(v) * 1e9); }
constexpr Bandwidth operator""_GBps(long double v) { return Bandwidth(static_cast<double>(v) * 1e9); }
constexpr Energy operator""_pJ(long double v) { return Energy(static_cast<double>(v) * 1e-12); }
constexpr Energy operator""_pJ(unsigned long long v) { return Energy(static_cast<double>(v) * 1e-12); }
}  // namespace literals

}  // namespace xpusim
