# sfab release kit: the one entry point. Each target calls one script;
# the logic lives in ci/, validation/ and backports/. TARGETS="sid trixie"
# limits the per-target steps.

.PHONY: all help deps chroots trees build rdma-core packages dkms-tarball rpm images \
	checkpatch intree sparse coccicheck shellcheck lint vm validate bench check summary \
	version clean delta-report release hotfix hotfix-patch hotfix-check upstream-series series-check \
	check-target check-upstream pipeline-check

all:		## every target's packages in out/TARGET/, the DKMS tarball and RPMs (the kit's main job)
	@ci/release.sh

delta-report:	## lines of the vendor delta (backports, diag/kernel, hotfixes) against upstream, per target
	@ci/delta-report.sh

version:	## the version this tree builds (VERSION and git)
	@ci/version.sh

release:	## cut release VERSION=x.y.z from HEAD: artifacts in out/release/x.y.z/, recorded, tagged
	@ci/cut-release.sh "$(VERSION)"

hotfix:		## hotfix packages of RELEASE=x.y.z for every target, validated in the VMs: out/hotfix/
	@hotfix/build.sh "$(RELEASE)"

hotfix-patch:	## carry upstream COMMIT=sha to RELEASE=x.y.z as its next hotfix patch
	@hotfix/new.sh "$(RELEASE)" "$(COMMIT)" $(HOTFIX_TARGETS)

hotfix-check:	## every hotfix queue carries upstream commits unchanged (upstream first)
	@hotfix/check.sh

help:		## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

deps:		## install the host tools the kit uses (Debian packages)
	@ci/deps.sh

chroots:	## build or reuse each target's chroot (compiler, headers, kernel)
	@ci/each-target.sh chroot ci/chroot.sh

trees:		## download and extract each target's kernel.org tree
	@ci/each-target.sh tree ci/kernel-tree.sh

build:		## build sfab.ko for each target, W=1, in its chroot
	@ci/each-target.sh build ci/build.sh

rdma-core:	## developer build of rdma-core with libsfab (for SFAB_VM_ROOT=dev)
	@ci/each-target.sh rdma-core ci/rdma-core.sh

packages:	## each target's Debian packages, manifest and SHA256SUMS in out/TARGET/
	@ci/each-target.sh package distro/package.sh

dkms-tarball:	## the DKMS source tarball in out/dkms/
	@distro/dkms-tarball.sh

rpm:		## the RPM family (SRPM, sfab-dkms, sfab-diag) and rpmlint in out/rpm/
	@distro/rpm.sh

images:		## each target's validation image: its suite with the packages installed
	@ci/each-target.sh image validation/image.sh

upstream-series:	## the upstream patch series and cover letters in out/upstream/{linux,rdma-core}/
	@ci/upstream-series.sh

series-check: upstream-series	## apply (b4 am, git am) and build the series patch by patch: W=1, sparse, rdma-core in its chroot
	@ci/series-check.sh

checkpatch: upstream-series	## checkpatch --strict over the exported series and the files
	@ci/checkpatch.sh

intree:		## build upstream/linux in the kernel.org tree with make M=
	@ci/intree.sh

sparse:		## sparse (C=2) over sfab in the kernel.org tree
	@ci/sparse.sh

coccicheck:	## make coccicheck over sfab in the kernel.org tree
	@ci/coccicheck.sh

shellcheck:	## shellcheck over the kit's scripts
	@ci/shellcheck.sh

pipeline-check:	## the GitLab pipeline (.gitlab-ci.yml) checked with gitlab-ci-local, against ci/targets
	@ci/pipeline-check.sh

lint: checkpatch series-check intree sparse coccicheck shellcheck	## every lint gate

vm:		## boot each target's package image in QEMU and run the suites (SFAB_VM_ROOT=dev: the developer build)
	@ci/each-target.sh vm validation/run-vm.sh

validate:	## every suite, full depth, on every target (SFAB_VM_DEV=rxe|interop: other devices)
	@validation/validate.sh

bench:		## sfab vs rdma_rxe vs TCP in one guest per target: out/bench/TARGET.md (not a test)
	@validation/bench.sh

check:		## what CI runs: everything above, with a summary (ci/check.mk: a graph, two steps at a time)
	@ci/check.sh all

check-target:	## make check's per-target chains only (TARGETS=...): chroot, build, packages, images, the VM
	@ci/check.sh targets

check-upstream:	## make check's upstream and kit gates only
	@ci/check.sh upstream

summary:	## the summary table of the last run
	@ci/summary.sh

clean:		## remove out/ (caches under /var/cache/sfab stay)
	rm -rf out
