# SPDX-License-Identifier: LGPL-2.1-or-later
# benchmarks (owner: bench engineer): `make bench` runs tests/bench/run.sh
# (see the top Makefile.am); the smoke test keeps it working in `make check`.
TESTS += tests/bench/smoke.sh
EXTRA_DIST += tests/bench/run.sh tests/bench/smoke.sh tests/bench/slirp-run.sh \
	tests/bench/benchtool.c
