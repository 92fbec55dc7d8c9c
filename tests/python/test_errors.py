"""Bad input from Python arrives as xpusim.ConfigError (a ValueError) with the C++ message."""
from __future__ import annotations

import pytest

import xpusim
from conftest import GEMM


def test_config_error_is_a_value_error():
    assert issubclass(xpusim.ConfigError, ValueError)
    assert xpusim.ConfigError.__module__ == "xpusim"


def test_unknown_component_suggests_the_right_name(chip):
    with pytest.raises(xpusim.ConfigError) as e:
        chip.set("hbmm.data_rate", "3 GT/s")
    assert str(e.value) == "--set components.hbmm.data_rate: no element named 'hbmm' under 'components' (did you mean 'hbm'?)"


def test_unknown_parameter_suggests_the_right_key(chip):
    with pytest.raises(xpusim.ConfigError, match=r"hbm \(memory/dram\): unknown key 'data_rte' \(did you mean 'data_rate'\?\)"):
        chip.set("hbm.data_rte", "3 GT/s")


def test_missing_or_wrong_unit_says_what_was_expected(chip):
    with pytest.raises(xpusim.ConfigError, match=r"'data_rate' expects a frequency like \"1.755 GHz\", got \"3.2\""):
        chip.set("hbm.data_rate", 3.2)
    with pytest.raises(xpusim.ConfigError, match=r"'capacity' expects a size"):
        chip.set("vmem.capacity", "32 MHz")


def test_failed_set_leaves_the_chip_unchanged(chip, gemm):
    before = xpusim.run(chip, gemm).to_dict()
    with pytest.raises(xpusim.ConfigError):
        chip.set("hbm.data_rate", "fast")
    assert chip.overrides == []
    assert xpusim.run(chip, gemm).to_dict() == before


def test_bad_override_syntax_is_a_value_error(chip):
    with pytest.raises(ValueError, match="dotted name"):
        chip.set("hbm.data_rate=3", "x")


def test_bad_file_names_the_file():
    with pytest.raises(xpusim.ConfigError, match="nope.yaml"):
        xpusim.Chip.load("nope.yaml")


def test_bad_dict_values_name_their_place():
    with pytest.raises(xpusim.ConfigError, match=r"^<dict>\.chip\.main_memory: expects a dict, list, str"):
        xpusim.Chip({"chip": {"name": "x", "main_memory": object()}, "components": []})
    with pytest.raises(xpusim.ConfigError, match="missing list 'components:'"):
        xpusim.Chip({"chip": {"name": "x", "main_memory": "m"}})


def test_workload_override_errors():
    with pytest.raises(xpusim.ConfigError, match="did you mean 'batch'"):
        xpusim.Workload(GEMM, {"bacth": 2})
    w = xpusim.Workload(GEMM)
    with pytest.raises(xpusim.ConfigError) as e:
        w.set("m", 0)
    assert str(e.value) == "--set m: workload (gemm): 'm' must be at least 1, got \"0\""
    assert w.overrides == []


def test_unknown_model_type():
    with pytest.raises(xpusim.ConfigError, match="did you mean 'memory/dram'"):
        xpusim.describe_type("memory/dramm")


def test_bad_unit_string():
    with pytest.raises(xpusim.ConfigError, match="expects a quantity with a unit"):
        xpusim.to_si("8 furlongs")


def test_run_rejects_wrong_types(chip):
    with pytest.raises(TypeError, match="xpusim.Workload"):
        xpusim.run(chip, str(GEMM))
