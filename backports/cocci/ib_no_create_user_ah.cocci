// SPDX-License-Identifier: GPL-2.0
// Backport: up to 5.10 (changed between 5.10 and 6.1 in the kit's trees)
// there was no create_user_ah: create_ah got kernel and user AHs alike,
// with the udata. sfab serves both with one function.
// sfab-unless: HAVE_IB_CREATE_USER_AH
@@
identifier ops, fn;
@@
struct ib_device_ops ops = {
	...,
	.create_ah = fn,
	...,
-	.create_user_ah = fn,
	...
};
