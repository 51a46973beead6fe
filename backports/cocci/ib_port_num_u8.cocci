// SPDX-License-Identifier: GPL-2.0
// Backport: before v5.13, ib_device_ops took the port number as u8.
// sfab-unless: HAVE_IB_PORT_NUM_U32
// The prototypes in sfab.h must change with their definitions:
#spatch --include-headers
@@
identifier fn;
@@
 fn(...,
-   u32 port_num
+   u8 port_num
    , ...)
 {
 ...
 }

@@
identifier fn;
type T;
@@
 T fn(...,
-   u32 port_num
+   u8 port_num
    , ...);
