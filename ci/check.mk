# make check's steps as a dependency graph, run by ci/check.sh with
# make -j2: each step is the file of its result (out/results/TARGET/STEP,
# written by ci/step.sh, which always succeeds and records pass, fail or
# skip), its prerequisites the steps it needs. Two jobs at a time keep the
# two cores busy: a guest runs single-threaded TCG on one core while
# another target's chroot, build or packages, or a gate, uses the other.
#
# Goals: all (everything), targets (the per-target chains of $(TARGETS)),
# upstream (the upstream and kit gates). ci/check.sh empties
# out/results first, so every step runs (each reuses its caches).
SHELL := /bin/bash
.SUFFIXES:
.DELETE_ON_ERROR:
# Every result stays: make must not remove the steps in the middle.
.SECONDARY:

TOP := $(SFAB_TOP)
R := $(SFAB_OUT)/results
STEP := $(TOP)/ci/step.sh
# TARGETS: the targets of this run, newest last (ci/check.sh passes them).
newest := $(lastword $(TARGETS))
# The target whose chroot the rdma-core series builds in.
sid_like := $(lastword $(shell awk '!/^\#/ && NF { print $$1 }' $(TOP)/ci/targets))

# Newest first: its chain is the shortest (no vendor rdma-core set) and
# its guest runs the suites at full depth, the longest of all.
reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
vm_steps := $(foreach t,$(call reverse,$(TARGETS)),$(R)/$(t)/vm)
upstream_steps := $(addprefix $(R)/upstream/,series checkpatch series-check intree sparse coccicheck series-rdma-core)
kit_steps := $(addprefix $(R)/kit/,shellcheck pipeline dkms-tarball rpm hotfix-queue signing)

.PHONY: all targets upstream
# Order matters to make -j2: the first prerequisites start first. The
# guests take longest, so the targets' chains come first (each ends in its
# VM), newest first; the gates fill the gaps.
all: targets upstream
targets: $(vm_steps)
upstream: $(upstream_steps) $(kit_steps)

# --- per target ---------------------------------------------------------

$(R)/%/chroot:
	@$(STEP) $* chroot -- $(TOP)/ci/chroot.sh $*

$(R)/%/build: $(R)/%/chroot
	@$(STEP) $* build $*/chroot -- $(TOP)/ci/build.sh $*

$(R)/%/package: $(R)/%/chroot
	@$(STEP) $* package $*/chroot -- $(TOP)/distro/package.sh $*

$(R)/%/image: $(R)/%/build $(R)/%/package
	@$(STEP) $* image $*/build $*/package -- $(TOP)/validation/image.sh $*

# The newest hotfix of every release, built by the release's own tree and
# installed into an image of its own (hotfix/validate.sh --image), which
# the target's VM boots first (validation/run-vm.sh, SFAB_VM_HOTFIX).
$(R)/%/hotfix-image: $(R)/%/chroot $(R)/kit/hotfix-queue
	@$(STEP) $* hotfix-image $*/chroot kit/hotfix-queue -- $(TOP)/hotfix/validate.sh --image $*

# The guests come last, all of them after every image (order-only: a
# failed image does not hold the others' guests back). make -j2 starts
# queued steps first come, first served, so a guest started as soon as
# its image is ready holds a core for ten minutes while images behind it
# wait, and the last guest then runs alone. With the images done first,
# the four guests pair up on the two cores (newest first: sid's is the
# longest, next to bullseye's, the shortest), and the gates fill in.
images := $(foreach t,$(TARGETS),$(R)/$(t)/image $(R)/$(t)/hotfix-image)

$(R)/%/vm: $(R)/%/image $(R)/%/hotfix-image | $(images)
	@SFAB_VM_HOTFIX=check $(STEP) $* vm $*/image $*/hotfix-image -- $(TOP)/validation/run-vm.sh $*

# --- upstream gates -------------------------------------------------------

$(R)/upstream/series:
	@$(STEP) upstream series -- $(TOP)/ci/upstream-series.sh

$(R)/upstream/checkpatch: $(R)/upstream/series
	@$(STEP) upstream checkpatch upstream/series -- $(TOP)/ci/checkpatch.sh

# series-check builds the kernel.org tree in the one object directory
# that intree, sparse and coccicheck then reuse (ci/lib.sh intree_prepare).
$(R)/upstream/series-check: $(R)/upstream/series
	@$(STEP) upstream series-check upstream/series -- $(TOP)/ci/series-check.sh linux

$(R)/upstream/intree: | $(R)/upstream/series-check
	@$(STEP) upstream intree -- $(TOP)/ci/intree.sh

$(R)/upstream/sparse: $(R)/upstream/intree
	@$(STEP) upstream sparse upstream/intree -- $(TOP)/ci/sparse.sh

$(R)/upstream/coccicheck: | $(R)/upstream/intree
	@$(STEP) upstream coccicheck -- $(TOP)/ci/coccicheck.sh

$(R)/upstream/series-rdma-core: $(R)/upstream/series $(R)/$(sid_like)/chroot
	@$(STEP) upstream series-rdma-core upstream/series $(sid_like)/chroot -- $(TOP)/ci/series-check.sh rdma-core

# --- kit gates ------------------------------------------------------------

$(R)/kit/shellcheck:
	@$(STEP) kit shellcheck -- $(TOP)/ci/shellcheck.sh

$(R)/kit/pipeline:
	@$(STEP) kit pipeline -- $(TOP)/ci/pipeline-check.sh

$(R)/kit/dkms-tarball:
	@$(STEP) kit dkms-tarball -- $(TOP)/distro/dkms-tarball.sh

$(R)/kit/rpm:
	@$(STEP) kit rpm -- $(TOP)/distro/rpm.sh

$(R)/kit/hotfix-queue:
	@$(STEP) kit hotfix-queue -- $(TOP)/hotfix/check.sh

# Module signing, on the newest target's build.
$(R)/kit/signing: $(R)/$(newest)/build
	@$(STEP) kit signing $(newest)/build -- $(TOP)/ci/sign-check.sh $(newest)
