// SPDX-License-Identifier: MIT
// The native module xpusim._core, one bind_* per area (STYLE.md 3.7). It stays thin: loading, running
// and introspection; sweeps, DataFrames and reports are pure Python in python/xpusim/.
#pragma once

#include <pybind11/pybind11.h>

#include <mutex>
#include <string>

#include "sim/config/config_node.h"
#include "sim/driver/serving.h"
#include "sim/result.h"

namespace xpusim::py {

void bind_config(pybind11::module_& m);
void bind_units(pybind11::module_& m);
void bind_arch(pybind11::module_& m);
void bind_workloads(pybind11::module_& m);
void bind_sim(pybind11::module_& m);
void bind_system(pybind11::module_& m);

/// The Result as a dict with the JSON result's keys (plus `roofline` and `timeline`).
pybind11::dict result_dict(const Result& r);
/// A generation's figures {ttft_s, tpot_s, total_s, tokens_per_s, simulations, buckets}.
pybind11::dict generation_dict(const GenerationResult& g);
/// SystemC keeps one current context per process: simulations from several Python threads take turns.
std::mutex& simulation_mutex();

/// os.fspath(path) as a string: a str or any path-like object.
std::string fspath(const pybind11::object& path);

/// Converts a Python dict / list / scalar to a ConfigNode. Each node's mark names its place in the
/// dict ("<dict>.components[0].bandwidth"), so C++ messages point at the offending key.
ConfigNode to_config_node(const pybind11::handle& value, const std::string& where = "<dict>");
/// The reverse: maps to dicts, sequences to lists, scalars to str, nulls to None.
pybind11::object from_config_node(const ConfigNode& node);

}  // namespace xpusim::py
