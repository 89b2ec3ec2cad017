/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_int.h - lxnet-proxy's internal interfaces: the read-only
 * configuration the serving threads share, a listener (one sandbox), the
 * notification loop (notify.c) and the socket operations (sockets.c).
 */
#ifndef LXNET_PROXY_INT_H
#define LXNET_PROXY_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/seccomp.h>
#include <glib.h>

#include "netpolicy.h"
#include "nlep.h"
#include "seccomp_notif.h"
#include "trapped.h"

#define PROXY_MAX_LISTENERS_DEFAULT 1024
#define PROXY_MAX_LISTENERS_LIMIT 65536
/* Out of file descriptors: how long the control socket is not accepted. */
#define PROXY_ACCEPT_PAUSE_MS 100
/* A refused control client: at most this many queued messages drained. */
#define PROXY_REFUSE_DRAIN 8
/*
 * Control clients: a shim sends its listener within milliseconds of
 * connecting, so a client idle this long is dropped; one process keeps at
 * most this many connections; at the bound on clients (--max-listeners)
 * the oldest is dropped for a new one, so idle connections, however many,
 * never lock a shim out.
 */
#define PROXY_CLIENT_IDLE_S 10
#define PROXY_CLIENTS_PER_PEER 4
/* At exit, how long serving threads get to end (a host query takes <= 500). */
#define PROXY_STOP_WAIT_MS 1000
/* Stack of a serving thread: it needs a notification and a few locals. */
#define PROXY_THREAD_STACK (256 * 1024)

/*
 * struct proxy_sysnr - the trapped calls' numbers on one architecture
 * @arch: AUDIT_ARCH_* as seccomp_data.arch reports it
 * @x32: this entry is x32 (same AUDIT_ARCH as x86_64, __X32_SYSCALL_BIT set)
 * @nr: the number of each row of LXNET_TRAPPED_CALLS (trapped.h) on this
 *	architecture, -1 where the row is not trapped there (the call is
 *	missing, or the row is native-only)
 */
struct proxy_sysnr {
	uint32_t arch;
	bool x32;
	int nr[TRAP_N];
};

#define PROXY_MAX_ARCHES 4
/* user namespaces nest at most 32 deep, plus the initial one */
#define PROXY_ADMIN_NS_MAX 33

struct netpolicy;
struct connlog;
struct netstate;
struct netstate_snapshot;
struct view_policy;

/*
 * struct proxy_model - the network model inside lxnet-proxy (model.c): a
 * netstate run by the main loop, its latest snapshot published to the
 * serving threads under a lock
 * @ns: the model; main loop only
 * @sub: subscription id on @ns
 * @lock: guards @cur
 * @cur: latest snapshot (a reference)
 */
struct proxy_model {
	struct netstate *ns;
	guint sub;
	GMutex lock;
	struct netstate_snapshot *cur;
};

/* struct proxy_nsid - a namespace as nsfs names it (the stat of its fd) */
struct proxy_nsid {
	dev_t dev;
	ino_t ino;
};

/*
 * struct proxy_conf - what every serving thread reads; written once at
 * start-up, read-only afterwards (no locking needed)
 * @sysnr: numbers per architecture
 * @n_sysnr: entries used in @sysnr
 * @netns_cookie: the proxy's own network namespace (SO_NETNS_COOKIE), 0
 *	before Linux 5.14: a socket made there is one of the host's
 *	(sockets_host_socket())
 * @sync_wakeup: ask for SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on each listener
 * @wait_poll: wait in poll() before each NOTIF_RECV instead of blocking in
 *	NOTIF_RECV (kept to measure the difference; see lxnet-proxy.c)
 * @sched_batch: serving threads run SCHED_BATCH (see listener_sched_batch())
 * @notif_size, @resp_size: the kernel's struct sizes (SECCOMP_GET_NOTIF_SIZES)
 * @model: the view the sandboxes are shown (SIOCGIF*, NETLINK_ROUTE); the
 *	pointer is fixed at start-up, proxy_model_get() is thread-safe
 * @nlep: the emulated NETLINK_ROUTE endpoints (nlep_hub.c; locks inside), or
 *	NULL
 * @pidfd_leader_only: copy callers' fds through their thread group
 *	leader's pidfd, as before Linux 6.9 (task.c; a test switch)
 * @policy: the connection policy enforced (govern.c), or NULL: then
 *	nothing is governed and the filters trap none of its calls
 * @connlog: the connection log (connlog.c; thread-safe), or NULL
 * @publish: the policy holding --publish pairs when any are given
 *	(publish.c), or NULL: then the filters trap no call for it
 * @netlink_host: socket(AF_NETLINK, NETLINK_ROUTE) may get a socket of the
 *	host's own (--netlink=auto and a view that hides nothing; see
 *	sockets_do_netlink())
 * @admin_ns: the user namespace owning the proxy's network namespace and
 *	its ancestors: a caller in one of them could administer the host's
 *	network and keeps the emulated endpoint
 * @n_admin_ns: entries used in @admin_ns
 * @publish_said: with @publish, one flag per --publish (its index in
 *	@publish->publish; g_atomic, the one thing here written after
 *	start-up): a failed bind of its HOSTPORT was said and is not said
 *	again until one succeeds (publish_bind_result())
 */
