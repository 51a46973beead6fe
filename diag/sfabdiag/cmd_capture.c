// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag capture: sfab's RoCEv2 packets, as a pcapng file that
 * Wireshark and tshark dissect.
 *
 * The packets are taken on the sfab device's netdevice, both directions:
 * what sfab delivers between two devices of this host without the
 * network does not go through it and is not seen.
 *
 * Exit: 0 the file is written (also when stopped by a signal), 1 the
 * capture could not start or failed (what was captured until then is
 * kept), 2 usage, 3 no such sfab device, 4 no CAP_NET_RAW, 5 the file
 * could not be written.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sfabdiag.h"

#define NETNS_RUN_DIR	"/run/netns"
#define MAX_DURATION_S	(31.0 * 24 * 3600)

static const char capture_help[] =
	"usage: sfabdiag [--json] capture -o FILE [-d DEV] [-c N] [--qp QPN]...\n"
	"                                 [--duration S]\n"
	"\n"
	"Capture the RoCEv2 packets (UDP destination port 4791, IPv4 and IPv6)\n"
	"that an sfab device sends and receives on its netdevice, into a pcapng\n"
	"file that Wireshark and tshark dissect. Needs CAP_NET_RAW (root).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE   the pcapng file to write (replaced if it exists)\n"
	"  -d, --device DEV    the sfab device; needed when there are several\n"
	"  -c, --count N       stop after N packets\n"
	"      --qp QPN        keep only packets whose BTH destination QP is QPN;\n"
	"                      give it twice, with the local QPN and the peer's,\n"
	"                      for both directions of a connection\n"
	"      --duration S    stop after S seconds (decimals allowed)\n"
	"  -j, --json          print the summary as JSON\n"
	"  -h, --help          print this help and exit\n"
	"\n"
	"It stops on -c, --duration, or Ctrl-C (SIGINT, SIGTERM, SIGHUP), and\n"
	"always leaves a complete file. Packets that sfab delivers between two\n"
	"sfab devices of this host do not cross the netdevice and are not seen.\n"
	"See sfabdiag-capture(8).\n";

struct capture_args {
	struct capture_opts o;
	const char *device;
};

static int usage_error(const char *fmt, ...) __printf(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfabdiag capture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfabdiag capture --help'.\n", stderr);
	return SFAB_EXIT_USAGE;
}

static bool parse_count(const char *s, unsigned long long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*n = strtoull(s, &end, 10);
	return !errno && !*end && *n > 0;
}

static bool parse_seconds(const char *s, unsigned long long *ms)
{
	double v;
	char *end;

	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > MAX_DURATION_S)
		return false;
	*ms = (unsigned long long)(v * 1000 + 0.5);
	if (!*ms)
		*ms = 1;
	return true;
}

static int parse_args(struct sfab_ctx *ctx, struct capture_args *a, int argc,
		      char **argv)
{
	enum { OPT_QP = 256, OPT_DURATION };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "qp", required_argument, NULL, OPT_QP },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:d:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.path = optarg;
			break;
		case 'd':
			a->device = optarg;
			break;
		case 'c':
			if (!parse_count(optarg, &a->o.max_packets))
				return usage_error("-c needs a number of packets above 0, not '%s'",
						   optarg);
			break;
		case OPT_QP:
			if (a->o.nqpns == CAPTURE_MAX_QPNS)
				return usage_error("--qp is given more than %d times",
						   CAPTURE_MAX_QPNS);
			if (!parse_qpn(optarg, &a->o.qpns[a->o.nqpns++]))
				return usage_error("--qp needs a QP number (0 to 16777215, or 0x hexadecimal), not '%s'",
						   optarg);
			break;
		case OPT_DURATION:
			if (!parse_seconds(optarg, &a->o.duration_ms))
				return usage_error("--duration needs seconds above 0 (at most 31 days), not '%s'",
						   optarg);
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			fputs(capture_help, stdout);
			return finish_output(SFAB_EXIT_OK);
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return bad_option("capture", argv, optind);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!a->o.path)
		return usage_error("-o FILE is needed: the pcapng file to write");
	return -1;
}

/* The MAC address sfab made the node GUID from (EUI-64), if it did. */
static bool guid_mac(const char *guid, unsigned char mac[6])
{
	unsigned char b[8];
	unsigned int v[4];
	int i;

	if (sscanf(guid, "%4x:%4x:%4x:%4x", &v[0], &v[1], &v[2], &v[3]) != 4)
		return false;
	for (i = 0; i < 4; i++) {
		b[2 * i] = v[i] >> 8;
		b[2 * i + 1] = v[i] & 0xff;
	}
	if (b[3] != 0xff || b[4] != 0xfe)
		return false;
	mac[0] = b[0] ^ 0x02;
	mac[1] = b[1];
	mac[2] = b[2];
	mac[3] = b[5];
	mac[4] = b[6];
	mac[5] = b[7];
	return true;
}

