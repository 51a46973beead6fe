// SPDX-License-Identifier: GPL-2.0
// Backport: before v7.2 reg_user_mr took no DMA handle. ib_core passes
// NULL for it on every path of a device without alloc_dmah.
// sfab-unless: HAVE_IB_REG_USER_MR_DMAH
@fns@
identifier ops, fn;
@@
struct ib_device_ops ops = {
	...,
	.reg_user_mr = fn,
	...
};

@depends on fns@
identifier fns.ops, fns.fn;
fresh identifier w = "sfab_compat_" ## fn;
@@
+static struct ib_mr *w(struct ib_pd *pd, u64 start, u64 length, u64 iova,
+		       int access, struct ib_udata *udata)
+{
+	return fn(pd, start, length, iova, access, NULL, udata);
+}
+
 struct ib_device_ops ops = {
 	...,
 	.reg_user_mr =
-	fn
+	w
 	,
 	...
 };
