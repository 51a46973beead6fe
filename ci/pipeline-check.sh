#!/usr/bin/env bash
# usage: ci/pipeline-check.sh [PIPELINE]
# The kit's GitLab pipeline (.gitlab-ci.yml, or the file PIPELINE) checked
# for real with gitlab-ci-local (npm, pinned by ci/npm/package-lock.json,
# installed by make deps): it must parse and pass GitLab's schema; hold to
# the structure the kit promises (one job per target of ci/targets, the
# upstream job, a summary job that needs every job with its artifacts,
# timeouts, the runner tag); its job scripts must be shellcheck clean;
# and its summary job, run by gitlab-ci-local's shell executor on fixture
# results, must pass on a full set, and fail when a target recorded
# nothing or a step failed. Nothing is written to the tree: all of it runs
# in a scratch copy.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pipeline=$(realpath "${1:-$SFAB_TOP/.gitlab-ci.yml}")
[ -f "$pipeline" ] || die "no pipeline file $pipeline; the kit's is .gitlab-ci.yml at the top of the tree"
need_tool node git shellcheck
# The same directory as ci/deps.sh installs into.
npm_dir=$SFAB_CACHE/npm/$(sha256sum <"$SFAB_TOP/ci/npm/package-lock.json" | cut -c1-16)
gcl=$npm_dir/node_modules/.bin/gitlab-ci-local
if [ ! -f "$npm_dir/.sfab-complete" ] || [ ! -x "$gcl" ]; then
	die "gitlab-ci-local is not installed in $npm_dir; run 'make deps'"
fi
echo "pipeline: $pipeline with gitlab-ci-local $("$gcl" --version) (node $(node --version))"

# A scratch project: the pipeline, and what its summary job runs.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
proj=$work/project
mkdir -p "$proj" "$work/home"
cp "$pipeline" "$proj/.gitlab-ci.yml"
cp -r "$SFAB_TOP/Makefile" "$SFAB_TOP/VERSION" "$SFAB_TOP/ci" "$proj/"
(
	cd "$proj"
	git init -q -b main
	git config user.name pipeline-check
	git config user.email pipeline-check@invalid
	git add -A
	git commit -qm scratch
	# gitlab-ci-local reads the project's path from the remote; none is
	# contacted.
	git remote add origin https://gitlab.invalid/sfab/kit.git
	git update-ref refs/remotes/origin/main HEAD
	git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
)

# gcl ARGS...: gitlab-ci-local in the scratch project, with a clean
# environment as on a runner (not this script's SFAB_TOP and SFAB_OUT) and
# no personal settings.
gcl() {
	(cd "$proj" && env -i PATH="$PATH" HOME="$work/home" LC_ALL=C.UTF-8 \
		"$gcl" --home "$work/home" "$@")
}

# 1. It parses, its jobs resolve (stages, needs, extends) and it passes
# GitLab's JSON schema of .gitlab-ci.yml.
if ! gcl --list-json >"$work/jobs.json" 2>"$work/validate.log"; then
	# its words, without its JavaScript stack
	grep -v '^    at ' "$work/validate.log" | sed 's/^/    | /' >&2
	die "$pipeline is not a valid GitLab pipeline: gitlab-ci-local's reason is above; fix the file"
fi
gcl --preview --no-json-schema-validation >"$work/preview.yml" 2>>"$work/validate.log"
echo "pipeline: parsed and schema-valid: $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).map(j => j.name).join(", "))' "$work/jobs.json")"

# 2. The structure the kit promises, on the expanded pipeline. Every
# problem is one "error: ..." line; the job scripts go to scripts/.
mkdir -p "$work/scripts"
node - "$npm_dir/node_modules/js-yaml" "$proj/.gitlab-ci.yml" "$work/preview.yml" \
	"$work/jobs.json" "$work/scripts" "$(targets_all | tr '\n' ' ')" <<'EOF' ||
