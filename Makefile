# sfab release kit: the one entry point. Each target calls one script;
# the logic lives in ci/, validation/ and backports/. TARGETS="sid trixie"
# limits the per-target steps.

.PHONY: all help deps chroots trees build rdma-core checkpatch intree sparse coccicheck \
	shellcheck lint vm validate bench check summary clean

all:		## build sfab for every target (the kit's main job)
	@ci/release.sh

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

rdma-core:	## build rdma-core with libsfab for each target, in its chroot
	@ci/each-target.sh rdma-core ci/rdma-core.sh

checkpatch:	## checkpatch --strict over the upstream series and files
	@ci/checkpatch.sh

intree:		## build upstream/linux in the kernel.org tree with make M=
	@ci/intree.sh

sparse:		## sparse (C=2) over sfab in the kernel.org tree
	@ci/sparse.sh

coccicheck:	## make coccicheck over sfab in the kernel.org tree
	@ci/coccicheck.sh

shellcheck:	## shellcheck over the kit's scripts
	@ci/shellcheck.sh

lint: checkpatch intree sparse coccicheck shellcheck	## every lint gate

vm:		## boot each target's kernel in QEMU and run the suites
	@ci/each-target.sh vm validation/run-vm.sh

validate:	## every suite, full depth, on every target (SFAB_VM_DEV=rxe|interop: other devices)
	@validation/validate.sh

bench:		## sfab vs rdma_rxe vs TCP in one guest per target: out/bench/TARGET.md (not a test)
	@validation/bench.sh

check:		## what CI runs: everything above, with a summary
	@ci/check.sh

summary:	## the summary table of the last run
	@ci/summary.sh

clean:		## remove out/ (caches under /var/cache/sfab stay)
	rm -rf out
