// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxnetfs.c - lxnetfs: the host's network view as files, over FUSE */
/*
 * Theory of operation
 * -------------------
 * lxnetfs runs in the host's network namespace and serves a small fixed
 * tree (etc/resolv.conf, etc/hosts, etc/hostname, proc/net/{dev,route,
 * if_inet6,ipv6_route,arp}) whose bytes are rendered from the network model
 * (src/netstate.h) by the renderers (src/render.h). Everything runs on one
 * thread, in one GLib main loop: the FUSE device fd and netstate's own fds
 * are sources of the same loop, so no locks exist anywhere.
 *
 * Consistency. netstate hands us immutable snapshots and, on each new one,
 * the set of parts that changed. A file whose parts changed is marked stale
 * and the kernel's cached attributes for it are dropped (attributes only:
 * page invalidation from the serving thread can deadlock; the page-cached
 * files of kcache.c have their pages dropped by the kernel when it learns
 * the new size and mtime). Nothing is rendered until someone
 * stats or opens the file; then the new rendering is compared with the
 * cached one and only a real byte change bumps mtime and ctime (one
 * strictly increasing nanosecond clock for the whole tree). getattr thus
 * always reports the exact size of the current rendering, the inode never
 * changes, and glibc's stat-based reload of resolv.conf sees every change.
 * An open handle pins one rendering (a refcounted GBytes), so reads at any
 * offsets never mix two snapshots; the rendering is freed when the last
 * handle and the cache let go.
 *
 * etc/hosts and etc/resolv.conf take the sandbox's writes (write.c): a
 * file reads as its rendering followed by the bytes written inside, kept
 * in memory and bounded; a truncation makes it those bytes alone. A write
 * is a byte change like any other: same stat, times and handle rules.
 *
 * proc/net/dev's counters move without any notification: each open renders
 * the snapshot's links with counters read right then (one RTM_GETSTATS dump
 * of the 64-bit counters on a long-lived socket, netstate_counters_read());
 * its stat size is that of the last rendering, which can lag by the width
 * of a counter.
 *
 * Mounting. Either we mount MOUNTPOINT ourselves (fusermount3 for non-root;
 * allow_other whenever that may be had, lxfs_may_allow_other()),
 * or MOUNTPOINT is /dev/fd/N: a /dev/fuse fd someone else (lxnet run) already
 * mounted, typically inside a sandbox's user namespace. When N is a
 * connected AF_UNIX socket instead, the /dev/fuse fd arrives on it later
 * (FDPASS_FUSE_DEVICE): lxnet run starts us before its sandbox has even
 * opened /dev/fuse, so our exec, library loading and model build (four
 * netlink dumps) overlap the sandbox's set-up instead of delaying its first
 * lookup; once serving we answer FDPASS_ACK (status 0 or -errno) on the
 * socket and close it. With the device comes a state file (state.c): we
 * then serve from a clone of the device, and an lxnetfs started after we
 * die takes over (FDPASS_FUSE_RESUME; FDPASS_ACK_SHARED when the kernel
 * refuses the clone). Ownership reported
 * in replies is read by the kernel in the mount's user namespace, hence
 * -o uid=N,gid=N. We leave on unmount (the device says ENODEV) or on
 * SIGTERM/SIGINT/SIGHUP, unmounting what we mounted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fuse_opt.h>
#include <glib-unix.h>

#include "cli.h"
#include "fdpass.h"
#include "fs_int.h"
#include "log.h"
#include "util.h"

/* Bound on waiting for lxnet run's /dev/fuse fd on a control socket. */
#define LXFS_RECEIVE_TIMEOUT_MS 30000

/* Options lxnetfs takes out of -o itself; the rest go to libfuse. */
struct lxfs_owner_opts {
	unsigned int uid;
	unsigned int gid;
	int uid_set;
	int gid_set;
};

static const struct fuse_opt lxfs_owner_optspec[] = {
	{ "uid=%u", offsetof(struct lxfs_owner_opts, uid), 0 },
	{ "uid=", offsetof(struct lxfs_owner_opts, uid_set), 1 },
	{ "gid=%u", offsetof(struct lxfs_owner_opts, gid), 0 },
	{ "gid=", offsetof(struct lxfs_owner_opts, gid_set), 1 },
	FUSE_OPT_END
};

/* Command line, as parsed; owned by main(). */
struct lxfs_cmdline {
	gboolean foreground;
	gboolean debug;
	char **fuse_opts;
	int max_open;
	gint64 max_pinned;
	int stats_max_age;
	char *netns;
	char **rest;
};

