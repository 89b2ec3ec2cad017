// SPDX-License-Identifier: LGPL-2.1-or-later
/* connlog.c - the connection log: one JSON line per governed connect, bind and first send */
/*
 * --log-connections=FILE|- (src/netpolicy.c) makes the governed calls
 * trapped even without a rule, and each one reported here by govern.c:
 * who (pid, comm), what (call, protocol, family), from and to where (local
 * and remote address and port), the verdict, the rule that decided it and
 * the call's result. A send is reported the first time a socket sends to
 * a destination.
 *
 * Bounded, and never in the way of the calls it reports:
 * - Lines go into a ring (CONNLOG_RING bytes) that a thread of its own
 *   writes out; a serving thread never waits for the file. A line that
 *   does not fit is dropped, its calls counted, and the next line written
 *   says how many calls went unwritten ("dropped"); at close, a last line
 *   says it for those after it.
 * - Repeats are folded: the same call by the same process to the same
 *   destination with the same verdict and result within CONNLOG_WINDOW_US
 *   of the line written for it is counted, not written. A line with
 *   "repeated":N stands for N+1 calls; what was counted is written at the
 *   latest one window later (the writer thread sweeps), or when the log
 *   closes.
 * - The tables are fixed: CONNLOG_SLOTS repeat counters, CONNLOG_SENDS
 *   (socket, destination) pairs already reported. Collisions forget: a
 *   send may then be reported again, never lost.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "connlog.h"
#include "log.h"
#include "util.h"

#define CONNLOG_RING (256 * 1024)
#define CONNLOG_SLOTS 1024
#define CONNLOG_SENDS 4096
#define CONNLOG_WINDOW_US G_USEC_PER_SEC
#define CONNLOG_CHUNK (64 * 1024)

/*
 * struct connlog_slot - the repeat counter of one kind of call
 * @key: hash of call, pid, protocol, verdict, result and destination
 *	(0: free)
 * @last_us: when a line for it was last written (monotonic)
 * @suppressed: calls counted since, not written
 * @tail: that line after its time, without the closing brace
 */
struct connlog_slot {
	uint64_t key;
	int64_t last_us;
	uint64_t suppressed;
	char *tail;
};

struct connlog {
	int fd;
	GMutex lock;
	GCond cond;
	char *ring;
	size_t head, used;
	uint64_t dropped;
	bool stop;
	bool writing;
	bool closed;
	GThread *writer;
	int64_t last_sweep_us;
	struct connlog_slot slots[CONNLOG_SLOTS];
	uint64_t sends[CONNLOG_SENDS];
};


/* The IP address and port of @sa, false for other families. */
static bool connlog_addr(const struct sockaddr_storage *sa, socklen_t len,
			 int *family, const void **addr, uint16_t *port)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (sa->ss_family == AF_INET && len >= sizeof(*in)) {
		*family = AF_INET;
		*addr = &in->sin_addr;
		*port = ntohs(in->sin_port);
		return true;
	}
	if (sa->ss_family == AF_INET6 && len >= sizeof(*in6)) {
		*family = AF_INET6;
		*addr = &in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
		return true;
	}
	return false;
}

/*
 * Append @s as a JSON string: valid UTF-8 as it is (control characters,
 * quotes and backslashes escaped); a name that is not UTF-8 (a comm may be
 * any bytes) with every byte outside printable ASCII as \u00XX.
 */
static void connlog_json_str(GString *out, const char *s)
{
	bool utf8 = g_utf8_validate(s, -1, NULL);

	g_string_append_c(out, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			g_string_append_printf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f || (ch > 0x7f && !utf8))
			g_string_append_printf(out, "\\u%04x", ch);
		else
			g_string_append_c(out, (char)ch);
	}
	g_string_append_c(out, '"');
}

/*
 * The name of an AF_UNIX address as text: "@NAME" for an abstract one (up
 * to its first NUL), the path for a pathname one; false for an unnamed one.
 */
static bool connlog_unix(const struct sockaddr_storage *sa, socklen_t len,
			 char text[110])
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
	size_t off = offsetof(struct sockaddr_un, sun_path), n;

	if (sa->ss_family != AF_UNIX || len <= off)
		return false;
	n = MIN(len - off, sizeof(un->sun_path));
	if (un->sun_path[0] == '\0') {
		text[0] = '@';
		memcpy(text + 1, un->sun_path + 1, n - 1);
		text[n] = '\0';
	} else {
		memcpy(text, un->sun_path, n);
		text[n] = '\0';
	}
	return true;
}

