/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netpolicy.h - the connection policy: which destinations a sandbox may
 * reach and which host addresses and ports its servers may take. Rules
 * are parsed and matched here (pure functions); lxnet-proxy enforces them
 * on its own copy of each call's arguments (proxy/govern.c).
 *
 * Rule syntax (--allow=RULE, --deny=RULE, a policy file's lines):
 *   [bind:][PROTO:]ADDR[/LEN][:PORT[-PORT]]
 *   [PROTO:]NAME[:PORT[-PORT]]
 *   PROTO   tcp, udp, icmp (ICMP and ICMPv6), or nothing for any
 *   ADDR    an IPv4 address, [an IPv6 address], or * for any
 *   NAME    a host name: letters, digits, '-' and '.', at least one
 *           letter, not tcp/udp/icmp/bind (an IPv6 address is always in
 *           brackets, so it is never read as a name); it matches the
 *           addresses it currently resolves to (A and AAAA, set by
 *           lxnet-proxy with netpolicy_set_addrs()), none until it has
 *           resolved; not with bind:
 *   PORT    a port or a range; nothing for any (ICMP has none)
 *   bind:   the rule is about the local address of bind(), not about
 *           destinations
 * e.g. tcp:10.0.0.0/8:443, [2001:db8::/32]:80-89, udp:*:53, bind:tcp:*:8080,
 *      tcp:example.com:443, example.com
 *
 * AF_UNIX abstract names (unix:@GLOB, a shell glob over the name without
 * its leading NUL, e.g. unix:@/tmp/.X11-unix/X*): an allowed name is
 * connected to and sent to in the host's network namespace
 * (proxy/unixcross.c), both directions; every other abstract name stays
 * the sandbox's own, as without a policy. A unix: rule covers connect
 * and sends only; bind:unix:@GLOB lets a name be bound in the host's
 * namespace (a server there that host clients reach), as IP rules keep
 * bind: apart; first match decides, so a --deny before a broader
 * --allow keeps a name private. Unix rules do not count
 * as allow rules of the IP kinds below, and pathname sockets are never
 * governed (the filesystem decides).
 *
 * Decision: the first rule that matches, in the order given (--allow and
 * --deny interleaved as on the command line, then the file's lines in
 * order); then the view's nameservers on port 53 are allowed (a loopback
 * stub resolver too); then --no-host-loopback's denial of 127.0.0.0/8 and
 * ::1 (and 0.0.0.0 and ::, which reach them); then, if any allow rule
 * of that kind (destination or bind) exists, the call is denied, else
 * allowed. A bind to port 0 (an ephemeral port) is always allowed.
 */
#ifndef LXNET_NETPOLICY_H
#define LXNET_NETPOLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* Bounds: rules per policy, bytes of a policy file, addresses per name,
 * published ports. */
#define NETPOLICY_MAX_RULES 65536
#define NETPOLICY_FILE_MAX (4 * 1024 * 1024)
#define NETPOLICY_MAX_NAME_ADDRS 64
#define NETPOLICY_MAX_PUBLISH 256

enum netpolicy_proto {
	NETPOLICY_ANY = 0,
	NETPOLICY_TCP = 1,
	NETPOLICY_UDP = 2,
	NETPOLICY_ICMP = 3,
};

/*
 * struct netpolicy_rule - one rule
 * @allow: allow (else deny)
 * @bind: about bind()'s local address (else about destinations)
 * @proto: enum netpolicy_proto
 * @family: AF_INET, AF_INET6, or 0 for any address; AF_UNIX for a
 *	[bind:]unix:@GLOB rule (its glob is @text after "unix:@")
 * @addr: network address, network order (4 or 16 bytes used)
 * @prefixlen: prefix length
 * @port_lo, @port_hi: port range, host order (0-65535 for any)
 * @name: a host-name rule: the index of its name in the policy's
 *	@names (then @family is 0 and @addr unused), else -1
 * @text: the rule as written, for the log and messages
 */
struct netpolicy_rule {
	bool allow;
	bool bind;
	enum netpolicy_proto proto;
	int family;
	uint8_t addr[16];
	uint8_t prefixlen;
	uint16_t port_lo, port_hi;
	int name;
	char *text;
};

/*
 * struct netpolicy_addrs - one name's current addresses (immutable once
 * handed to netpolicy_set_addrs())
 * @n: how many
 * @v: family (AF_INET, AF_INET6) and address, network order
 */
