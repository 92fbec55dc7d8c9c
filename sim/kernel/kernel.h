// SPDX-License-Identifier: MIT
// The event kernel as the rest of xpusim sees it: processes that wait until a time or for a flag.
// SystemC sits behind this header (STYLE.md 3.1), one fresh context per simulation, so one process
// can run any number of simulations one after another.
#pragma once

#include <functional>
#include <memory>

#include "sim/units.h"

namespace xpusim::kernel {

/// One simulation's SystemC context. Only one may be alive at a time. Destroying it kills any
/// process still waiting and frees the context.
class Context {
 public:
  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// Starts `body` as a process at the current time. Callable before run() and from processes.
  void spawn(std::function<void()> body);
  /// Runs until no event is pending. A C++ exception thrown in a process is rethrown here.
  void run();
  /// Current simulated time.
  static Time now();
  /// Suspends the calling process until `t` (no-op when `t` is not in the future).
  static void wait_until(Time t);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A one-shot condition: set once; wait() returns at once after that.
class Flag {
 public:
  Flag();
  ~Flag();
  Flag(const Flag&) = delete;
  Flag& operator=(const Flag&) = delete;
  void set();
  void wait();
  bool is_set() const { return set_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool set_ = false;
};

}  // namespace xpusim::kernel