/* Append ,"NAME_addr":"A","NAME_port":P for @sa (null for none). */
static void connlog_json_addr(GString *out, const char *name,
			      const struct sockaddr_storage *sa, socklen_t len)
{
	char text[INET6_ADDRSTRLEN + 64];
	const void *a;
	uint16_t port;
	int fam;

	if (sa && connlog_unix(sa, len, text)) {
		g_string_append_printf(out, ",\"%s_addr\":", name);
		connlog_json_str(out, text);
		g_string_append_printf(out, ",\"%s_port\":null", name);
		return;
	}
	if (!sa || !connlog_addr(sa, len, &fam, &a, &port) ||
	    !inet_ntop(fam, a, text, sizeof(text))) {
		g_string_append_printf(out, ",\"%s_addr\":null,\"%s_port\":null",
				       name, name);
		return;
	}
	g_string_append_printf(out, ",\"%s_addr\":\"%s\",\"%s_port\":%u", name,
			       text, name, port);
}

static const char *connlog_proto(enum netpolicy_proto p, int sock,
				 const struct sockaddr_storage *where)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (where && where->ss_family == AF_UNIX && sock >= 0 &&
	    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
		return type == SOCK_STREAM ? "stream" :
		       type == SOCK_DGRAM ? "dgram" :
		       type == SOCK_SEQPACKET ? "seqpacket" : "other";
	switch (p) {
	case NETPOLICY_TCP:
		return "tcp";
	case NETPOLICY_UDP:
		return "udp";
	case NETPOLICY_ICMP:
		return "icmp";
	case NETPOLICY_ANY:
		break;
	}
	return "other";
}

/* The caller's comm, or "" when it is gone. */
static void connlog_comm(pid_t pid, char comm[32])
{
	char path[32];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, 31);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* The port of an AF_INET/AF_INET6 address, or 0. */
