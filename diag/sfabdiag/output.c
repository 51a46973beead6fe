// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: output, as aligned tables for people or as JSON for scripts.
 *
 * JSON follows "rdma -j": one array of objects, one object per device or
 * entry, keys in lower_snake_case, printed on one line. Strings are
 * escaped per RFC 8259; bytes that are not valid UTF-8 (sysfs gives
 * bytes, not text) become U+FFFD so that the output always parses.
 * Tables get the same strings with control characters and invalid UTF-8
 * replaced by '?', so that nothing read from the system can drive the
 * terminal.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

/* Length of the valid UTF-8 sequence at @s, 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void json_put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', f);
	while (*s) {
		len = utf8_len(s);
		if (!len) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (len > 1) {
			fwrite(s, 1, len, f);
			s += len;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fputc(*s, f);
		}
		s++;
	}
	fputc('"', f);
}

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Separates a value from the one before it, unless it follows a key. */
static void json_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
}

static void json_open(struct json *j, char c)
{
	json_value(j);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		die("internal error: JSON nested too deep");
	fputc(c, j->f);
	j->need_comma[++j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	if (j->depth == 0)
		die("internal error: JSON closed more than opened");
	j->depth--;
	fputc(c, j->f);
}

void json_begin_array(struct json *j)
{
	json_open(j, '[');
}

void json_end_array(struct json *j)
{
	json_close(j, ']');
}

void json_begin_object(struct json *j)
{
	json_open(j, '{');
}

void json_end_object(struct json *j)
{
	json_close(j, '}');
}

void json_key(struct json *j, const char *key)
{
	json_value(j);
	json_put_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

/* A NULL string is written as null. */
void json_string(struct json *j, const char *s)
{
	json_value(j);
	if (s)
		json_put_string(j->f, s);
	else
		fputs("null", j->f);
}

void json_int(struct json *j, long long v)
{
	json_value(j);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, unsigned long long v)
{
	json_value(j);
	fprintf(j->f, "%llu", v);
}

/* A rate or a duration: three decimals; null when it is not finite. */
void json_double(struct json *j, double v)
{
	json_value(j);
	if (isfinite(v))
		fprintf(j->f, "%.3f", v);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, bool v)
{
	json_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

/* Ends the document: every array and object must have been closed. */
void json_finish(struct json *j)
{
	if (j->depth != 0)
		die("internal error: JSON left open");
	fputc('\n', j->f);
}

/*
 * A copy of @s that is safe on a terminal: control characters and bytes
 * that are not UTF-8 become '?'.
 */
char *text_sanitize(const char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	char *out = xcalloc(strlen((const char *)in) + 1, 1);
	size_t len, o = 0;

	while (*in) {
		len = utf8_len(in);
		if (len > 1) {
			memcpy(out + o, in, len);
			o += len;
			in += len;
			continue;
		}
		out[o++] = (len && *in >= 0x20 && *in != 0x7f) ? *in : '?';
		in++;
	}
	out[o] = '\0';
	return out;
}

/* Columns a sanitized string takes: one per character. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

/* Adds a row: exactly t->ncols strings follow; NULL shows as "-". */
void table_row(struct table *t, ...)
{
	const char *cell;
	va_list ap;
	size_t c;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
				 sizeof(*t->cells));
	va_start(ap, t);
	for (c = 0; c < t->ncols; c++) {
		cell = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + c] =
			text_sanitize(cell && *cell ? cell : "-");
	}
	va_end(ap);
	t->nrows++;
}

/* Adds a row from an array of t->ncols strings, for a table whose
 * columns are known only at run time; NULL shows as "-". */
void table_row_array(struct table *t, char *const *cells)
{
	size_t c;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
				 sizeof(*t->cells));
	for (c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] =
			text_sanitize(cells[c] && *cells[c] ? cells[c] : "-");
	t->nrows++;
}

void table_print(const struct table *t, FILE *f, const char *indent)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));
	size_t r, c, w;
	const char *cell;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			w = text_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r < t->nrows; r++) {
		fputs(indent, f);
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			fputs(cell, f);
			if (c + 1 < t->ncols)
				fprintf(f, "%*s", (int)(width[c] - text_width(cell) + 2),
					"");
		}
		fputc('\n', f);
	}
	free(width);
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

static void out_vprintf(FILE *f, const char *fmt, va_list ap)
{
	char *raw, *safe;

	raw = xvasprintf(fmt, ap);
	safe = text_sanitize(raw);
	fputs(safe, f);
	free(safe);
	free(raw);
}

/* Prints formatted text, sanitized as text_sanitize() does. */
void out_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(f, fmt, ap);
	va_end(ap);
}

/* out_printf(), then a newline: one line of a message. */
void out_line(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* A section title, with a blank line before every one but the first. */
void out_heading(FILE *f, const char *title)
{
	static bool first = true;

	if (!first)
		fputc('\n', f);
	first = false;
	fprintf(f, "%s\n", title);
}