static const char lxfs_description[] =
	"Files (directories 0555, files 0444 but etc/hosts, etc/resolv.conf 0644;\n"
	"every user may read them: allow_other as root, or with user_allow_other\n"
	"in /etc/fuse.conf):\n"
	"  etc/resolv.conf etc/hosts etc/hostname\n"
	"  proc/net/dev proc/net/route proc/net/if_inet6 proc/net/ipv6_route\n"
	"  proc/net/arp proc/net/tcp proc/net/tcp6 proc/net/udp proc/net/udp6\n"
	"  proc/net/raw proc/net/raw6 (the sandbox's own sockets: the host's rows\n"
	"  of the sockets its processes hold, collected at each open; see --netns)\n"
	"  proc/net/sockstat proc/net/sockstat6 proc/net/snmp (the sandbox's own,\n"
	"  its sockets counted in)\n"
	"  proc/net/igmp proc/net/igmp6 proc/net/dev_mcast (the host's multicast\n"
	"  memberships, read at each open)\n"
	"etc/hosts is the host's file line for line, plus --add-host entries and\n"
	"lines for localhost and the hostname when the host's file maps neither.\n"
	"etc/hosts and etc/resolv.conf take writes, kept in memory (64 KiB):\n"
	"appended lines stay after the host's; a truncation makes the file the\n"
	"writer's own, no longer following the host. The rest is read-only.\n"
	"\n"
	"MOUNTPOINT is a directory, or /dev/fd/N: a /dev/fuse descriptor that is\n"
	"already mounted (as lxnet run hands over); it is then never unmounted by\n"
	"lxnetfs. When N is a connected AF_UNIX socket, the mounted /dev/fuse\n"
	"descriptor is received on it once the network model is read, and the\n"
	"sender gets an acknowledgement when it is served (lxnet run's protocol,\n"
	"src/fdpass.h).\n"
	"\n"
	"-o takes libfuse mount and session options (allow_other, ro,\n"
	"default_permissions, max_read=N, ...) plus lxnetfs's own:\n"
	"  uid=N,gid=N   owner reported for every file and directory, as read in\n"
	"                the mount's user namespace (default: the caller's ids;\n"
	"                a mount made inside a user namespace wants uid=0,gid=0)\n"
	"\n"
	"Exit status: 0 after an unmount or SIGTERM/SIGINT/SIGHUP, 1 on errors,\n"
	"2 on bad arguments. See lxnetfs(8).";

/*
 * Start-up daemonization with a truthful exit status: the parent waits for
 * the child to say it is serving (or to die) and exits accordingly. Done
 * before anything can start a thread (GLib's signal worker, netstate).
 */
static int lxfs_daemon_start(void)
{
	int p[2];
	pid_t pid;
	char st = 1;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", g_strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", g_strerror(errno));
	if (pid == 0) {
		close(p[0]);
		return p[1];
	}
	close(p[1]);
	if (read(p[0], &st, 1) != 1)
		st = 1;
	_exit(st);
}

static void lxfs_daemon_ready(int fd)
{
	int nul;
	char st = 0;

	if (fd < 0)
		return;
	if (setsid() < 0)
		log_debug("setsid: %s", g_strerror(errno));
	if (chdir("/") < 0)
		log_debug("chdir /: %s", g_strerror(errno));
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
		if (nul > STDERR_FILENO)
			close(nul);
	}
	if (write(fd, &st, 1) != 1)
		log_debug("telling the parent: %s", g_strerror(errno));
	close(fd);
}

static int lxfs_usage_error(const char *msg)
{
	cli_usage_error("lxnetfs", "%s", msg);
	return CLI_EXIT_USAGE;
}

static void lxfs_cmdline_clear(struct lxfs_cmdline *cl)
{
	g_strfreev(cl->fuse_opts);
	g_strfreev(cl->rest);
	g_free(cl->netns);
	cl->fuse_opts = cl->rest = NULL;
	cl->netns = NULL;
}

/*
 * Parse argv with src/cli.c. Return: -1 to go on; else the exit status
 * (errors print one line and give CLI_EXIT_USAGE; --help prints every
 * option, the view group's included, and gives 0).
 */