const fs = require("fs");
const [yamlMod, rawFile, previewFile, jobsFile, scriptDir, targetList] = process.argv.slice(2);
const yaml = require(yamlMod);
const raw = yaml.load(fs.readFileSync(rawFile, "utf8")) || {};
const doc = yaml.load(fs.readFileSync(previewFile, "utf8")) || {};
const jobs = JSON.parse(fs.readFileSync(jobsFile, "utf8"));
const targets = targetList.split(" ").filter(Boolean);
const errors = [];
const err = (m) => errors.push(m);
const base = (name) => name.replace(/: \[.*\]$/, "");
const lines = (j) => [].concat(j.script || []).flat(Infinity).map(String);
const paths = (j) => (j.artifacts && j.artifacts.paths) || [];
const dflt = raw.default || {};

// one job per target, named by the matrix (target: [NAME])
const ran = jobs.map((j) => j.name).filter((n) => base(n) === "target").map((n) => n.slice(9, -1));
for (const t of targets)
	if (!ran.includes(t))
		err(`ci/targets has target ${t}, but the pipeline has no job 'target: [${t}]': add ${t} to the TARGET list of job target's parallel:matrix`);
for (const t of ran)
	if (!targets.includes(t))
		err(`the pipeline runs 'target: [${t}]', but ci/targets has no target ${t}: take it out of job target's matrix (or add the target to ci/targets)`);
const tj = doc.target;
if (!tj) err("the pipeline has no job 'target' (one job per target of ci/targets, TARGETS=\"$TARGET\" make check-target)");
else {
	const m = (tj.parallel && tj.parallel.matrix) || [];
	if (!m.length || m.some((row) => Object.keys(row).join() !== "TARGET"))
		err("job target's parallel:matrix must vary TARGET alone, one value per target of ci/targets");
	if (!lines(tj).some((l) => /\bTARGETS="?\$\{?TARGET\}?"? make check-target\b/.test(l)))
		err("job target does not run 'TARGETS=\"$TARGET\" make check-target': the per-target chain is the make target's, not the pipeline's");
	for (const p of ["out/results/", "out/logs/", "out/$TARGET/"])
		if (!paths(tj).includes(p)) err(`job target does not keep ${p} as an artifact: the summary and the reader need it`);
}
const uj = doc.upstream;
if (!uj) err("the pipeline has no job 'upstream' (make check-upstream: the upstream and kit gates)");
else {
	if (!lines(uj).some((l) => /^make check-upstream\b/.test(l))) err("job upstream does not run 'make check-upstream'");
	for (const p of ["out/results/", "out/logs/"])
		if (!paths(uj).includes(p)) err(`job upstream does not keep ${p} as an artifact: the summary needs it`);
}
for (const [n, j] of [["upstream", uj], ["target", tj]]) {
	if (!j) continue;
	if (lines(j)[0] !== "make deps") err(`job ${n} does not start with 'make deps' (the runner's host tools come from the kit)`);
	if (!j.artifacts || j.artifacts.when !== "always") err(`job ${n} keeps its artifacts only on success: set artifacts:when: always, a failed step's log is what is read`);
}

// the summary needs every other job, with its artifacts, and runs anyway
const sj = doc.summary;
const sl = jobs.find((j) => j.name === "summary");
if (!sj || !sl) err("the pipeline has no job 'summary' (make summary over every job's out/results)");
else {
	const needs = (sl.needs || []).map((n) => (typeof n === "string" ? { job: n } : n));
	for (const j of jobs) {
		if (j.name === "summary") continue;
		const n = needs.find((x) => x.job === j.name || x.job === base(j.name));
		if (!n) err(`job summary does not need job '${j.name}': add '- job: ${base(j.name)}' to its needs, or its results are left out of the summary`);
		else if (n.artifacts === false) err(`job summary needs '${n.job}' without its artifacts: set artifacts: true`);
	}
	if (sl.when !== "always") err(`job summary runs 'when: ${sl.when}': it must be 'when: always', so that a failed job's results are summed up too`);
	if (!lines(sj).some((l) => /^make summary\b/.test(l))) err("job summary does not run 'make summary'");
}

