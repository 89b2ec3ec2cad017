# SPDX-License-Identifier: LGPL-2.1-or-later
# make install puts the examples in DOCDIR/examples
examplesdir = $(docdir)/examples
dist_examples_SCRIPTS = examples/chroot-overlay.sh examples/unshare-ci.sh \
	examples/rootfs-userland.sh examples/crun.sh examples/podman.sh
# chroot-overlay.sh (owner: lxnetfs engineer); run by tests/integration/lxnetfs-basic.sh's sibling tests
EXTRA_DIST += examples/chroot-overlay.sh
# unshare-ci.sh, rootfs-userland.sh (owner: launcher); run by tests/integration/run-examples.sh
EXTRA_DIST += examples/unshare-ci.sh examples/rootfs-userland.sh
# crun.sh, podman.sh (owner: oci); run by tests/integration/oci-crun.sh and oci-podman.sh
# the sample configuration file (lxnet.conf(5)); run-config.sh parses it
dist_examples_DATA = examples/lxnet.conf