static int lxfs_parse_cmdline(int *argc, char ***argv,
			       struct lxfs_cmdline *cl,
			       struct view_policy *policy)
{
	const GOptionEntry entries[] = {
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &cl->foreground,
		  "Stay in the foreground", NULL },
		{ "debug", 'd', 0, G_OPTION_ARG_NONE, &cl->debug,
		  "Log debug messages and every FUSE request (implies -f)", NULL },
		{ "options", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &cl->fuse_opts,
		  "Mount options, comma-separated (repeatable; see below)", "OPT[,OPT...]" },
		{ "max-open", 0, 0, G_OPTION_ARG_INT, &cl->max_open,
		  "Bound on open handles per file and on sys/class/net's together; past it open fails with EMFILE (default 4096)", "N" },
		{ "max-pinned", 0, 0, G_OPTION_ARG_INT64, &cl->max_pinned,
		  "Bound on the bytes of the file versions open handles keep; past it open fails with ENFILE (default 67108864, 64 MiB)", "BYTES" },
		{ "stats-max-age", 0, 0, G_OPTION_ARG_INT, &cl->stats_max_age,
		  "Let opens of proc/net/dev share a counter read younger than USEC microseconds (default 0: every open reads the counters, as the kernel's file is fresh per read; a nonzero age can hide packets sent just before an open)", "USEC" },
		{ "netns", 0, 0, G_OPTION_ARG_FILENAME, &cl->netns,
		  "The sandbox's network namespace (its /proc/PID/ns/net): proc/net/{tcp,tcp6,udp,udp6,raw,raw6} list the sockets its processes hold (default: the namespace of the pid lxnet run hands the device over with; none: headers only)", "PATH" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cl->rest,
		  NULL, NULL },
		{ NULL },
	};
	const struct cli_spec spec = {
		.prog = "lxnetfs",
		.params = "MOUNTPOINT",
		.summary =
		"Serve the host's network view (resolv.conf, hosts, hostname,\n"
		"/proc/net files, /sys/class/net) at MOUNTPOINT, live.",
		.description = lxfs_description,
		.entries = entries,
		.view = policy,
		.flags = CLI_VERSION,
	};
	int r;

	r = cli_parse(&spec, argc, argv);
	if (r != 0)
		return cli_exit_status(r);
	if (!cl->rest || !cl->rest[0])
		return lxfs_usage_error("missing MOUNTPOINT");
	if (cl->rest[1]) {
		g_autofree char *m = g_strdup_printf("unexpected argument '%s'",
						     cl->rest[1]);
		return lxfs_usage_error(m);
	}
	if (cl->max_open < 0)
		return lxfs_usage_error("--max-open must be positive");
	if (cl->max_pinned < 0 || (guint64)cl->max_pinned > SIZE_MAX / 2)
		return lxfs_usage_error("--max-pinned must be a positive number of bytes");
	if (cl->stats_max_age < 0 || cl->stats_max_age > 1000000)
		return lxfs_usage_error("--stats-max-age must be 0 to 1000000");
	return -1;
}

/* Where fusermount3 reads whether users may ask for allow_other. */
#define LXFS_FUSE_CONF "/etc/fuse.conf"

/**
 * lxfs_may_allow_other() - may our own mount be opened by every user?
 * @cl: command line (an explicit allow_other is not repeated)
 *
 * The view says what the host's world-readable files say, and a chroot's
 * or a sandbox's other users (apt's _apt, a daemon, `su nobody`) must read
 * it too, so lxnetfs mounts with allow_other (and default_permissions: the
 * kernel applies the 0444/0555 modes) wherever the mount may have it: as
 * root, or when /etc/fuse.conf has user_allow_other, without which
 * fusermount3 refuses the option for an ordinary user. Otherwise only the
 * mounting user can read the files (FUSE's default).
 * Return: true when allow_other should be added.
 */
static bool lxfs_may_allow_other(const struct lxfs_cmdline *cl)
{
	g_autofree char *conf = NULL;
	g_auto(GStrv) lines = NULL;
	char **o, **l;

	for (o = cl->fuse_opts; o && *o; o++)
		if (strstr(*o, "allow_other") || strstr(*o, "allow_root"))
			return false;
	if (g_str_has_prefix(cl->rest[0], "/dev/fd/"))
		return false; /* mounted by someone else already */
	if (geteuid() == 0)
		return true;
	if (!g_file_get_contents(LXFS_FUSE_CONF, &conf, NULL, NULL))
		return false;
	lines = g_strsplit(conf, "\n", 256);
	for (l = lines; *l; l++) {
		char *hash = strchr(*l, '#');

		if (hash)
			*hash = '\0';
		if (strcmp(g_strstrip(*l), "user_allow_other") == 0)
			return true;
	}
	log_info("only this user can read the view: allow_other needs user_allow_other in %s",
		 LXFS_FUSE_CONF);
	return false;
}

