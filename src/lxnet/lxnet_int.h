/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxnet_int.h - the lxnet front end's subcommands. Each takes the argv that
 * starts with its own name and returns the process's exit status; options
 * are read with src/cli.c (usage errors exit CLI_EXIT_USAGE).
 */
#ifndef LXNET_LXNET_INT_H
#define LXNET_LXNET_INT_H

int shim_main(int argc, char **argv); /* src/lxnet/shim_cli.c */
int run_main(int argc, char **argv);  /* src/lxnet/run.c */
int exec_main(int argc, char **argv); /* src/lxnet/exec.c */
int ps_main(int argc, char **argv);   /* src/lxnet/ps.c */
/* in lxnet-oci (src/lxnet/lxnet-oci.c), which `lxnet` execs for them */
int oci_profile_main(int argc, char **argv); /* src/lxnet/oci_profile.c */
int oci_hook_main(int argc, char **argv);    /* src/lxnet/oci_hook.c */

char *lxnet_find_helper(const char *name, const char *subdir,
			const char *env); /* src/lxnet/helper.c */

#endif
