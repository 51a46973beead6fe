// SPDX-License-Identifier: GPL-2.0
// Backport: up to 6.1 (changed between 6.1 and 6.12 in the kit's trees)
// create_cq took the udata, not the uverbs attribute bundle. ib_core
// passed &attrs->driver_udata of the command's bundle for a user CQ and
// NULL for a kernel one, so the bundle is container_of() the udata.
// sfab-unless: HAVE_IB_CREATE_CQ_ATTRS
@fns@
identifier ops, fn;
@@
struct ib_device_ops ops = {
	...,
	.create_cq = fn,
	...
};

@depends on fns@
identifier fns.ops, fns.fn;
fresh identifier w = "sfab_compat_" ## fn;
@@
+static int w(struct ib_cq *cq, const struct ib_cq_init_attr *attr,
+	     struct ib_udata *udata)
+{
+	return fn(cq, attr, udata ? container_of(udata, struct uverbs_attr_bundle,
+						 driver_udata) : NULL);
+}
+
 struct ib_device_ops ops = {
 	...,
 	.create_cq =
-	fn
+	w
 	,
 	...
 };
