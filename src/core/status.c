/* SPDX-License-Identifier: Apache-2.0 */
/* yq_status_str, generated from the one status table. */
#include "yoloq/status.h"

const char *yq_status_str(enum yq_status status)
{
    switch (status) {
#define YQ_STATUS_CASE(name, value, text)                                                          \
    case YQ_STATUS_##name:                                                                         \
        return text;
        YQ_STATUS_MAP(YQ_STATUS_CASE)
#undef YQ_STATUS_CASE
    default:
        return "unknown status";
    }
}
