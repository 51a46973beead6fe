// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: the report of what is wrong.
 *
 * A problem says what is wrong and, where the tool can tell, what to do;
 * problems decide the exit code. A note is something a support engineer
 * wants to see that is not wrong in itself (an out-of-tree taint from
 * the kit's own DKMS module, a netdevice in another namespace).
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

struct report_item *report_add(struct report *r, enum report_kind kind,
			       const char *id, const char *device,
			       const char *fmt, ...)
{
	struct report_item *item;
	va_list ap;

	r->items = xreallocarray(r->items, r->n + 1, sizeof(*r->items));
	item = &r->items[r->n++];
	memset(item, 0, sizeof(*item));
	item->kind = kind;
	item->id = id;
	item->device = device ? xstrdup(device) : NULL;
	va_start(ap, fmt);
	item->message = xvasprintf(fmt, ap);
	va_end(ap);
	if (kind == REPORT_PROBLEM)
		r->nproblems++;
	return item;
}

void report_hint(struct report_item *item, const char *fmt, ...)
{
	va_list ap;

	free(item->hint);
	va_start(ap, fmt);
	item->hint = xvasprintf(fmt, ap);
	va_end(ap);
}

/**
 * report_read_error - record that a file could not be read
 * @r: the report
 * @device: the device the file belongs to, or NULL
 * @path: the file, as on a real system
 * @err: the negative errno
 *
 * EACCES and EPERM mean the caller lacks a privilege: the report then
 * ends with exit code 4. What sfabdiag reads is world-readable on a
 * stock kernel, so this happens under a hardened policy or in a
 * restricted container, and root is what is needed.
 */
void report_read_error(struct report *r, const char *device,
		       const char *path, int err)
{
	struct report_item *item;

	if (err == -EACCES || err == -EPERM) {
		item = report_add(r, REPORT_PROBLEM, "permission_denied",
				  device, "cannot read %s: %s", path,
				  strerror(-err));
		report_hint(item, "needs root (read access to %s): run sfabdiag as root, e.g. with sudo",
			    path);
		r->denied = true;
		return;
	}
	report_add(r, REPORT_PROBLEM, "read_error", device,
		   "cannot read %s: %s", path, strerror(-err));
}

/**
 * report_readf - read a one-line file, recording any failure but ENOENT
 * @r: the report that gets the failure
 * @device: the device the file belongs to, or NULL
 * @buf: receives the line
 * @size: size of @buf
 * @fmt: printf format of the path on a real system
 *
 * Return: 0, -ENOENT (not recorded: absence has a meaning to the caller),
 * or another negative errno (recorded).
 */
int report_readf(struct report *r, const char *device, char *buf,
		 size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = fs_vreadf(path, sizeof(path), buf, size, fmt, ap);
	va_end(ap);
	if (err && err != -ENOENT)
		report_read_error(r, device, path, err);
	return err;
}

static void report_print_kind(const struct report *r, FILE *f,
			      enum report_kind kind)
{
	const struct report_item *item;
	unsigned int nr = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		item = &r->items[i];
		if (item->kind != kind)
			continue;
		nr++;
		if (kind == REPORT_PROBLEM)
			fprintf(f, "  %u. ", nr);
		else
			fputs("  - ", f);
		if (item->device)
			out_printf(f, "%s: ", item->device);
		out_printf(f, "%s", item->message);
		fputc('\n', f);
		if (item->hint) {
			out_printf(f, "     fix: %s", item->hint);
			fputc('\n', f);
		}
	}
	if (!nr)
		fputs("  none\n", f);
}

/* The problems, then the notes if there are any. */
void report_print(const struct report *r, FILE *f)
{
	out_heading(f, "Problems");
	report_print_kind(r, f, REPORT_PROBLEM);
	if (r->n > r->nproblems) {
		out_heading(f, "Notes");
		report_print_kind(r, f, REPORT_NOTE);
	}
}

/* One entry per problem or note, in the array the caller has open. */
void report_json(const struct report *r, struct json *j)
{
	const struct report_item *item;
	size_t i;

	for (i = 0; i < r->n; i++) {
		item = &r->items[i];
		json_begin_object(j);
		json_kv_string(j, "entry",
			       item->kind == REPORT_PROBLEM ? "problem" : "note");
		json_kv_string(j, "id", item->id);
		json_kv_string(j, "ifname", item->device);
		json_kv_string(j, "message", item->message);
		json_kv_string(j, "hint", item->hint);
		json_end_object(j);
	}
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].device);
		free(r->items[i].message);
		free(r->items[i].hint);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}
