/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxnet_int.h - the lxnet front end's subcommands. Each takes the argv that
 * starts with its own name and returns the process's exit status.
 */
#ifndef LXNET_LXNET_INT_H
#define LXNET_LXNET_INT_H

/* Exit status for a usage error (unknown subcommand, bad option). */
#define LXNET_EXIT_USAGE 2

int shim_main(int argc, char **argv); /* src/shim.c */
int run_main(int argc, char **argv);  /* src/run.c */
int exec_main(int argc, char **argv); /* src/exec.c */
int ps_main(int argc, char **argv);   /* src/ps.c */
int oci_profile_main(int argc, char **argv); /* src/oci_profile.c */
int oci_hook_main(int argc, char **argv); /* src/oci_hook.c */

#endif
