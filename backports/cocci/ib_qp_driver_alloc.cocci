// SPDX-License-Identifier: GPL-2.0
// Backport: up to 5.10 (changed between 5.10 and 6.1 in the kit's trees)
// the driver allocated struct ib_qp: create_qp returned it and
// destroy_qp freed it. The wrappers do both around sfab's functions
// (sfab_compat_create_qp/destroy_qp in sfab_compat.h).
// sfab-unless: HAVE_IB_QP_CORE_ALLOC
@size@
identifier ops, T, m;
symbol ib_qp;
@@
struct ib_device_ops ops = {
	...,
-	INIT_RDMA_OBJ_SIZE(ib_qp, T, m),
	...
};

@fns@
identifier size.ops, cfn, dfn;
@@
struct ib_device_ops ops = {
	...,
	.create_qp = cfn,
	...,
	.destroy_qp = dfn,
	...
};

@wrap depends on fns@
identifier size.ops, fns.cfn, fns.dfn, size.T, size.m;
fresh identifier cwrap = "sfab_compat_" ## cfn;
fresh identifier dwrap = "sfab_compat_" ## dfn;
@@
+static struct ib_qp *cwrap(struct ib_pd *pd, struct ib_qp_init_attr *init,
+			   struct ib_udata *udata)
+{
+	BUILD_BUG_ON(offsetof(struct T, m));
+	return sfab_compat_create_qp(pd, init, udata, sizeof(struct T), cfn);
+}
+
+static int dwrap(struct ib_qp *qp, struct ib_udata *udata)
+{
+	return sfab_compat_destroy_qp(qp, udata, dfn);
+}
+
 struct ib_device_ops ops = {
 	...,
 	.create_qp =
-	cfn
+	cwrap
 	,
 	...,
 	.destroy_qp =
-	dfn
+	dwrap
 	,
 	...
 };
