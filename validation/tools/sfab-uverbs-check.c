// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab-uverbs-check: exercise an RDMA device's uverbs character device
 * without libibverbs, through the legacy write() command ABI of
 * <rdma/ib_user_verbs.h>: get a context, query the device and port 1,
 * allocate and free protection domains.
 *
 * usage: sfab-uverbs-check IBDEV [NUM_PDS]
 *
 * Prints key=value lines on stdout; on any failure prints what failed on
 * stderr and exits non-zero.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rdma/ib_user_verbs.h>

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sfab-uverbs-check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Find the uverbs character device of @ibdev: the infiniband_verbs class
 * has one uverbsN entry per device, whose "ibdev" attribute names it.
 */
static void find_uverbs(const char *ibdev, char *path, size_t len)
{
	char name[64];
	glob_t g;
	size_t i;

	if (glob("/sys/class/infiniband_verbs/uverbs*/ibdev", 0, NULL, &g))
		die("no uverbs devices in /sys/class/infiniband_verbs (is ib_uverbs loaded?)");

	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, ibdev))
			continue;

		/* .../uverbsN/ibdev -> /dev/infiniband/uverbsN */
		*strrchr(g.gl_pathv[i], '/') = '\0';
		snprintf(path, len, "/dev/infiniband/%s",
			 strrchr(g.gl_pathv[i], '/') + 1);
		globfree(&g);
		return;
	}
	globfree(&g);
	die("no uverbs device for RDMA device '%s'", ibdev);
}

/*
 * Issue one legacy uverbs command. The kernel wants the header followed by
 * the command in one write(), with in_words counting both (in 32-bit
 * words) and out_words the response length. Commands with a response
 * carry its user address in their first 64-bit field. Sizes are exact,
 * so the driver sees no udata.
 */
static void uverbs_cmd(int fd, const char *what, __u32 command,
		       void *cmd, size_t cmd_len, void *resp, size_t resp_len)
{
	struct {
		struct ib_uverbs_cmd_hdr hdr;
		__u8 cmd[128];
	} buf;
	size_t len = sizeof(buf.hdr) + cmd_len;

	if (cmd_len > sizeof(buf.cmd))
		die("%s: command too long", what);
	buf.hdr.command = command;
	buf.hdr.in_words = len / 4;
	buf.hdr.out_words = resp_len / 4;
	memcpy(buf.cmd, cmd, cmd_len);
	if (resp) {
		__u64 addr = (uintptr_t)resp;

		memcpy(buf.cmd, &addr, sizeof(addr));
	}

	if (write(fd, &buf, len) != (ssize_t)len)
		die("%s failed: %s", what, strerror(errno));
}

/* Print a GUID the way sysfs does (node_guid: xxxx:xxxx:xxxx:xxxx). */
static void print_guid(const char *key, __be64 guid)
{
	__u64 g = be64toh(guid);

	printf("%s=%04x:%04x:%04x:%04x\n", key,
	       (unsigned int)(g >> 48) & 0xffff,
	       (unsigned int)(g >> 32) & 0xffff,
	       (unsigned int)(g >> 16) & 0xffff,
	       (unsigned int)g & 0xffff);
}

static void get_context(int fd)
{
	struct ib_uverbs_get_context cmd = {};
	struct ib_uverbs_get_context_resp resp = {};

	uverbs_cmd(fd, "GET_CONTEXT", IB_USER_VERBS_CMD_GET_CONTEXT,
		   &cmd, sizeof(cmd), &resp, sizeof(resp));
	printf("context=ok\n");
	printf("num_comp_vectors=%u\n", resp.num_comp_vectors);
	/* The async event fd belongs to us now; the context holds it. */
}

static void query_device(int fd)
{
	struct ib_uverbs_query_device cmd = {};
	struct ib_uverbs_query_device_resp resp = {};

	uverbs_cmd(fd, "QUERY_DEVICE", IB_USER_VERBS_CMD_QUERY_DEVICE,
		   &cmd, sizeof(cmd), &resp, sizeof(resp));
	print_guid("node_guid", resp.node_guid);
	printf("vendor_id=0x%x\n", resp.vendor_id);
	printf("max_pd=%u\n", resp.max_pd);
	printf("phys_port_cnt=%u\n", resp.phys_port_cnt);
}

static void query_port(int fd, __u8 port)
{
	struct ib_uverbs_query_port cmd = { .port_num = port };
	struct ib_uverbs_query_port_resp resp = {};

	uverbs_cmd(fd, "QUERY_PORT", IB_USER_VERBS_CMD_QUERY_PORT,
		   &cmd, sizeof(cmd), &resp, sizeof(resp));
	printf("port=%u\n", port);
	printf("state=%u\n", resp.state);
	printf("phys_state=%u\n", resp.phys_state);
	printf("max_mtu=%u\n", resp.max_mtu);
	printf("active_mtu=%u\n", resp.active_mtu);
	printf("gid_tbl_len=%u\n", resp.gid_tbl_len);
	/* 1 = InfiniBand, 2 = Ethernet (IBV_LINK_LAYER_*) */
	printf("link_layer=%u\n", resp.link_layer);
}

/* Allocate @n protection domains, then free them all. */
static void alloc_dealloc_pds(int fd, unsigned int n)
{
	__u32 *handles = calloc(n ? n : 1, sizeof(*handles));
	unsigned int i;

	if (!handles)
		die("out of memory");

	for (i = 0; i < n; i++) {
		struct ib_uverbs_alloc_pd cmd = {};
		struct ib_uverbs_alloc_pd_resp resp = {};

		uverbs_cmd(fd, "ALLOC_PD", IB_USER_VERBS_CMD_ALLOC_PD,
			   &cmd, sizeof(cmd), &resp, sizeof(resp));
		handles[i] = resp.pd_handle;
	}
	printf("pds_allocated=%u\n", n);

	for (i = 0; i < n; i++) {
		struct ib_uverbs_dealloc_pd cmd = { .pd_handle = handles[i] };

		/* No response: the command has no address field to fill. */
		uverbs_cmd(fd, "DEALLOC_PD", IB_USER_VERBS_CMD_DEALLOC_PD,
			   &cmd, sizeof(cmd), NULL, 0);
	}
	printf("pds_freed=%u\n", n);
	free(handles);
}

int main(int argc, char **argv)
{
	unsigned int num_pds = 1;
	char path[128];
	int fd;

	if (argc < 2 || argc > 3)
		die("usage: sfab-uverbs-check IBDEV [NUM_PDS]");
	if (argc == 3) {
		char *end;

		num_pds = strtoul(argv[2], &end, 0);
		if (*end || end == argv[2])
			die("NUM_PDS must be a number, not '%s'", argv[2]);
	}

	find_uverbs(argv[1], path, sizeof(path));
	printf("uverbs=%s\n", path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));

	get_context(fd);
	query_device(fd);
	query_port(fd, 1);
	alloc_dealloc_pds(fd, num_pds);

	/* Closing the file destroys the context. */
	if (close(fd))
		die("closing %s: %s", path, strerror(errno));
	return 0;
}