enum netns_probe {
	NETNS_MATCH,		/* the netdevice, with the device's MAC */
	NETNS_NAME_ONLY,	/* a netdevice of that name */
	NETNS_ABSENT,
	NETNS_ERROR,		/* could not enter it (not root) */
};

/* Looks for the netdevice in the named network namespace @ns, in a child. */
static enum netns_probe probe_netns(const char *ns, const struct device *dev)
{
	unsigned char mac[6];
	bool have_mac = guid_mac(dev->node_guid, mac);
	struct ifreq ifr;
	char *path;
	int status, fd, s;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return NETNS_ERROR;
	if (pid == 0) {
		path = xasprintf("%s/%s", NETNS_RUN_DIR, ns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(NETNS_ERROR);
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			_exit(NETNS_ERROR);
		memset(&ifr, 0, sizeof(ifr));
		str_copy(ifr.ifr_name, dev->netdev, sizeof(ifr.ifr_name));
		if (ioctl(s, SIOCGIFHWADDR, &ifr))
			_exit(errno == ENODEV ? NETNS_ABSENT : NETNS_ERROR);
		_exit(have_mac && !memcmp(ifr.ifr_hwaddr.sa_data, mac, 6) ?
		      NETNS_MATCH : NETNS_NAME_ONLY);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return NETNS_ERROR;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > NETNS_ERROR)
		return NETNS_ERROR;
	return (enum netns_probe)WEXITSTATUS(status);
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * The named namespace ("ip netns add") the netdevice is in: the one
 * whose netdevice of that name has the MAC the node GUID was made from,
 * else the only one with a netdevice of that name. NULL when unknown.
 */
static char *find_netns(const struct device *dev)
{
	char *found = NULL, *by_name = NULL;
	struct dirent **ents;
	int i, n, names = 0;

	n = scandir(NETNS_RUN_DIR, &ents, not_dot, alphasort);
	if (n < 0)
		return NULL;
	for (i = 0; i < n; i++) {
		switch (probe_netns(ents[i]->d_name, dev)) {
		case NETNS_MATCH:
			if (!found)
				found = xstrdup(ents[i]->d_name);
			break;
		case NETNS_NAME_ONLY:
			if (!names++)
				by_name = xstrdup(ents[i]->d_name);
			break;
		default:
			break;
		}
		free(ents[i]);
	}
	free(ents);
	if (!found && names == 1)
		found = by_name;
	else
		free(by_name);
	return found;
}

static int other_netns(const struct device *dev)
{
	char *ns = find_netns(dev);

	out_line(stderr, "sfabdiag capture: netdevice %s of %s is not in this network namespace, so its packets cannot be captured from here",
		 dev->netdev, dev->name);
	if (ns)
		out_line(stderr, "fix: it is in network namespace %s: run `ip netns exec %s sfabdiag capture -d %s -o FILE` there",
			 ns, ns, dev->name);
	else
		out_line(stderr, "fix: run sfabdiag in that namespace: `ip netns exec NS sfabdiag capture -d %s -o FILE` (`ip netns list` names the namespaces; `ip -all netns exec ip link show %s` finds the one that has it)",
			 dev->name, dev->netdev);
	free(ns);
	return SFAB_EXIT_PROBLEMS;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "INT";
	case SIGTERM:
		return "TERM";
	case SIGHUP:
		return "HUP";
	}
	return "?";
}

static const char *stop_name(const struct capture_result *res)
{
	switch (res->stop) {
	case CAPTURE_STOP_COUNT:
		return "count";
	case CAPTURE_STOP_TIME:
		return "duration";
	case CAPTURE_STOP_SIGNAL:
		return "signal";
	case CAPTURE_STOP_ERROR:
		break;
	}
	return "error";
}

static void print_json(const struct capture_args *a, const struct device *dev,
		       const struct capture_result *res)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_array(&j);
	json_begin_object(&j);
	json_kv_string(&j, "ifname", dev->name);
	json_kv_string(&j, "netdev", dev->netdev);
	json_kv_string(&j, "file", a->o.path);
	json_kv_int(&j, "packets", (long long)res->packets);
	json_kv_int(&j, "roce_packets", (long long)res->roce_seen);
	json_kv_int(&j, "kernel_packets", (long long)res->kernel_packets);
	json_kv_int(&j, "kernel_drops", (long long)res->kernel_drops);
	json_kv_bool(&j, "kernel_filter", res->bpf);
	json_kv_int(&j, "duration_ms", (long long)(res->seconds * 1000));
	json_kv_string(&j, "stopped_by", stop_name(res));
	json_key(&j, "signal");
	if (res->stop == CAPTURE_STOP_SIGNAL)
		json_string(&j, signal_name(res->stop_signal));
	else
		json_string(&j, NULL);
	json_kv_string(&j, "error", res->error[0] ? res->error : NULL);
	json_key(&j, "qpns");
	json_begin_array(&j);
	for (i = 0; i < a->o.nqpns; i++)
		json_int(&j, a->o.qpns[i]);
	json_end_array(&j);
	json_end_object(&j);
	json_end_array(&j);
	json_finish(&j);
}

