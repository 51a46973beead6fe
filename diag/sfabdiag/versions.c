// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: which kit version each installed component carries.
 *
 * - sfabdiag: SFAB_VERSION, compiled in by the Makefile;
 * - module: /sys/module/sfab/version of the loaded module;
 * - dkms, provider, diag: SFAB_VERSIONS_DIR/<component>, one line that
 *   the kit's package of that name installs.
 *
 * The first component that has a version (sfabdiag's own, unless it was
 * built without one) is the reference; every other component that has a
 * version must carry the same string.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

static const char *const component_names[NR_COMPONENTS] = {
	"sfabdiag", "module", "dkms", "provider", "diag",
};

static bool has_version(const struct component *c)
{
	return c->state == VER_REFERENCE || c->state == VER_MATCH ||
	       c->state == VER_MISMATCH;
}

static void read_component(struct component *c, const char *path,
			   bool *denied)
{
	int err;

	str_copy(c->source, path, sizeof(c->source));
	err = fs_read(path, c->version, sizeof(c->version));
	if (!err && !c->version[0])
		err = -ENODATA;
	if (err == -ENOENT) {
		c->state = VER_ABSENT;
	} else if (err) {
		c->state = VER_UNREADABLE;
		c->err = err;
		if (err == -EACCES || err == -EPERM)
			*denied = true;
	} else {
		c->state = VER_MATCH;	/* compared below */
	}
	if (err)
		c->version[0] = '\0';
}

void versions_collect(struct versions *v)
{
	struct component *c;
	char path[128];
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < NR_COMPONENTS; i++)
		v->comp[i].name = component_names[i];

	c = &v->comp[0];
	str_copy(c->source, "compiled in", sizeof(c->source));
	str_copy(c->version, SFAB_VERSION, sizeof(c->version));
	c->state = strcmp(SFAB_VERSION, "unknown") ? VER_MATCH : VER_NONE;

	c = &v->comp[1];
	if (!fs_existsf("/sys/module/sfab")) {
		str_copy(c->source, "/sys/module/sfab", sizeof(c->source));
		c->state = VER_ABSENT;
	} else {
		read_component(c, "/sys/module/sfab/version", &v->denied);
		if (c->state == VER_ABSENT)
			c->state = VER_NONE;
	}

	for (i = 2; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		snprintf(path, sizeof(path), "%s/%s", SFAB_VERSIONS_DIR,
			 c->name);
		read_component(c, path, &v->denied);
	}

	v->match = true;
	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		if (!has_version(c))
			continue;
		if (!v->reference) {
			v->reference = c->version;
			c->state = VER_REFERENCE;
		} else if (strcmp(c->version, v->reference)) {
			c->state = VER_MISMATCH;
			v->match = false;
		}
	}
}

/* The state of a component, as a table shows it or as a JSON value. */
const char *component_state(const struct component *c, bool json)
{
	switch (c->state) {
	case VER_REFERENCE:
		return "reference";
	case VER_MATCH:
		return "match";
	case VER_MISMATCH:
		return json ? "mismatch" : "MISMATCH";
	case VER_ABSENT:
		if (!strcmp(c->name, "module"))
			return json ? "not_loaded" : "not loaded";
		return json ? "not_installed" : "not installed";
	case VER_NONE:
		return json ? "no_version" : "no version";
	case VER_UNREADABLE:
		break;
	}
	return "unreadable";
}

void versions_table(const struct versions *v, FILE *f, const char *indent)
{
	const struct component *c;
	struct table t;
	int i;

	table_init(&t, 4);
	table_row(&t, "COMPONENT", "VERSION", "STATE", "SOURCE");
	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		table_row(&t, c->name, c->version, component_state(c, false),
			  c->source);
	}
	table_print(&t, f, indent);
	table_free(&t);
}

/* The components, as objects in the array the caller has open. */
void versions_json(const struct versions *v, struct json *j)
{
	const struct component *c;
	int i;

	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		json_begin_object(j);
		json_kv_string(j, "component", c->name);
		json_kv_string(j, "version", c->version[0] ? c->version : NULL);
		json_kv_string(j, "state", component_state(c, true));
		json_kv_string(j, "source", c->source);
		if (c->state == VER_UNREADABLE)
			json_kv_string(j, "error", strerror(-c->err));
		json_end_object(j);
	}
}

/* "dkms has 0.0.9 where sfabdiag has 0.1.0"; the caller frees it. */
char *versions_mismatch_text(const struct versions *v)
{
	const struct component *ref = NULL, *c;
	char *text = NULL, *next;
	int i;

	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &v->comp[i];
		if (c->state == VER_REFERENCE)
			ref = c;
		if (c->state != VER_MISMATCH)
			continue;
		next = xasprintf("%s%s%s has %s", text ? text : "",
				 text ? ", " : "", c->name, c->version);
		free(text);
		text = next;
	}
	if (!text || !ref)
		return text;
	next = xasprintf("%s where %s has %s", text, ref->name, ref->version);
	free(text);
	return next;
}

/* What to do about a mismatch. */
const char *versions_hint(const struct versions *v)
{
	const struct component *module = &v->comp[1], *dkms = &v->comp[2];
	int i, mismatches = 0;

	for (i = 0; i < NR_COMPONENTS; i++)
		if (v->comp[i].state == VER_MISMATCH)
			mismatches++;
	/* Only the module differs from an installed sfab-dkms: a stale load. */
	if (module->state == VER_MISMATCH && mismatches == 1 &&
	    (dkms->state == VER_REFERENCE || dkms->state == VER_MATCH))
		return "the loaded module is not the installed one: delete the sfab devices (rdma link delete DEV), then reload it (modprobe -r sfab && modprobe sfab), or reboot; `dkms status sfab` shows what is built";
	return "install one kit release's packages together (sfab-dkms, the provider, sfab-diag), then reload the module (modprobe -r sfab && modprobe sfab)";
}
