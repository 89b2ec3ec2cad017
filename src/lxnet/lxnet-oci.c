// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxnet-oci.c - lxnet oci-profile and lxnet oci-hook, a program of their own */
/*
 * The OCI commands read and write JSON with json-glib, which brings GIO
 * and its libraries (libmount, libselinux, libblkid, ...) along: loading
 * them cost every `lxnet run` about 1.5 ms of CPU and lxnet-proxy 4 ms.
 * So they live here, installed in lxnet's libexec folder, and `lxnet
 * oci-profile` / `lxnet oci-hook` exec this program with their arguments
 * (src/lxnet/lxnet.c); it is not meant to be run by hand.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "log.h"
#include "lxnet_int.h"

int main(int argc, char **argv)
{
	log_init("lxnet", LOG_LVL_WARN);
	if (argc >= 2 && strcmp(argv[1], "oci-profile") == 0)
		return oci_profile_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "oci-hook") == 0)
		return oci_hook_main(argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[1], "--version") == 0 ||
			  strcmp(argv[1], "-V") == 0)) {
		cli_print_version("lxnet-oci");
		return 0;
	}
	cli_usage_error("lxnet-oci", "want oci-profile or oci-hook (it is run as `lxnet oci-profile` or `lxnet oci-hook`)");
	return CLI_EXIT_USAGE;
}
