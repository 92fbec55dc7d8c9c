// SPDX-License-Identifier: MIT
#include "python/bindings/bindings.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "xpusim native core: load chips and workloads, simulate, introspect model types";
  // Errors first: every later binding may raise ConfigError.
  xpusim::py::bind_config(m);
  xpusim::py::bind_units(m);
  xpusim::py::bind_arch(m);
  xpusim::py::bind_workloads(m);
  xpusim::py::bind_sim(m);
  xpusim::py::bind_system(m);
}