// every job: a timeout, the kit's runners, and its script for shellcheck
for (const j of jobs) {
	const def = doc[base(j.name)] || {};
	if (!def.timeout && !dflt.timeout) err(`job '${j.name}' has no timeout: set one (README.md, "GitLab CI", says how long each job takes)`);
	const tags = def.tags || raw[base(j.name)]?.tags || dflt.tags || [];
	if (!tags.includes("sfab")) err(`job '${j.name}' does not run on the kit's runners: give it (or default:) the tag sfab`);
	const file = `${scriptDir}/job-${base(j.name).replace(/[^A-Za-z0-9_.-]/g, "_")}.sh`;
	const body = [].concat(def.before_script || dflt.before_script || [], def.script || [], def.after_script || dflt.after_script || []).flat(Infinity);
	fs.writeFileSync(file, `#!/usr/bin/env bash\n# job ${base(j.name)} (GitLab runs it with bash, set -eo pipefail)\nset -eo pipefail\n${body.join("\n")}\n`);
}
for (const e of errors) console.log(`error: ${e}`);
process.exit(errors.length ? 1 : 0);
EOF
	die "$pipeline does not have the structure the kit promises (above); fix the pipeline or ci/targets"
echo "pipeline: one job per target of ci/targets ($(targets_all | paste -sd ' ')), upstream, summary needs them all"

# 3. The job scripts, as GitLab runs them.
if ! (cd "$work/scripts" && shellcheck -s bash ./*.sh); then
	die "the job scripts of $pipeline have shellcheck findings (above, by job); fix them in the pipeline"
fi

# 4. The summary job for real, with gitlab-ci-local's shell executor, on
# fixture results (one passed step per row; they are this check's, not a
# run's): all present; the last target missing; one step failed.
# summary_job WANT PATTERN WHY: runs the summary job; its outcome must be
# WANT (PASS or FAIL) and its output must match the extended regular
# expression PATTERN, or this check fails with its output and WHY.
summary_job() {
	local rc=0 got
	gcl --no-json-schema-validation --no-color summary >"$work/summary.log" 2>&1 || rc=$?
	got=PASS
	[ "$rc" -eq 0 ] || got=FAIL
	if [ "$got" != "$1" ] || ! grep -Eq "$2" "$work/summary.log"; then
		sed 's/^/    | /' "$work/summary.log" >&2
		die "the summary job of $pipeline, run by gitlab-ci-local (its output above), $3; fix its script"
	fi
	grep -Eo "$2" "$work/summary.log" | head -n 1
}
fixture() {
	rm -rf "$proj/out"
	local t
	for t in upstream:series kit:shellcheck $(targets_all | sed 's/$/:build/'); do
		mkdir -p "$proj/out/results/${t%%:*}"
		echo "pass 0 fixture of ci/pipeline-check.sh" >"$proj/out/results/${t%%:*}/${t#*:}"
	done
}
last=$(targets_all | tail -n 1)
fixture
seen=$(summary_job PASS "^summary > $last +.* pass 0s" \
	"did not pass, showing $last's result, on a full set of passed results")
echo "pipeline: summary job run: passed on every job's results: ${seen#summary > }"
fixture
rm -r "$proj/out/results/$last"
seen=$(summary_job FAIL "error:.*\\b$last\\b.*" "did not fail, naming $last, when $last recorded no result (a job that died)")
echo "pipeline: summary job run: failed when $last recorded nothing: $seen"
fixture
echo "fail 0 fixture of ci/pipeline-check.sh: a failed step" >"$proj/out/results/$last/build"
seen=$(summary_job FAIL "FAILED $last build.*" "did not fail when $last build failed (make summary's exit status must be the job's)")
echo "pipeline: summary job run: failed on a failed step: $seen"
echo "pipeline: ok"
