// SPDX-License-Identifier: MIT
// libsystemc.so references sc_main, but xpusim never uses it: main() is ours, or Python's. This weak
// empty definition is linked as an object into every program (never from an archive, whose members
// the linker would skip because nothing in xpusim refers to it).
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 0; }
