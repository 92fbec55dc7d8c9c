// SPDX-License-Identifier: MIT
// A step cost for scheduler tests: a decode part of 10 ms plus 1 us per context token, a prefill part
// of 1 ms plus 20 us per prompt token; a mixed iteration pays both.
#pragma once

#include "sim/scenario/llm_scheduler.h"

namespace xpusim::test {

inline Time synthetic(const LlmIteration& it) {
  Time t{0};
  if (it.decode_seqs > 0) t += Time(10'000'000'000 + it.decode_context * 1'000'000);
  if (it.prefill_seqs > 0) t += Time(1'000'000'000 + it.prefill_tokens * 20'000'000);
  return t;
}

}  // namespace xpusim::test