static uint16_t connlog_port_of(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* Everything of a line after its time, without the closing brace. */
static char *connlog_tail(const struct connlog_event *e)
{
	GString *out = g_string_sized_new(256);
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	const struct sockaddr_storage *where = e->remote ? e->remote : e->bound;
	const char *fam = where && where->ss_family == AF_INET6 ? "ipv6" :
			  where && where->ss_family == AF_INET ? "ipv4" :
			  where && where->ss_family == AF_UNIX ? "unix" : "other";
	char comm[32];
	bool have_local;

	memset(&local, 0, sizeof(local));
	have_local = e->sock >= 0 &&
		     getsockname(e->sock, (struct sockaddr *)&local, &llen) == 0;
	connlog_comm(e->pid, comm);
	g_string_append_printf(out, "\"pid\":%d,\"comm\":", (int)e->pid);
	connlog_json_str(out, comm);
	g_string_append_printf(out, ",\"call\":\"%s\",\"proto\":\"%s\",\"family\":\"%s\"",
			       e->call, connlog_proto(e->proto, e->sock, where), fam);
	/*
	 * A refused bind never happened: its local address is the one asked
	 * for; so is a bound one's unless it asked for port 0 (the kernel's
	 * choice is then told), which also keeps a published PORT, bound as
	 * its HOSTPORT, what the sandbox named.
	 */
	if (e->bound && (!have_local || !e->allowed || e->result < 0 ||
			 connlog_port_of(e->bound) != 0))
		connlog_json_addr(out, "local", e->bound, e->len);
	else
		connlog_json_addr(out, "local", have_local ? &local : NULL, llen);
	connlog_json_addr(out, "remote", e->remote, e->len);
	g_string_append_printf(out, ",\"verdict\":\"%s\",\"rule\":",
			       e->allowed ? "allow" : "deny");
	connlog_json_str(out, e->rule ? e->rule : "default");
	if (e->result < 0 && strerrorname_np(-e->result))
		g_string_append_printf(out, ",\"errno\":\"%s\"",
				       strerrorname_np(-e->result));
	else if (e->result < 0)
		g_string_append_printf(out, ",\"errno\":%d", -e->result);
	else
		g_string_append(out, ",\"errno\":null");
	return g_string_free(out, FALSE);
}

/*
 * One line: now, @tail (fields after the time; "" for none), then
 * "repeated" and "dropped" where not 0.
 */
static char *connlog_line(const char *tail, uint64_t repeated,
			  uint64_t dropped)
{
	GString *line = g_string_sized_new(320);
	char stamp[64];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	g_string_append_printf(line, "{\"time\":\"%s.%06ldZ\"", stamp,
			       ts.tv_nsec / 1000);
	if (*tail)
		g_string_append_printf(line, ",%s", tail);
	if (repeated)
		g_string_append_printf(line, ",\"repeated\":%" G_GUINT64_FORMAT,
				       repeated);
	if (dropped)
		g_string_append_printf(line, ",\"dropped\":%" G_GUINT64_FORMAT,
				       dropped);
	g_string_append(line, "}\n");
	return g_string_free(line, FALSE);
}

/* Put one line into the ring (lock held): whole, or dropped and counted. */
static void connlog_put(struct connlog *l, const char *tail, uint64_t repeated)
{
	g_autofree char *line = connlog_line(tail, repeated, l->dropped);
	size_t n = strlen(line), at, first;

	if (n > CONNLOG_RING - l->used) {
		l->dropped += repeated + 1; /* the calls the line stood for */
	} else {
		at = (l->head + l->used) % CONNLOG_RING;
		first = MIN(n, CONNLOG_RING - at);
		memcpy(l->ring + at, line, first);
		memcpy(l->ring, line + first, n - first);
		l->used += n;
		l->dropped = 0;
		g_cond_signal(&l->cond);
	}
}

/* Write out what a slot counted (lock held): one line standing for them. */
static void connlog_flush_slot(struct connlog *l, struct connlog_slot *s,
			       int64_t now)
{
	if (s->suppressed == 0)
		return;
	connlog_put(l, s->tail, s->suppressed - 1);
	s->suppressed = 0;
	s->last_us = now;
}

/* Flush the counters whose window has passed (@all: every one). */
static void connlog_sweep(struct connlog *l, int64_t now, bool all)
{
	size_t i;

	l->last_sweep_us = now;
	for (i = 0; i < CONNLOG_SLOTS; i++)
		if (all || now - l->slots[i].last_us >= CONNLOG_WINDOW_US)
			connlog_flush_slot(l, &l->slots[i], now);
}

static gpointer connlog_writer(gpointer data)
{
	struct connlog *l = data;
	g_autofree char *buf = g_malloc(CONNLOG_CHUNK);

	g_mutex_lock(&l->lock);
	for (;;) {
		size_t n, first, off = 0;

		if (l->used == 0 && !l->stop)
			g_cond_wait_until(&l->cond, &l->lock,
					  g_get_monotonic_time() + CONNLOG_WINDOW_US);
		if (!l->stop &&
		    g_get_monotonic_time() - l->last_sweep_us >= CONNLOG_WINDOW_US)
			connlog_sweep(l, g_get_monotonic_time(), false);
		if (l->used == 0) {
			if (l->stop)
				break;
			continue;
		}
		n = MIN(l->used, CONNLOG_CHUNK);
		first = MIN(n, CONNLOG_RING - l->head);
		memcpy(buf, l->ring + l->head, first);
		memcpy(buf + first, l->ring, n - first);
		l->head = (l->head + n) % CONNLOG_RING;
		l->used -= n;
		l->writing = true;
		g_mutex_unlock(&l->lock);
		while (off < n) {
			ssize_t w = write(l->fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				log_warn("connection log: %s; lines lost",
					 w < 0 ? g_strerror(errno) : "short write");
				break;
			}
			off += (size_t)w;
		}
		g_mutex_lock(&l->lock);
		l->writing = false;
	}
	g_mutex_unlock(&l->lock);
	return NULL;
}

/**
 * connlog_open() - start the connection log
 * @path: a file (appended to, made 0600 if missing) or "-" for stderr
 * @ret: the log
 *
 * Return: 0 or -errno.
 */
int connlog_open(const char *path, struct connlog **ret)
{
	struct connlog *l;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			  O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	l = g_new0(struct connlog, 1);
	l->fd = fd;
	l->ring = g_malloc(CONNLOG_RING);
	l->last_sweep_us = g_get_monotonic_time();
	g_mutex_init(&l->lock);
	g_cond_init(&l->cond);
	l->writer = g_thread_new("connlog", connlog_writer, l);
	*ret = l;
	return 0;
}

/**
 * connlog_send_is_new() - first send of this socket to this destination?
 * @l: the log
 * @sock: the proxy's copy of the socket
 * @remote: the destination
 * @len: its length
 *
 * Return: true the first time (and after the pair was forgotten).
 */
bool connlog_send_is_new(struct connlog *l, int sock,
			 const struct sockaddr_storage *remote, socklen_t len)
{
	uint64_t key = UTIL_FNV_INIT;
	struct stat st;
	const void *a;
	uint16_t port;
	int fam;
	size_t i;
	bool fresh;

	if (fstat(sock, &st) < 0)
		return true;
	key = util_fnv(key, &st.st_ino, sizeof(st.st_ino));
	if (connlog_addr(remote, len, &fam, &a, &port)) {
		key = util_fnv(key, a, fam == AF_INET ? 4 : 16);
		key = util_fnv(key, &port, sizeof(port));
	} else if (remote->ss_family == AF_UNIX) {
		key = util_fnv(key, remote, MIN(len, sizeof(*remote)));
	} else {
		return true;
	}
	i = key % CONNLOG_SENDS;
	key |= 1; /* 0 is a free entry */
	g_mutex_lock(&l->lock);
	if (l->closed) {
		g_mutex_unlock(&l->lock);
		return false;
	}
	fresh = l->sends[i] != key;
	l->sends[i] = key;
	g_mutex_unlock(&l->lock);
	return fresh;
}

/**
 * connlog_event() - report a governed call
 * @l: the log
 * @e: what happened
 *
 * Thread-safe; never waits for the file.
 */
void connlog_event(struct connlog *l, const struct connlog_event *e)
{
	const struct sockaddr_storage *where = e->remote ? e->remote : e->bound;
	uint64_t key = UTIL_FNV_INIT;
	int64_t now = g_get_monotonic_time();
	struct connlog_slot *s;
	const void *a = NULL;
	uint16_t port = 0;
	int fam = 0;
	char *tail;

	key = util_fnv(key, e->call, strlen(e->call));
	key = util_fnv(key, &e->pid, sizeof(e->pid));
	key = util_fnv(key, &e->proto, sizeof(e->proto));
	key = util_fnv(key, &e->allowed, sizeof(e->allowed));
	key = util_fnv(key, &e->result, sizeof(e->result));
	if (where && connlog_addr(where, e->len, &fam, &a, &port)) {
		key = util_fnv(key, a, fam == AF_INET ? 4 : 16);
		key = util_fnv(key, &port, sizeof(port));
	} else if (where && where->ss_family == AF_UNIX) {
		key = util_fnv(key, where, MIN(e->len, sizeof(*where)));
	}
	s = &l->slots[key % CONNLOG_SLOTS];
	key |= 1; /* 0 is a free slot */
	g_mutex_lock(&l->lock);
	if (l->closed) {
		g_mutex_unlock(&l->lock);
		return;
	}
	if (s->key == key && now - s->last_us < CONNLOG_WINDOW_US) {
		s->suppressed++;
		g_mutex_unlock(&l->lock);
		return;
	}
	g_mutex_unlock(&l->lock);
	/* formatted unlocked: getsockname() and /proc reads take time */
	tail = connlog_tail(e);
	g_mutex_lock(&l->lock);
	if (l->closed) {
		g_mutex_unlock(&l->lock);
		g_free(tail);
		return;
	}
	if (s->key == key && now - s->last_us < CONNLOG_WINDOW_US) {
		/* another thread wrote it meanwhile */
		s->suppressed++;
		g_mutex_unlock(&l->lock);
		g_free(tail);
		return;
	}
	if (s->key != key)
		connlog_flush_slot(l, s, now);
	connlog_put(l, tail, s->key == key ? s->suppressed : 0);
	g_free(s->tail);
	s->tail = tail;
	s->key = key;
	s->last_us = now;
	s->suppressed = 0;
	g_mutex_unlock(&l->lock);
}

/**
 * connlog_close() - write out what was counted and what is queued, stop
 * @l: the log, or NULL
 *
 * Waits for the writer at most 1 s (a reader that stopped reading a pipe
 * would hold it forever): what is left then is lost. @l itself stays
 * allocated, closed: a pool thread still connecting may report to it (it
 * is then ignored); the proxy holds it until it exits.
 */
void connlog_close(struct connlog *l)
{
	int64_t until;
	bool stuck;

	if (!l)
		return;
	g_mutex_lock(&l->lock);
	connlog_sweep(l, g_get_monotonic_time(), true);
	l->closed = true;
	l->stop = true;
	g_cond_signal(&l->cond);
	until = g_get_monotonic_time() + G_USEC_PER_SEC;
	while ((l->used > 0 || l->writing) && g_get_monotonic_time() < until) {
		g_mutex_unlock(&l->lock);
		g_usleep(1000);
		g_mutex_lock(&l->lock);
	}
	stuck = l->used > 0 || l->writing;
	g_mutex_unlock(&l->lock);
	if (stuck) {
		log_warn("connection log: %zu bytes not written", l->used);
		return; /* the writer is stuck in write(): left to the exit */
	}
	g_thread_join(l->writer);
	l->writer = NULL;
	if (l->dropped) {
		/* calls dropped after the last line that was written */
		g_autofree char *line = connlog_line("", 0, l->dropped);

		if (write(l->fd, line, strlen(line)) < 0)
			log_warn("connection log: %s", g_strerror(errno));
	}
	close(l->fd);
	l->fd = -1;
}
