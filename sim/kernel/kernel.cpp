// SPDX-License-Identifier: MIT
// SystemC implementation of the kernel: the fresh-context / reaper pattern of TOOLCHAIN.md section 4.
#include "sim/kernel/kernel.h"

#define SC_INCLUDE_DYNAMIC_PROCESSES  // sc_spawn
#include <systemc>
#include <exception>
#include <string>
#include <vector>

namespace xpusim::kernel {
namespace {

void fresh_context() {
  // The context that existed at library load is referenced by SystemC statics: never delete it.
  static sc_core::sc_simcontext* const initial = sc_core::sc_get_curr_simcontext();
  sc_core::sc_simcontext* old = sc_core::sc_curr_simcontext;
  if (old && old != initial) delete old;
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
}

void collect(const std::vector<sc_core::sc_object*>& objs, std::vector<sc_core::sc_process_handle>& out) {
  for (auto* o : objs) {
    sc_core::sc_process_handle h(o);
    if (h.valid() && !h.terminated()) out.push_back(h);
    collect(o->get_child_objects(), out);
  }
}

void kill_remaining_processes() {
  using namespace sc_core;
  if (!sc_is_running()) return;
  std::vector<sc_process_handle> alive;
  collect(sc_get_top_level_objects(), alive);
  if (alive.empty()) return;
  // Killing from main() between sc_start calls crashes SystemC 2.3.4; a reaper process may do it.
  sc_spawn(
      [p = std::move(alive)]() mutable {
        for (auto& h : p) {
          if (!h.terminated()) h.kill();
        }
        p.clear();
      },
      sc_gen_unique_name("reaper"));
  sc_start(SC_ZERO_TIME);
}

}  // namespace

struct Context::Impl {
  std::exception_ptr failure;
};

Context::Context() : impl_(std::make_unique<Impl>()) { fresh_context(); }

Context::~Context() {
  try {
    kill_remaining_processes();
  } catch (...) {
    // A process that throws while being killed must not take the caller down with it.
  }
}

void Context::spawn(std::function<void()> body) {
  Impl* impl = impl_.get();
  sc_core::sc_spawn(
      [impl, b = std::move(body)]() {
        try {
          b();
        } catch (const sc_core::sc_unwind_exception&) {
          throw;  // SystemC's own kill/reset mechanism must pass through
        } catch (...) {
          if (!impl->failure) impl->failure = std::current_exception();
          sc_core::sc_pause();
        }
      },
      sc_core::sc_gen_unique_name("op"));
}

void Context::run() {
  sc_core::sc_start();
  if (impl_->failure) std::rethrow_exception(impl_->failure);
}

Time Context::now() { return Time(static_cast<std::int64_t>(sc_core::sc_time_stamp().value())); }

void Context::wait_until(Time t) {
  Time n = now();
  if (t > n) sc_core::wait(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>((t - n).ps())));
}

struct Flag::Impl {
  sc_core::sc_event event{sc_core::sc_gen_unique_name("flag")};
};

Flag::Flag() : impl_(std::make_unique<Impl>()) {}
Flag::~Flag() = default;

void Flag::set() {
  if (set_) return;
  set_ = true;
  impl_->event.notify(sc_core::SC_ZERO_TIME);
}

void Flag::wait() {
  if (!set_) sc_core::wait(impl_->event);
}

}  // namespace xpusim::kernel