static void print_text(const struct capture_args *a, const struct device *dev,
		       const struct capture_result *res)
{
	char why[64];

	switch (res->stop) {
	case CAPTURE_STOP_COUNT:
		snprintf(why, sizeof(why), "%llu packets captured",
			 a->o.max_packets);
		break;
	case CAPTURE_STOP_TIME:
		snprintf(why, sizeof(why), "--duration elapsed");
		break;
	case CAPTURE_STOP_SIGNAL:
		snprintf(why, sizeof(why), "SIG%s", signal_name(res->stop_signal));
		break;
	case CAPTURE_STOP_ERROR:
		snprintf(why, sizeof(why), "capture error");
		break;
	}
	out_line(stdout, "%s on %s: captured %llu packet%s into %s in %.1f s (stopped: %s)",
		 dev->name, dev->netdev, res->packets,
		 res->packets == 1 ? "" : "s", a->o.path, res->seconds, why);
	printf("kernel: %llu packet%s passed its filter, %llu dropped (the socket was full)\n",
	       res->kernel_packets, res->kernel_packets == 1 ? "" : "s",
	       res->kernel_drops);
	if (res->kernel_drops)
		puts("note: the kernel dropped packets: keep fewer (--qp), or write to a faster disk");
	if (!res->roce_seen)
		out_line(stdout, "note: no RoCEv2 packet crossed %s: there was no traffic, or it was between two sfab devices of this host, which sfab delivers directly, without the netdevice, where no capture sees it",
			 dev->netdev);
	else if (!res->packets && a->o.nqpns)
		printf("note: %llu RoCEv2 packet%s crossed the netdevice, none to the QP%s given with --qp\n",
		       res->roce_seen, res->roce_seen == 1 ? "" : "s",
		       a->o.nqpns == 1 ? "" : "s");
}

static int capture_cmd(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct capture_args a;
	struct capture_result res;
	struct devices devs;
	struct device *dev;
	int code, fd;

	memset(&a, 0, sizeof(a));
	code = parse_args(ctx, &a, argc, argv);
	if (code >= 0)
		return code;

	fd = capture_socket();
	if (fd == -EPERM || fd == -EACCES) {
		fputs("sfabdiag capture: capture needs CAP_NET_RAW: run as root\n",
		      stderr);
		return SFAB_EXIT_PRIVILEGE;
	}
	if (fd < 0) {
		fprintf(stderr, "sfabdiag capture: cannot open a packet socket: %s%s\n",
			strerror(-fd), fd == -EAFNOSUPPORT ?
			" (this kernel has no AF_PACKET: CONFIG_PACKET)" : "");
		return SFAB_EXIT_PROBLEMS;
	}

	code = device_select("capture", a.device, &devs, &dev);
	if (code >= 0)
		goto out;
	code = SFAB_EXIT_PROBLEMS;
	if (!dev->netdev[0]) {
		out_line(stderr, "sfabdiag capture: %s has no netdevice (no GID names one), so there is nothing to capture on",
			 dev->name);
		fputs("fix: `sfabdiag status` tells more\n", stderr);
		goto out;
	}
	if (!dev->netdev_here) {
		code = other_netns(dev);
		goto out;
	}

	a.o.device = dev->name;
	a.o.netdev = dev->netdev;
	out_line(stderr, "capturing the RoCEv2 packets of %s on %s into %s; Ctrl-C stops",
		 dev->name, dev->netdev, a.o.path);
	code = capture_run(fd, &a.o, &res);
	fd = -1;
	if (code) {
		out_line(stderr, "sfabdiag capture: %s", res.error);
		code = res.output_failed ? SFAB_EXIT_INTERNAL :
					   SFAB_EXIT_PROBLEMS;
		goto out;
	}
	if (ctx->json)
		print_json(&a, dev, &res);
	else
		print_text(&a, dev, &res);
	code = SFAB_EXIT_OK;
	if (res.stop == CAPTURE_STOP_ERROR) {
		out_line(stderr, "sfabdiag capture: %s; the packets captured before are in %s",
			 res.error, a.o.path);
		code = SFAB_EXIT_PROBLEMS;
	}
out:
	if (fd >= 0)
		close(fd);
	devices_free(&devs);
	return code;
}

const struct sfab_cmd sfab_cmd_capture = {
	.name = "capture",
	.args = "-o FILE [-d DEV] [-c N] [--qp QPN]... [--duration S]",
	.summary = "capture sfab's RoCEv2 packets into a pcapng file (root)",
	.run = capture_cmd,
};
