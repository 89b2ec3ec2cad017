#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-gtest.sh - run a GTest binary so that it prints TAP for the harness and
# keeps going after a failed case.
exec "$@" --tap -k