/*
 * Build libfuse's arguments from -o and -d, taking uid=/gid= out for us.
 * Return: 0, or -EINVAL with a message in @ret_msg.
 */
static int lxfs_fuse_args(const struct lxfs_cmdline *cl, struct lxfs *fs,
			  struct fuse_args *args, char **ret_msg)
{
	struct lxfs_owner_opts own = { 0 };
	char **o;

	/* Our defaults first: a later -o fsname=... wins. */
	if (fuse_opt_add_arg(args, "lxnetfs") < 0 ||
	    fuse_opt_add_arg(args, "-ofsname=lxnetfs,subtype=lxnetfs") < 0)
		return -ENOMEM;
	if (lxfs_may_allow_other(cl) &&
	    fuse_opt_add_arg(args, "-oallow_other,default_permissions") < 0)
		return -ENOMEM;
	for (o = cl->fuse_opts; o && *o; o++)
		if (fuse_opt_add_arg(args, "-o") < 0 ||
		    fuse_opt_add_arg(args, *o) < 0)
			return -ENOMEM;
	if (cl->debug && fuse_opt_add_arg(args, "-odebug") < 0)
		return -ENOMEM;
	if (fuse_opt_parse(args, &own, lxfs_owner_optspec, NULL) < 0) {
		*ret_msg = g_strdup("invalid -o option");
		return -EINVAL;
	}
	fs->uid = own.uid_set ? (uid_t)own.uid : getuid();
	fs->gid = own.gid_set ? (gid_t)own.gid : getgid();
	return 0;
}

static gboolean lxfs_on_signal(gpointer data)
{
	struct lxfs *fs = data;

	log_debug("signal: unmounting");
	g_main_loop_quit(fs->loop);
	return G_SOURCE_CONTINUE;
}

static void lxfs_on_snapshot(const struct netstate_event *ev, void *data)
{
	struct lxfs *fs = data;

	netstate_snapshot_unref(fs->snap);
	fs->snap = netstate_snapshot_ref(ev->snap);
	lxfs_tree_snapshot_changed(fs, ev->parts);
}

/* Resolve a directory MOUNTPOINT to an absolute path; /dev/fd/N as is. */
static char *lxfs_mountpoint(const char *arg)
{
	char buf[PATH_MAX];
	struct stat st;

	if (g_str_has_prefix(arg, "/dev/fd/"))
		return g_strdup(arg);
	if (!realpath(arg, buf))
		die("mountpoint %s: %s", arg, g_strerror(errno));
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		die("mountpoint %s: not a directory", arg);
	return g_strdup(buf);
}

/*
 * lxfs_ctl_socket() - the control socket MOUNTPOINT names, if it does
 * @mountpoint: MOUNTPOINT as given
 *
 * Return: N when @mountpoint is "/dev/fd/N" and N is a socket, else -1.
 */
