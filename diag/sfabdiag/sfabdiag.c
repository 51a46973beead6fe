// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: global options and the subcommand table.
 *
 * Adding a subcommand: write cmd_NAME.c defining a struct sfab_cmd,
 * declare it in sfabdiag.h, list it in commands[] below and in the
 * Makefile, and give it a man page, man/sfabdiag-NAME.8.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

static const struct sfab_cmd *const commands[] = {
	&sfab_cmd_status,
	&sfab_cmd_version,
	&sfab_cmd_capture,
	&sfab_cmd_inject,
	&sfab_cmd_bundle,
	&sfab_cmd_counters,
	&sfab_cmd_qp,
};

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: sfabdiag [--json] [--help] [--version] COMMAND [ARGS]\n"
	      "\n"
	      "Field diagnostics for sfab, the soft RoCEv2 RDMA driver.\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("\n"
	      "Options:\n"
	      "  -j, --json     print JSON, as \"rdma -j\" does\n"
	      "  -h, --help     print this help and exit\n"
	      "  -V, --version  print the version of sfabdiag and exit\n"
	      "\n"
	      "\"sfabdiag COMMAND --help\" describes a command; sfabdiag(8) lists\n"
	      "the exit codes.\n", f);
}

/**
 * finish_output - make sure what was printed reached stdout
 * @code: the exit code the command chose
 *
 * Return: @code, or SFAB_EXIT_INTERNAL when stdout could not be written
 * (a full disk, a closed pipe): a truncated report must not pass for a
 * complete one.
 */
int finish_output(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "sfabdiag: cannot write the output: %s\n",
			strerror(errno ? errno : EIO));
		return SFAB_EXIT_INTERNAL;
	}
	return code;
}

/* A usage error for the option getopt_long() just refused. */
int bad_option(const char *where, char **argv, int optind_now)
{
	const char *arg = argv[optind_now - 1];

	if (!strncmp(arg, "--", 2) || !optopt)
		fprintf(stderr, "sfabdiag%s%s: bad option '%s'\n",
			where ? " " : "", where ? where : "", arg);
	else
		fprintf(stderr, "sfabdiag%s%s: unknown option '-%c'\n",
			where ? " " : "", where ? where : "", optopt);
	fprintf(stderr, "Try 'sfabdiag%s%s --help'.\n", where ? " " : "",
		where ? where : "");
	return SFAB_EXIT_USAGE;
}

static void cmd_usage(const struct sfab_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: sfabdiag [--json] %s%s%s\n\n%s\n\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	fputs("Options:\n"
	      "  -j, --json  print JSON, as \"rdma -j\" does\n"
	      "  -h, --help  print this help and exit\n", f);
	fprintf(f, "\nSee sfabdiag-%s(8) for what it checks and its exit codes.\n",
		cmd->name);
}

/**
 * cmd_parse_common - parse the options of a subcommand that has no others
 * @ctx: gets --json
 * @cmd: the subcommand
 * @argc: argument count, argv[0] being the subcommand's name
 * @argv: the arguments
 *
 * --json is accepted after the subcommand too ("sfabdiag status --json").
 *
 * Return: -1 to go on, or the exit code to leave with (after --help, or
 * on a usage error).
 */
int cmd_parse_common(struct sfab_ctx *ctx, const struct sfab_cmd *cmd,
		     int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;	/* a new argument vector: reinitialize getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			cmd_usage(cmd, stdout);
			return finish_output(SFAB_EXIT_OK);
		default:
			return bad_option(cmd->name, argv, optind);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sfabdiag %s: unexpected argument '%s'\n"
			"Try 'sfabdiag %s --help'.\n", cmd->name, argv[optind],
			cmd->name);
		return SFAB_EXIT_USAGE;
	}
	return -1;
}

static const struct sfab_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sfab_ctx ctx = { .json = false };
	const struct sfab_cmd *cmd;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			usage(stdout);
			return finish_output(SFAB_EXIT_OK);
		case 'V':
			printf("sfabdiag %s\n", SFAB_VERSION);
			return finish_output(SFAB_EXIT_OK);
		default:
			return bad_option(NULL, argv, optind);
		}
	}
	if (optind >= argc) {
		fputs("sfabdiag: no command given\n", stderr);
		usage(stderr);
		return SFAB_EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "sfabdiag: unknown command '%s'\n"
			"Try 'sfabdiag --help'.\n", argv[optind]);
		return SFAB_EXIT_USAGE;
	}
	return finish_output(cmd->run(&ctx, argc - optind, argv + optind));
}