struct proxy_conf {
	struct proxy_sysnr sysnr[PROXY_MAX_ARCHES];
	size_t n_sysnr;
	uint64_t netns_cookie;
	bool sync_wakeup;
	bool wait_poll;
	bool sched_batch;
	size_t notif_size;
	size_t resp_size;
	struct proxy_model *model;
	struct nlep_hub *nlep;
	bool pidfd_leader_only;
	const struct netpolicy *policy;
	struct connlog *connlog;
	const struct netpolicy *publish;
	bool netlink_host;
	struct proxy_nsid admin_ns[PROXY_ADMIN_NS_MAX];
	size_t n_admin_ns;
	gint *publish_said;
};

/*
 * struct listener - one sandbox's seccomp listener, served by its own thread
 * @fd: the listener (owned; closed by the thread when the sandbox is gone)
 * @pid: the pid the client claimed (informational, for logs)
 * @conf: shared read-only configuration
 * @thread: the serving thread
 * @done: called on the thread, once, after @fd is closed; must be
 *	thread-safe (the main loop uses g_main_context_invoke())
 * @done_data: for @done
 * @nl: this sandbox's endpoint state (nlep_sandbox.c), or NULL
 * @ping: the raw ICMP sockets made for it (pingraw.c; serving thread
 *	only), or NULL
 * @ping_sends: its filter traps sends on raw ICMP sockets' fds (not an
 *	OCI profile's), so raw ICMP sockets can be made for it
 * @owner_uid: the uid of the client that sent the listener (SO_PEERCRED,
 *	the proxy's own for lxnet run's --fd socket): the sandbox's owner
 * @netns_fd: the sandbox's network namespace (owned; keeps @netns_ino
 *	that namespace's for the listener's life), or -1 when the client
 *	sent none (every caller is then served, as before the check)
 * @netns_ino: its inode number on nsfs (notify_gate())
 * @netns_moved: a task of the sandbox may have changed its network
 *	namespace (a trapped unshare/clone/setns was seen; serving thread
 *	only): from then on callers' namespaces are read
 * @journal: the in-flight record lxnet run gave (a restarted proxy takes
 *	over its predecessor's), or NULL (owned: one reference)
 * @journal_full: a call could not be recorded in it (warned once)
 * @stop: set by listener_stop() (g_atomic): the thread ends at its next
 *	wake-up
 * @own: under a policy, the TCP sockets it bound on the host's loopback
 *	or wildcard (ownserver.c: its clients may reach them), else NULL
 */
struct listener {
	int fd;
	pid_t pid;
	uid_t owner_uid;
	const struct proxy_conf *conf;
	pthread_t thread;
	void (*done)(struct listener *l, void *data);
	void *done_data;
	struct nlep_sandbox *nl;
	struct pingraw_set *ping;
	bool ping_sends;
	int netns_fd;
	ino_t netns_ino;
	bool netns_moved;
	struct notif_journal *journal;
	bool journal_full;
	bool foreign_warned;
	gint stop;
	struct ownserver_set *own;
};

/*
 * The signal listener_stop() wakes a serving thread with: serving threads
 * let it through only while they wait in NOTIF_RECV (or ppoll()), and its
 * handler does nothing, so the wait returns EINTR; a call being answered is
 * never interrupted. Sent from outside the process it wakes at most one
 * waiting thread, which goes back to waiting, or stays pending until one
 * waits.
 */
#define LISTENER_WAKE_SIGNAL SIGUSR1

/* notify.c */
int proxy_conf_init(struct proxy_conf *conf);
int listener_start(struct listener *l);
void listener_stop(struct listener *l);
void listener_join_free(struct listener *l);

