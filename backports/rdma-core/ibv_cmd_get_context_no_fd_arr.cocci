// SPDX-License-Identifier: GPL-2.0
// Backport: before rdma-core v57, ibv_cmd_get_context() took no
// struct ibv_fd_arr argument.
@@
expression ctx, cmd, cmd_size, resp, resp_size;
@@
 ibv_cmd_get_context(ctx, cmd, cmd_size,
-                    NULL,
                     resp, resp_size)