struct netpolicy_addrs {
	unsigned int n;
	struct {
		int family;
		uint8_t addr[16];
	} v[];
};

struct netpolicy_names;

/*
 * struct netpolicy_publish - one --publish=HOSTPORT:PORT[/udp]
 * @proto: NETPOLICY_TCP or NETPOLICY_UDP
 * @host_port: the port taken on the host
 * @port: the port the sandbox binds, connects to and is told of
 * @text: as written
 */
struct netpolicy_publish {
	enum netpolicy_proto proto;
	uint16_t host_port;
	uint16_t port;
	char *text;
};

/*
 * struct netpolicy - the rules and the switches
 * @rules: struct netpolicy_rule, in order
 * @no_host_loopback: deny the host's 127.0.0.0/8 and ::1 after the rules
 * @any_allow_dst, @any_allow_bind: some allow rule of each kind exists
 * @any_unix: some unix:@GLOB rule exists (AF_UNIX sockets are governed)
 * @log_path: --log-connections: where the governed calls are reported
 *	(a file, or "-" for standard error), or NULL
 * @names: the host names the rules name, each once, or NULL when none:
 *	their current addresses, swapped under a lock readers hold only
 *	while they decide
 * @publish: struct netpolicy_publish, no PORT or HOSTPORT twice per
 *	protocol (not a policy: publishing alone traps bind, connect and
 *	getsockname, not the sends; see proxy/publish.c)
 */
struct netpolicy {
	GArray *rules;
	GArray *publish;
	bool no_host_loopback;
	bool any_allow_dst;
	bool any_allow_bind;
	bool any_unix;
	char *log_path;
	struct netpolicy_names *names;
	bool cmdline_active; /* active before the configuration files */
};

/* What a decision is about: a destination or a local address to bind. */
struct netpolicy_query {
	bool bind;
	enum netpolicy_proto proto;
	int family;            /* AF_INET, AF_INET6 or AF_UNIX */
	const uint8_t *addr;   /* 4 or 16 bytes, network order */
	uint16_t port;         /* host order */
	const char *name;      /* AF_UNIX: the abstract name, no leading NUL */
};

/* The prefix of an AF_UNIX abstract-name rule. */
#define NETPOLICY_UNIX_PREFIX "unix:@"

/*
 * The error domain of netpolicy_load() (code: the errno): what is wrong
 * is in the policy file, not on the command line that named it, so
 * cli.c reports it without pointing at --help.
 */
#define NETPOLICY_FILE_ERROR g_quark_from_static_string("lxnet-policy-file")


void netpolicy_init(struct netpolicy *p);
void netpolicy_clear(struct netpolicy *p);
bool netpolicy_active(const struct netpolicy *p);
int netpolicy_add(struct netpolicy *p, bool allow, const char *text,
		  GError **error);
int netpolicy_load(struct netpolicy *p, const char *path, GError **error);
int netpolicy_merge(struct netpolicy *dst, const struct netpolicy *src,
		    bool later);
bool netpolicy_decide(const struct netpolicy *p,
		      const struct netpolicy_query *q,
		      const uint8_t (*nameservers)[16],
		      const int *ns_families, unsigned int n_nameservers,
		      const char **ret_rule);
unsigned int netpolicy_n_names(const struct netpolicy *p);
const char *netpolicy_name(const struct netpolicy *p, unsigned int i);
struct netpolicy_addrs *netpolicy_addrs_new(unsigned int n);
void netpolicy_set_addrs(const struct netpolicy *p, unsigned int i,
			 struct netpolicy_addrs *set);
unsigned int netpolicy_n_addrs(const struct netpolicy *p, unsigned int i);
int netpolicy_add_publish(struct netpolicy *p, const char *text,
			  GError **error);
bool netpolicy_publishing(const struct netpolicy *p);
uint16_t netpolicy_published_port(const struct netpolicy *p,
				  enum netpolicy_proto proto, uint16_t port);
uint16_t netpolicy_published_host_port(const struct netpolicy *p,
				       enum netpolicy_proto proto,
				       uint16_t host_port);
char **netpolicy_to_args(const struct netpolicy *p);
GOptionGroup *netpolicy_option_group(struct netpolicy *p);

#endif