/* oci.c: an OCI runtime's message (the JSON state is a few hundred bytes, more with many annotations) */
#define OCI_MSG_MAX (64 * 1024)
struct oci_msg;
struct oci_msg *oci_msg_new(void);
void oci_msg_free(struct oci_msg *m);
/* how long a container's namespace may be refused to us (it is not dumpable until it execs) */
#define OCI_NETNS_WAIT_MS 2000
/* how often it is asked for meanwhile */
#define OCI_NETNS_RETRY_MS 5
int oci_recv(struct oci_msg *m, int fd);
int oci_msg_netns(struct oci_msg *m, int *ret_listener, int *ret_netns,
		  pid_t *ret_pid);

/* sockets.c */
int64_t sockets_do_socket(const struct proxy_conf *conf, int listener,
			  struct notif_journal *journal,
			  const struct seccomp_notif *req, int domain, int type,
			  int protocol);
int sockets_netlink_host_init(struct proxy_conf *conf);
int64_t sockets_do_netlink(const struct proxy_conf *conf, int listener,
			   struct notif_journal *journal,
			   const struct seccomp_notif *req, int type,
			   int protocol);
int sockets_read_socketcall_args(int listener, const struct seccomp_notif *req,
				 uint32_t ret_args[3]);
uint64_t sockets_netns_cookie(int sock);
bool sockets_host_socket(const struct proxy_conf *conf, int sock);
uint64_t sockets_cookie(int sock);
enum netpolicy_proto sockets_policy_proto(int sock, int type);
int64_t sockets_do_bindtodevice(const struct proxy_conf *conf, int listener,
				const struct seccomp_notif *req);

/* hostnames.c */
struct hostnames;
int hostnames_start(const struct netpolicy *policy, struct proxy_model *model,
		    struct hostnames **ret_h);
void hostnames_stop(struct hostnames *h);
/* pingraw.c */
struct pingraw_set;
void pingraw_set_free(struct pingraw_set *set);
bool pingraw_wanted(int domain, int type, int protocol);
int64_t pingraw_do_socket(struct listener *l, const struct seccomp_notif *req,
			  int domain, int type);
int64_t pingraw_do_send(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call);
int64_t pingraw_do_call(struct listener *l, const struct seccomp_notif *req,
			enum trap_id call);

/* model.c */
int proxy_model_start(struct proxy_model *m, const struct view_policy *policy,
		      GMainContext *ctx);
struct netstate_snapshot *proxy_model_get(struct proxy_model *m);
void proxy_model_stop(struct proxy_model *m);

/*
 * struct target - a trapped caller's memory (target.c)
 * @memfd: its /proc/PID/mem, opened before NOTIF_ID_VALID (pins its mm)
 * @pid: its pid (for /proc/PID/maps)
 * @maps: its /proc/PID/maps, read at the first check (g_free), or NULL
 *	(only where PROCMAP_QUERY is missing)
 * @mapsfd: its /proc/PID/maps, valid when @has_mapsfd
 * @has_mapsfd: @mapsfd is open (false in a zero-initialised target)
 * @no_query: PROCMAP_QUERY is not supported: @maps is parsed instead
 * @w_lo, @w_hi: the last range found mapped writable (empty when equal)
 * @r_lo, @r_hi: the last range found mapped readable (empty when equal)
 */
struct target {
	int memfd;
	pid_t pid;
	char *maps;
	int mapsfd;
	bool has_mapsfd;
	bool no_query;
	uint64_t w_lo, w_hi;
	uint64_t r_lo, r_hi;
};

struct iovec;

/* task.c */
#define TASK_STATUS_MAX 16384 /* bytes of /proc/PID/status read */
bool task_leader_only(void);
int task_status_pid(int procdir, pid_t pid, const char *key, bool innermost,
		    pid_t *ret);
int task_pidfd_open(pid_t pid, int procdir, bool leader_only, bool *ret_leader);
bool task_fd_same(int procdir, pid_t pid, int fd, int copy);
int task_getfd(pid_t pid, int fd, bool leader_only, int *ret_copy);
/*
 * struct task_sigstate - a thread's signals (/proc/TID/status)
 * @own, @shared: pending for the thread (SigPnd), for its process (ShdPnd)
 * @blocked, @ignored, @caught: SigBlk, SigIgn, SigCgt
 * @first: the thread is its process's first (Tgid is its own id)
 * @threads: its process's threads
 */
struct task_sigstate {
	uint64_t own, shared, blocked, ignored, caught;
	bool first;
	unsigned int threads;
};

/* Bound of task_sigstate()'s read (a Groups: line of 65,536 groups fits). */
#define TASK_SIGSTATE_MAX (1024 * 1024)