static int lxfs_ctl_socket(const char *mountpoint)
{
	const char *s;
	struct stat st;
	char *end;
	long n;

	if (!g_str_has_prefix(mountpoint, "/dev/fd/"))
		return -1;
	s = mountpoint + strlen("/dev/fd/");
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 0 || n > INT_MAX)
		return -1;
	if (fstat((int)n, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -1;
	return (int)n;
}

/**
 * lxfs_receive_device() - wait, bounded, for the mounted /dev/fuse fd
 * @ctl: connected AF_UNIX socket from lxnet run
 * @ret_msg: the message (its status: FDPASS_FUSE_RESUME or 0; its pid: the
 *	sandbox's init pid the sender names)
 * @ret_fds: the device, then the state file or -1 (O_CLOEXEC)
 *
 * Runs at start-up, after the model is built and before any FUSE thread.
 * Return: 0, -ECONNRESET when the sender went away without sending (its
 * sandbox failed: nothing to serve), -ETIMEDOUT, -EBADMSG or -errno.
 */
static int lxfs_receive_device(int ctl, struct fdpass_msg *ret_msg,
			       int ret_fds[2])
{
	struct pollfd p = { .fd = ctl, .events = POLLIN };
	struct fdpass_msg m;
	int fds[FDPASS_MAX_FDS];
	size_t n_fds = 0, i;
	int r;

	do
		r = poll(&p, 1, LXFS_RECEIVE_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	r = fdpass_recv(ctl, &m, fds, ELEMENTSOF(fds), &n_fds);
	if (r < 0)
		return r;
	if (m.kind != FDPASS_FUSE_DEVICE || n_fds < 1 || n_fds > 2 ||
	    (m.status == FDPASS_FUSE_RESUME && n_fds != 2)) {
		for (i = 0; i < n_fds; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	*ret_msg = m;
	ret_fds[0] = fds[0];
	ret_fds[1] = n_fds > 1 ? fds[1] : -1;
	return 0;
}

/* Tell lxnet run how serving the device it sent went; closes @ctl. */
static void lxfs_ack_device(int ctl, int status)
{
	struct fdpass_msg m = { .kind = FDPASS_ACK, .status = status };

	if (ctl < 0)
		return;
	if (fdpass_send(ctl, &m, NULL, 0) < 0)
		log_debug("acknowledging the device: %s", g_strerror(errno));
	close(ctl);
}

/**
 * lxfs_take_device() - receive the /dev/fuse fd `lxnet run` mounted, and
 * learn the sandbox's network namespace from the pid sent with it
 * @fs: the server
 * @ctl: the socket the device comes on
 * @want_netns: no --netns was given
 * @mountpoint: replaced by "/dev/fd/N"
 * @ret_resume: an earlier lxnetfs served the device (state.c)
 *
 * With a state file, the device is served through a clone of our own
 * (state.c: the sender keeps its copy for an lxnetfs after us); when the
 * kernel refuses the clone, through the fd itself, and our answer says
 * so (FDPASS_ACK_SHARED).
 *
 * Runs at start-up (die() on failure); exits 0 when nothing was sent.
 * Return: 0, or FDPASS_ACK_SHARED (the answer to give once serving).
 */
static int lxfs_take_device(struct lxfs *fs, int ctl, bool want_netns,
			    char **mountpoint, bool *ret_resume)
{
	struct fdpass_msg m = { 0 };
	int fds[2] = { -1, -1 }, r, answer = 0;

	r = lxfs_receive_device(ctl, &m, fds);
	if (r == -ECONNRESET) {
		log_debug("no device was sent: nothing to serve");
		_exit(0);
	}
	if (r < 0)
		die("receiving the FUSE device on fd %d: %s", ctl,
		    g_strerror(-r));
	*ret_resume = m.status == FDPASS_FUSE_RESUME;
	if (fds[1] >= 0) {
		r = lxfs_state_open(fs, fds[1], *ret_resume);
		if (r < 0) {
			lxfs_ack_device(ctl, r);
			die("the state file lxnet run sent: %s", g_strerror(-r));
		}
		r = lxfs_state_clone(&fds[0]);
		if (r < 0 && *ret_resume) {
			lxfs_ack_device(ctl, r);
			die("cloning the FUSE device: %s", g_strerror(-r));
		}
		if (r < 0) {
			log_debug("cloning the FUSE device: %s; an lxnetfs "
				  "after us cannot take over", g_strerror(-r));
			answer = FDPASS_ACK_SHARED;
		}
	}
	g_free(*mountpoint);
	*mountpoint = g_strdup_printf("/dev/fd/%d", fds[0]);
	/* The sender waits for our answer: the pid is alive. */
	if (want_netns && m.pid > 0 &&
	    (r = lxfs_sockets_set_pid(fs, (pid_t)m.pid)) < 0)
		log_warn("the sandbox's network namespace (pid %d): %s; proc/net/tcp and the like list no sockets",
			 (int)m.pid, g_strerror(-r));
	return answer;
}

int main(int argc, char **argv)
{
	struct lxfs_cmdline cl = { 0 };
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	g_autofree char *mountpoint = NULL;
	g_autofree char *msg = NULL;
	struct lxfs fs = { .netns_fd = -1 };
	guint sig[3];
	unsigned int i;
	int ready_fd = -1, ctl = -1, answer = 0, r;
	bool resume = false;

	log_init("lxnetfs", LOG_LVL_WARN);
	view_policy_init(&fs.policy);
	r = lxfs_parse_cmdline(&argc, &argv, &cl, &fs.policy);
	if (r >= 0)
		goto out_args;
	if (cl.debug) {
		log_set_level(LOG_LVL_DEBUG);
		cl.foreground = TRUE;
	}
	r = lxfs_fuse_args(&cl, &fs, &args, &msg);
	if (r < 0) {
		r = lxfs_usage_error(msg ? msg : g_strerror(-r));
		goto out_args;
	}
	fs.max_open = cl.max_open > 0 ? (unsigned int)cl.max_open :
					LXFS_DEFAULT_MAX_OPEN;
	fs.max_pinned = cl.max_pinned > 0 ? (size_t)cl.max_pinned :
					    LXFS_DEFAULT_MAX_PINNED;
	fs.stats_max_age_ns = (int64_t)cl.stats_max_age * 1000;
	fs.attr_timeout = 1.0;
	fs.entry_timeout = 3600.0;
	mountpoint = lxfs_mountpoint(cl.rest[0]);
	/* libfuse checks its options here and says, in one line on stderr,
	 * which one it rejects. */
	if (lxfs_session_new(&fs, &args) < 0) {
		r = CLI_EXIT_USAGE;
		goto out_args;
	}

	if (!cl.foreground)
		ready_fd = lxfs_daemon_start();

	/*
	 * The device over a socket is lxnet run's protocol: its sandbox has
	 * --no-generate; a mount of our own (a chroot's files bind-mounted by
	 * hand), or a device someone else mounted, has not.
	 */
	fs.render_flags = lxfs_ctl_socket(mountpoint) >= 0 ? 0 :
			  RENDER_STANDALONE;
	fs.loop = g_main_loop_new(NULL, FALSE);
	r = netstate_new(&fs.policy, NULL, &fs.ns);
	if (r < 0)
		die("reading the network state: %s", g_strerror(-r));
	fs.snap = netstate_get(fs.ns);
	fs.ns_sub = netstate_subscribe(fs.ns, lxfs_on_snapshot, &fs);
	r = netstate_counters_new(&fs.counters);
	if (r < 0)
		die("opening a netlink socket for counters: %s", g_strerror(-r));
	lxfs_tree_init(&fs.tree);
	fs.handles = g_hash_table_new(g_int64_hash, g_int64_equal);
	lxfs_sysnet_init(&fs);

	/* The model is built: now take the device, if it is still coming. */
	ctl = lxfs_ctl_socket(mountpoint);
	if (cl.netns) {
		r = lxfs_sockets_set_netns(&fs, cl.netns);
		if (r < 0)
			die("--netns %s: %s", cl.netns, g_strerror(-r));
	}
	if (ctl >= 0)
		answer = lxfs_take_device(&fs, ctl, !cl.netns, &mountpoint,
					  &resume);
	if (lxfs_session_mount(&fs, mountpoint) < 0) {
		lxfs_ack_device(ctl, -EIO);
		die("cannot mount on %s", mountpoint);
	}
	if (resume && (r = lxfs_state_resume(&fs)) < 0) {
		lxfs_ack_device(ctl, r);
		die("taking over the FUSE connection: %s", g_strerror(-r));
	}
	r = lxfs_session_attach(&fs);
	if (r < 0) {
		lxfs_ack_device(ctl, r);
		die("serving the FUSE device: %s", g_strerror(-r));
	}
	lxfs_ack_device(ctl, answer);
	ctl = -1;
	sig[0] = g_unix_signal_add(SIGTERM, lxfs_on_signal, &fs);
	sig[1] = g_unix_signal_add(SIGINT, lxfs_on_signal, &fs);
	sig[2] = g_unix_signal_add(SIGHUP, lxfs_on_signal, &fs);
	signal(SIGPIPE, SIG_IGN);
	log_debug("serving %s", mountpoint);
	lxfs_daemon_ready(ready_fd);

	g_main_loop_run(fs.loop);

	lxfs_session_close(&fs);
	if (fs.hold_timer)
		g_source_remove(fs.hold_timer);
	for (i = 0; i < ELEMENTSOF(sig); i++)
		g_source_remove(sig[i]);
	netstate_unsubscribe(fs.ns, fs.ns_sub);
	netstate_snapshot_unref(fs.snap);
	netstate_counters_free(fs.counters);
	g_clear_pointer(&fs.stats_links, ns_links_unref);
	g_clear_pointer(&fs.stats_base, ns_links_unref);
	netstate_free(fs.ns);
	lxfs_tree_clear(&fs.tree);
	g_clear_pointer(&fs.handles, g_hash_table_unref);
	lxfs_sysnet_clear(&fs);
	lxfs_state_close(&fs);
	closep(&fs.netns_fd);
	g_main_loop_unref(fs.loop);
	r = fs.exit_status;
out_args:
	view_policy_clear(&fs.policy);
	fuse_opt_free_args(&args);
	lxfs_cmdline_clear(&cl);
	return r;
}
