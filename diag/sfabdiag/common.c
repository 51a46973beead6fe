// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: memory helpers, and the files the tool reads.
 *
 * Every path under /sys, /proc, /etc and /usr goes through fs_*(): they
 * take the path as it is on a real system and prefix it with
 * $SFABDIAG_ROOT, so that the tests can run the tool on a fake tree.
 * Messages show the unprefixed path.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfabdiag.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sfabdiag: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(SFAB_EXIT_INTERNAL);
}

static void *check_alloc(void *p)
{
	if (!p)
		die("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > (size_t)-1 / size)
		die("out of memory");
	bytes = n * size;
	return check_alloc(realloc(p, bytes ? bytes : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Copies a string into a fixed-size buffer, cutting it if it must. */
void str_copy(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* The root prefix from $SFABDIAG_ROOT; "" (the real root) when unset. */
const char *fs_root(void)
{
	static const char *root;

	if (!root) {
		root = getenv("SFABDIAG_ROOT");
		if (!root)
			root = "";
	}
	return root;
}

/* Formats a path into @path; -ENAMETOOLONG when it does not fit. */
int fs_vformat(char *path, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(path, size, fmt, ap);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int fs_real(char *real, size_t size, const char *path)
{
	int n = snprintf(real, size, "%s%s", fs_root(), path);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * fs_read - read the first line of a small file (sysfs, procfs, version)
 * @path: the path on a real system; SFABDIAG_ROOT is prepended
 * @buf: receives the line, without trailing white space
 * @size: size of @buf (at least 1); a longer line is cut
 *
 * Return: 0, or a negative errno (-ENOENT: no such file).
 */
int fs_read(const char *path, char *buf, size_t size)
{
	char real[PATH_MAX];
	size_t len = 0;
	ssize_t n;
	int fd, err;

	buf[0] = '\0';
	err = fs_real(real, sizeof(real), path);
	if (err)
		return err;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			close(fd);
			buf[0] = '\0';
			return err;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	len = strlen(buf);
	while (len && strchr(" \t\r", buf[len - 1]))
		buf[--len] = '\0';
	return 0;
}

/*
 * Formats the path of a one-line file into @path (@psize bytes) and reads
 * the file into @buf; @path stays for the caller's error messages.
 */
int fs_vreadf(char *path, size_t psize, char *buf, size_t size,
	      const char *fmt, va_list ap)
{
	int err = fs_vformat(path, psize, fmt, ap);

	return err ? err : fs_read(path, buf, size);
}

int fs_readf(char *buf, size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = fs_vreadf(path, sizeof(path), buf, size, fmt, ap);
	va_end(ap);
	return err;
}

/* Whether a path exists; a dangling symbolic link counts. */
bool fs_existsf(const char *fmt, ...)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = fs_vformat(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (err || fs_real(real, sizeof(real), path))
		return false;
	return lstat(real, &st) == 0;
}

static int not_dot(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/**
 * fs_list - the entries of a directory, in natural order (sfab2 < sfab10)
 * @path: the directory on a real system
 * @names: receives an array of names, freed with fs_list_free()
 *
 * Return: the number of entries, or a negative errno.
 */
int fs_list(const char *path, char ***names)
{
	char real[PATH_MAX];
	struct dirent **ents;
	int i, n, err;

	*names = NULL;
	err = fs_real(real, sizeof(real), path);
	if (err)
		return err;
	n = scandir(real, &ents, not_dot, versionsort);
	if (n < 0) {
		err = -errno;
		if (err == -ENOMEM)
			die("out of memory");
		return err;
	}
	*names = xcalloc(n, sizeof(**names));
	for (i = 0; i < n; i++) {
		(*names)[i] = xstrdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return n;
}

void fs_list_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

#define FS_READ_ALL_MAX	(16 << 20)

/**
 * fs_read_all - read a whole file (/proc/self/mounts, debugfs, sysfs)
 * @path: the path on a real system; SFABDIAG_ROOT is prepended
 * @buf: receives the contents, NUL-terminated; the caller frees it
 * @len: receives their length (a file may hold NUL bytes), or NULL
 *
 * Return: 0, or a negative errno (-EFBIG past 16 MiB); *@buf is NULL
 * on failure.
 */
int fs_read_all(const char *path, char **buf, size_t *len)
{
	char real[PATH_MAX];
	size_t used = 0, size = 4096;
	ssize_t n;
	int fd, err;

	*buf = NULL;
	err = fs_real(real, sizeof(real), path);
	if (err)
		return err;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*buf = xcalloc(1, size);
	for (;;) {
		if (size - used < 2) {
			if (size >= FS_READ_ALL_MAX) {
				err = -EFBIG;
				break;
			}
			size *= 2;
			*buf = xreallocarray(*buf, size, 1);
		}
		n = read(fd, *buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		used += n;
	}
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
		return err;
	}
	(*buf)[used] = '\0';
	if (len)
		*len = used;
	return 0;
}

/**
 * fs_write - write a string to an existing file, in one write(2)
 * @path: the path on a real system; SFABDIAG_ROOT is prepended
 * @s: what to write; sysfs and debugfs take a whole setting per write
 *
 * The file is not created: a missing file is -ENOENT.
 *
 * Return: 0, or a negative errno (-EIO for a short write).
 */
int fs_write(const char *path, const char *s)
{
	char real[PATH_MAX];
	size_t len = strlen(s);
	ssize_t n;
	int fd, err;

	err = fs_real(real, sizeof(real), path);
	if (err)
		return err;
	fd = open(real, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}