int task_sigstate(pid_t tid, struct task_sigstate *ret);
bool task_signal_pending(pid_t pid);
int task_capable(pid_t tid, int ns, int cap);

/* startwarn.c */
void startwarn_all(const struct netpolicy *policy,
		   const struct netpolicy *publish);
int task_pick_fd(pid_t pid, int procdir, int base, int count, bool highest);

/* target.c */
int target_open(int listener, uint64_t id, pid_t pid, struct target *ret_t);
int target_attach(int procdir, pid_t pid, bool want_maps, struct target *ret_t);
void target_close(struct target *t);
int target_read(struct target *t, uint64_t addr, void *buf, size_t len);
int target_check_read(pid_t pid, uint64_t addr, size_t len);
int target_read_vm(pid_t pid, uint64_t addr, void *buf, size_t len);
int target_write(struct target *t, uint64_t addr, const void *buf, size_t len);
int target_write_unless(struct target *t, uint64_t addr, const void *buf,
			size_t len, bool same);
int target_write_iov(struct target *t, const struct iovec *iov, size_t n_iov,
		     const void *buf, size_t len);

/* govern.c */
int64_t govern_connect(const struct listener *l,
		       const struct seccomp_notif *req);
int64_t govern_bind(const struct listener *l, const struct seccomp_notif *req);
int64_t govern_publish_connect(const struct listener *l,
			       const struct seccomp_notif *req);
int64_t govern_sendto(const struct listener *l,
		      const struct seccomp_notif *req);
int64_t govern_sendmsg(const struct listener *l,
		       const struct seccomp_notif *req);
int64_t govern_sendmmsg(const struct listener *l,
			const struct seccomp_notif *req);

/* publish.c */
/*
 * struct publish_call - one bind() or connect() that may name a published
 * port
 * @sock: our copy of the caller's socket, or -1
 * @proto: its protocol
 * @sa, @len: our copy of the address
 */
struct publish_call {
	int sock;
	enum netpolicy_proto proto;
	struct sockaddr_storage sa;
	socklen_t len;
};

int publish_bind_port(const struct proxy_conf *conf,
		      enum netpolicy_proto proto, struct sockaddr_storage *sa,
		      socklen_t len);
bool publish_connect_port(const struct proxy_conf *conf,
			  enum netpolicy_proto proto,
			  struct sockaddr_storage *sa, socklen_t len);
void publish_bind_result(const struct proxy_conf *conf,
			 enum netpolicy_proto proto,
			 const struct sockaddr_storage *asked,
			 const struct sockaddr_storage *at, socklen_t len,
			 pid_t pid, int result);
int64_t publish_bind(const struct proxy_conf *conf, int listener,
		     const struct seccomp_notif *req);
int64_t publish_connect_open(const struct proxy_conf *conf, int listener,
			     const struct seccomp_notif *req,
			     struct publish_call *c);
int64_t publish_getsockname(const struct proxy_conf *conf, int listener,
			    const struct seccomp_notif *req);
/*
 * struct unixcross_call - a governed call on an AF_UNIX socket
 * (unixcross.c), its arguments read by govern.c
 * @conf: shared configuration (the policy, the connection log)
 * @listener: the listener fd
 * @req: the notification
 * @sock: our copy of the caller's socket
 * @type: its SO_TYPE
 * @moved: it is a socket of the host's namespace (put in place earlier);
 *	else one of the sandbox's own namespace
 * @owner_uid: the sandbox's owner (struct listener): nothing crosses
 *	unless it is the proxy's euid
 */
struct unixcross_call {
	const struct proxy_conf *conf;
	int listener;
	uid_t owner_uid;
	const struct seccomp_notif *req;
	int sock;
	int type;
	bool moved;
};

/* unixcross.c */
int64_t unixcross_connect(const struct unixcross_call *u,
			  const struct sockaddr_storage *sa, socklen_t len);
int64_t unixcross_bind(const struct unixcross_call *u,
		       const struct sockaddr_storage *sa, socklen_t len);
int64_t unixcross_send(const struct unixcross_call *u, struct msghdr *mh,
		       int flags, bool proven);
bool unixcross_connect_blocks(const struct unixcross_call *u,
			      const struct sockaddr_storage *sa,
			      socklen_t len, const char **ret_rule);
bool unixcross_stays(const struct unixcross_call *u,
		     const struct sockaddr_storage *sa, socklen_t len);

/* ifioctl.c */
int64_t ifioctl_do(const struct proxy_conf *conf, int listener,
	       const struct seccomp_notif *req, const struct proxy_sysnr *s);

#endif
