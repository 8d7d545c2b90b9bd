/* SPDX-License-Identifier: Apache-2.0 */
/* Status codes shared by every fallible yoloq call.
 *
 *     enum yq_status st = yq_model_load_file("m.yqm", NULL, &model, err, sizeof err);
 *     if (st) fprintf(stderr, "%s: %s\n", yq_status_str(st), err);
 *
 * Codes are coarse and stable; the detail is in the caller's error buffer. */
#ifndef YOLOQ_STATUS_H
#define YOLOQ_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(YQ_BUILDING) && defined(__GNUC__)
#define YQ_API __attribute__((visibility("default")))
#else
#define YQ_API
#endif

/* X(name, value, text) */
#define YQ_STATUS_MAP(X)                                                                           \
    X(OK, 0, "ok")                                                                                 \
    X(INVALID_ARGUMENT, 1, "invalid argument")                                                     \
    X(OUT_OF_MEMORY, 2, "out of memory")                                                           \
    X(IO, 3, "i/o error")                                                                          \
    X(BAD_MODEL, 4, "bad model")                                                                   \
    X(UNSUPPORTED, 5, "unsupported")                                                               \
    X(NO_CPU_SUPPORT, 6, "no cpu support")                                                         \
    X(BAD_STATE, 7, "bad state")                                                                   \
    X(CLOSED, 8, "closed")                                                                         \
    X(BAD_INPUT, 9, "bad input")

enum yq_status {
#define YQ_STATUS_ENUM(name, value, text) YQ_STATUS_##name = value,
    YQ_STATUS_MAP(YQ_STATUS_ENUM)
#undef YQ_STATUS_ENUM
        YQ_STATUS_COUNT
};

/* Short English text for a status; never NULL. Any thread. */
YQ_API const char *yq_status_str(enum yq_status status);

#ifdef __cplusplus
}
#endif
#endif
