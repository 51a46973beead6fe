// SPDX-License-Identifier: GPL-2.0
// Backport: up to 5.10 (changed between 5.10 and 6.1 in the kit's trees)
// one alloc_hw_stats op served the device's own counters (port 0) and
// its ports' counters; sfab has port counters only. Written in 5.10's
// types (u8 port_num): ib_port_num_u8.cocci narrows sfab's own port
// parameters.
// sfab-unless: HAVE_IB_ALLOC_HW_PORT_STATS
@fns@
identifier ops, fn;
@@
struct ib_device_ops ops = {
	...,
	.alloc_hw_port_stats = fn,
	...
};

@depends on fns@
identifier fns.ops, fns.fn;
fresh identifier w = "sfab_compat_" ## fn;
@@
+static struct rdma_hw_stats *w(struct ib_device *ibdev, u8 port_num)
+{
+	return port_num ? fn(ibdev, port_num) : NULL;
+}
+
 struct ib_device_ops ops = {
 	...,
-	.alloc_hw_port_stats = fn,
+	.alloc_hw_stats = w,
 	...
 };
