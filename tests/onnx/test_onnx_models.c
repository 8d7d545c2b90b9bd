/* SPDX-License-Identifier: Apache-2.0 */
/* Every real YOLO export in ../shared/data/models imports: node count = ONNX nodes minus
 * Constant nodes (counted with python3-onnx 1.12) minus the shape-computing nodes import
 * folds into constants (yolov8n-random: 6 of its Shape/Gather/Div/Slice/Sub nodes), inputs,
 * outputs, metadata, and — when shape inference is built in — a shape on every tensor.
 * Skips without the shared data. */
#include <string.h>

#include "harness.h"
#include "onnx/onnx.h"

struct model {
    const char *file;
    int nodes;  /* ONNX nodes minus Constant nodes */
    int folded; /* after import's constant folding */
    int opset;
    const char *input;
    int64_t size; /* square input side */
    int n_outputs;
    const char *meta; /* a metadata key that must be present, or NULL */
};

static const struct model models[] = {
    {"fastestdet.onnx", 211, 211, 11, "input.1", 352, 1, NULL},
    {"yolov5n.onnx", 264 - 28, 236, 12, "images", 640, 1, "names"},
    {"yolov5n-rawhead.onnx", 203 - 4, 199, 12, "images", 640, 3, "names"},
    {"yolov5n-rawhead-sigmoid.onnx", 206 - 4, 202, 12, "images", 640, 3, "stride"},
    {"yolov5s-random-rawhead.onnx", 203 - 4, 199, 12, "images", 640, 3, "description"},
    {"yolov8n-random.onnx", 259 - 19, 234, 12, "images", 640, 1, "imgsz"},
    {"yolov8n-random-rawhead.onnx", 216 - 4, 212, 12, "images", 640, 3, "task"},
    {"yolox_nano.onnx", 369, 369, 11, "images", 416, 1, NULL},
};

int main(void)
{
    char path[1024], msg[512];
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        const struct model *m = &models[i];
        char rel[256];
        snprintf(rel, sizeof rel, "models/%s", m->file);
        if (!yq_test_shared(path, sizeof path, rel)) {
            SKIP("%s: shared data absent", m->file);
            continue;
        }
        struct yq__graph *g = NULL;
        struct yq__err e = {msg, sizeof msg};
        msg[0] = '\0';
        enum yq_status st = yq__onnx_import_file(path, &g, &e);
        CHECKF(st == YQ_STATUS_OK, "%s: %s: %s", m->file, yq_status_str(st), msg);
        if (st) continue;
#ifndef YQ_ONNX_NO_INFER
        CHECKF(g->n_nodes == m->folded, "%s: %d nodes, want %d", m->file, g->n_nodes, m->folded);
#else
        CHECKF(g->n_nodes == m->nodes, "%s: %d nodes, want %d", m->file, g->n_nodes, m->nodes);
#endif
        CHECKF(g->opset == m->opset, "%s: opset %d", m->file, g->opset);
        CHECK(g->n_inputs == 1 && g->n_outputs == m->n_outputs);
        const struct yq__tensor *in = &g->tensors[g->inputs[0]];
        struct yq__shape want = {4, {1, 3, m->size, m->size}};
        CHECKF(strcmp(in->name, m->input) == 0 && yq__shape_eq(&in->shape, &want), "%s: input %s",
               m->file, in->name);
        CHECKF(!m->meta || yq__graph_meta(g, m->meta), "%s: meta %s", m->file, m->meta);
        CHECK(yq__graph_meta(g, "onnx.producer") &&
              strcmp(yq__graph_meta(g, "onnx.producer"), "pytorch") == 0);
        int constants = 0;
        for (int n = 0; n < g->n_nodes; n++)
            constants += g->nodes[n].op == YQ__OP_CONSTANT;
        CHECKF(constants == 0, "%s: %d Constant nodes left", m->file, constants);
#ifndef YQ_ONNX_NO_INFER
        int unshaped = 0;
        for (int t = 0; t < g->n_tensors; t++)
            if (g->tensors[t].producer >= 0 && g->tensors[t].shape.rank == 0) unshaped++;
        CHECKF(unshaped == 0, "%s: %d node outputs without a shape", m->file, unshaped);
#endif
        if (strcmp(m->file, "yolov5n.onnx") == 0) {
            const char *names = yq__graph_meta(g, "names");
            CHECK(names && strstr(names, "'person'"));
            CHECK(yq__graph_meta(g, "stride") && strcmp(yq__graph_meta(g, "stride"), "32") == 0);
        }
        yq__graph_free(g);
    }
    return yq_test_finish();
}
