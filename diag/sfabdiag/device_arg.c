// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: the sfab device a command acts on, from its -d option.
 *
 * With one sfab device, -d may be left out; with several it is needed;
 * a name that is not an sfab device is refused with the list of those
 * that are. And QP numbers, as --qp takes them.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

static char *device_names(const struct devices *d)
{
	char *s = xstrdup(""), *next;
	int i;

	for (i = 0; i < d->n; i++) {
		next = xasprintf("%s%s%s", s, i ? ", " : "", d->dev[i].name);
		free(s);
		s = next;
	}
	return s;
}

/**
 * device_select - find the sfab device a command acts on
 * @cmd: the command's name, for messages
 * @name: the -d argument, or NULL when not given
 * @d: receives the sfab devices; the caller frees it with devices_free()
 *     whatever this returns
 * @dev: receives the device chosen, an element of @d
 *
 * Messages go to stderr.
 *
 * Return: -1 when a device was chosen, or the exit code to leave with:
 * SFAB_EXIT_PRIVILEGE when sysfs could not be read, SFAB_EXIT_NO_DEVICE
 * when there is no sfab device or none of that name, SFAB_EXIT_USAGE
 * when there are several and -d was not given.
 */
int device_select(const char *cmd, const char *name, struct devices *d,
		  struct device **dev)
{
	struct report rep = { .n = 0 };
	char *names;
	int i;

	*dev = NULL;
	devices_collect(d, &rep);
	if (rep.denied) {
		report_print(&rep, stderr);
		fprintf(stderr, "sfabdiag %s: cannot tell which devices are sfab's: run it as root\n",
			cmd);
		report_free(&rep);
		return SFAB_EXIT_PRIVILEGE;
	}
	report_free(&rep);

	if (!d->n) {
		fprintf(stderr, "sfabdiag %s: no sfab device\n"
			"fix: create one with `rdma link add sfab0 type sfab netdev IFACE` (`sfabdiag status` tells more)\n",
			cmd);
		return SFAB_EXIT_NO_DEVICE;
	}
	if (name) {
		for (i = 0; i < d->n; i++)
			if (!strcmp(d->dev[i].name, name))
				*dev = &d->dev[i];
		if (*dev)
			return -1;
		names = device_names(d);
		out_line(stderr, "sfabdiag %s: %s is not an sfab device; the sfab device%s: %s",
			 cmd, name, d->n == 1 ? " is" : "s are", names);
		free(names);
		return SFAB_EXIT_NO_DEVICE;
	}
	if (d->n == 1) {
		*dev = &d->dev[0];
		return -1;
	}
	names = device_names(d);
	out_line(stderr, "sfabdiag %s: there are %d sfab devices (%s): say which with -d DEV",
		 cmd, d->n, names);
	free(names);
	return SFAB_EXIT_USAGE;
}

/**
 * parse_qpn - a QP number from the command line
 * @s: decimal, or hexadecimal after 0x (never octal: "010" is ten)
 * @qpn: receives it
 *
 * Return: true for a number of 24 bits, as the BTH carries.
 */
bool parse_qpn(const char *s, uint32_t *qpn)
{
	int base = 10;
	unsigned long v;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > 0xffffff)
		return false;
	*qpn = (uint32_t)v;
	return true;
}
