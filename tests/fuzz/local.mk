# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz targets (owner: nltests): the script builds each target with clang
# -fsanitize=fuzzer itself, so nothing here is compiled by make.
TESTS += tests/fuzz/fuzz-nlmsg.sh
EXTRA_DIST += tests/fuzz/fuzz-nlmsg.sh tests/fuzz/fuzz-nlmsg.c
TESTS += tests/fuzz/fuzz-jsonscan.sh
EXTRA_DIST += tests/fuzz/fuzz-jsonscan.sh tests/fuzz/fuzz-jsonscan.c tests/fuzz/fuzz-lib.sh
