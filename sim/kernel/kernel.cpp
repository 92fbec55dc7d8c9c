// SPDX-License-Identifier: MIT
// SystemC implementation of the kernel: the fresh-context / reaper pattern of TOOLCHAIN.md section 4.
#include "sim/kernel/kernel.h"

#define SC_INCLUDE_DYNAMIC_PROCESSES  // sc_spawn
#include <systemc>
#include <deque>
#include <exception>
#include <memory>
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

/// A process that runs jobs one after another. Op processes come and go by the thousand in a run;
/// reusing a few workers avoids creating a SystemC process (named, registered, with its own stack) for
/// each, and keeps every process a child of the dispatcher instead of a chain of children of
/// children, whose teardown recursed once per op and overflowed the stack on long graphs.
struct Worker {
  sc_core::sc_event go;
  std::function<void()> job;
};

struct Context::Impl {
  std::exception_ptr failure;
  std::deque<std::function<void()>> ready;  // spawned, waiting for a worker
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Worker*> idle;
  sc_core::sc_event wake_dispatcher;
  bool running = false;
  bool stopping = false;

  void work(Worker& w) {
    for (;;) {
      while (!w.job) {
        if (stopping) return;
        sc_core::wait(w.go);
      }
      try {
        w.job();
      } catch (const sc_core::sc_unwind_exception&) {
        throw;  // SystemC's own kill/reset mechanism must pass through
      } catch (...) {
        if (!failure) failure = std::current_exception();
        sc_core::sc_pause();
      }
      w.job = nullptr;
      idle.push_back(&w);
    }
  }

  /// Hands every ready job to an idle worker, starting new workers when none is idle.
  void dispatch() {
    for (;;) {
      while (!ready.empty()) {
        std::function<void()> job = std::move(ready.front());
        ready.pop_front();
        if (idle.empty()) {
          Worker& w = *workers.emplace_back(std::make_unique<Worker>());
          w.job = std::move(job);
          sc_core::sc_spawn([this, &w] { work(w); }, sc_core::sc_gen_unique_name("worker"));
        } else {
          Worker* w = idle.back();
          idle.pop_back();
          w->job = std::move(job);
          w->go.notify();
        }
      }
      if (stopping) return;
      sc_core::wait(wake_dispatcher);
    }
  }

  /// Lets the idle workers and the dispatcher return. Killing them instead would unwind their stacks
  /// by exception, which AddressSanitizer cannot follow across coroutine stacks (false reports on the
  /// next exception anywhere in the program).
  void stop() {
    stopping = true;
    for (auto& w : workers) w->go.notify(sc_core::SC_ZERO_TIME);
    wake_dispatcher.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

Context::Context() {
  fresh_context();  // first: the Impl's events belong to the new context
  impl_ = std::make_unique<Impl>();
}

Context::~Context() {
  try {
    kill_remaining_processes();
  } catch (...) {
    // A process that throws while being killed must not take the caller down with it.
  }
}

void Context::spawn(std::function<void()> body) {
  impl_->ready.push_back(std::move(body));
  if (impl_->running) impl_->wake_dispatcher.notify();  // runs in this evaluation phase, at this time
}

void Context::run() {
  impl_->running = true;
  sc_core::sc_spawn([impl = impl_.get()] { impl->dispatch(); }, "dispatcher");
  sc_core::sc_start();
  if (impl_->failure) std::rethrow_exception(impl_->failure);  // the destructor kills what is left
  impl_->stop();
}

Time Context::now() { return Time(static_cast<std::int64_t>(sc_core::sc_time_stamp().value())); }

void Context::wait_until(Time t) {
  Time n = now();
  if (t > n) sc_core::wait(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>((t - n).ps())));
}

struct Flag::Impl {
  sc_core::sc_event event;  // unnamed: not registered in the object hierarchy
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
