// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag version: the kit version of sfabdiag, of the loaded module and
 * of the installed packages, and whether they agree.
 *
 * Exit: 0 when every component that has a version carries the same one,
 * 1 when they differ, 4 when a version file could not be read for want
 * of privilege.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

static void print_absent(const struct versions *v)
{
	const struct component *c;
	const char *sep = "";
	int i;

	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		if (c->state != VER_ABSENT && c->state != VER_NONE)
			continue;
		printf("%s%s %s", *sep ? sep : " (", c->name,
		       component_state(c, false));
		sep = ", ";
	}
	if (*sep)
		putchar(')');
}

static int count_versions(const struct versions *v)
{
	int i, n = 0;

	for (i = 0; i < NR_COMPONENTS; i++)
		if (v->comp[i].state == VER_REFERENCE ||
		    v->comp[i].state == VER_MATCH)
			n++;
	return n;
}

static int first_version(const struct versions *v)
{
	int i;

	for (i = 0; i < NR_COMPONENTS; i++)
		if (v->comp[i].state == VER_REFERENCE)
			return i;
	return 0;
}

static void print_verdict(const struct versions *v)
{
	const struct component *c;
	char *text;
	int i;

	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		if (c->state != VER_UNREADABLE)
			continue;
		printf("cannot read %s: %s\n", c->source, strerror(-c->err));
		if (c->err == -EACCES || c->err == -EPERM)
			printf("fix: needs root (read access to %s): run sfabdiag as root, e.g. with sudo\n",
			       c->source);
	}

	if (!v->reference && v->denied) {
		printf("No version could be compared.\n");
	} else if (!v->reference) {
		printf("No component has a version: the kit's packages are not installed and\n"
		       "no sfab module that carries one is loaded.\n");
	} else if (v->match && count_versions(v) == 1) {
		out_printf(stdout, "Nothing to compare: only %s has a version, %s",
			   v->comp[first_version(v)].name, v->reference);
		print_absent(v);
		printf(".\n");
	} else if (v->match) {
		out_printf(stdout, "Versions match: %s", v->reference);
		print_absent(v);
		printf(".\n");
	} else {
		text = versions_mismatch_text(v);
		out_printf(stdout, "Versions differ: %s.", text);
		printf("\nfix: %s\n", versions_hint(v));
		free(text);
	}
}

static int version_run(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct versions v;
	struct json j;
	int code;

	code = cmd_parse_common(ctx, &sfab_cmd_version, argc, argv);
	if (code >= 0)
		return code;

	versions_collect(&v);
	if (v.denied)
		code = SFAB_EXIT_PRIVILEGE;
	else
		code = v.match ? SFAB_EXIT_OK : SFAB_EXIT_PROBLEMS;

	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_array(&j);
		versions_json(&v, &j);
		json_end_array(&j);
		json_finish(&j);
		return code;
	}
	versions_table(&v, stdout, "");
	putchar('\n');
	print_verdict(&v);
	return code;
}

const struct sfab_cmd sfab_cmd_version = {
	.name = "version",
	.args = "",
	.summary = "show the kit version of sfabdiag, the module and the packages",
	.run = version_run,
};
