/* SPDX-License-Identifier: Apache-2.0 */
/* The IR's structure functions (src/ir/graph.c) on graphs built through the IR API:
 * toposort gives a valid order that keeps the given order where it can (checked on a hand
 * case and 200 random DAGs in random order), refuses cycles and missing tensors with a
 * message naming the node; index counts producers/consumers and refuses a tensor produced
 * twice; compact drops dead nodes and orphaned tensors and renumbers every reference
 * (inputs, outputs, name lookup) consistently; allocation failures are clean. */
#include "harness.h"

#include <string.h>

#include "ops/opstest.h"

static int node_named(const struct yq__graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!strcmp(g->nodes[i].name, name)) return i;
    return -1;
}

static int add1(struct yq__graph *g, const char *name, enum yq__op op, int a, int b, int out)
{
    int in[2] = {a, b};
    return yq__graph_add_node(g, name, op, b >= 0 ? 2 : 1, in, 1, &out);
}

/* Every node input is a graph input, a constant or produced by an earlier node. */
static bool is_topological(const struct yq__graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++) {
            int t = g->nodes[i].in[j];
            if (t < 0 || g->tensors[t].data || g->tensors[t].is_input) continue;
            int p = -1;
            for (int k = 0; k < g->n_nodes && p < 0; k++)
                for (int o = 0; o < g->nodes[k].n_out; o++)
                    if (g->nodes[k].out[o] == t) p = k;
            if (p < 0 || p >= i) return false;
        }
    return true;
}

static void test_hand_case(void)
{
    struct yq__graph *g = NULL;
    char err[256];
    struct yq__err e = {err, sizeof err};
    CHECK(yq__graph_create("hand.onnx", &g) == YQ_STATUS_OK);
    int x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(1, 4), YQ__LAYOUT_PLAIN);
    int a = ot_tensor(g, "a"), b = ot_tensor(g, "b"), d = ot_tensor(g, "d");
    int y = ot_tensor(g, "y"), z = ot_output(g, "z");
    /* added out of order: E, C, D, B, A */
    add1(g, "E", YQ__OP_ADD, y, d, z);
    add1(g, "C", YQ__OP_ADD, a, b, y);
    add1(g, "D", YQ__OP_NEG, x, -1, d);
    add1(g, "B", YQ__OP_SIGMOID, a, -1, b);
    add1(g, "A", YQ__OP_RELU, x, -1, a);
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "'E'") &&
          strstr(err, "'y'"));
    CHECK(yq__graph_toposort(g, &e) == YQ_STATUS_OK);
    /* stable Kahn: the first ready node in the current order each time */
    static const char *const want[] = {"D", "A", "B", "C", "E"};
    bool order = g->n_nodes == 5;
    for (int i = 0; order && i < 5; i++)
        order = !strcmp(g->nodes[i].name, want[i]);
    CHECKF(order, "order %s %s %s %s %s", g->nodes[0].name, g->nodes[1].name, g->nodes[2].name,
           g->nodes[3].name, g->nodes[4].name);
    CHECK(is_topological(g));
    /* index after sorting: producers and consumer counts */
    CHECK(g->tensors[x].is_input && g->tensors[x].producer == -1 && g->tensors[x].n_consumers == 2);
    CHECK(g->tensors[a].producer == node_named(g, "A") && g->tensors[a].n_consumers == 2);
    CHECK(g->tensors[z].is_output && g->tensors[z].producer == 4 && g->tensors[z].n_consumers == 0);
    /* already sorted: unchanged */
    CHECK(yq__graph_toposort(g, &e) == YQ_STATUS_OK && !strcmp(g->nodes[0].name, "D") &&
          !strcmp(g->nodes[4].name, "E"));

    /* allocation failure while sorting: a clean error, the graph still usable */
    int oom = 0;
    for (long i = 0; i < 10; i++) {
        yq__alloc_fail_countdown = i;
        enum yq_status st = yq__graph_toposort(g, &e);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK) break;
        CHECK(st == YQ_STATUS_OUT_OF_MEMORY && strstr(err, "hand.onnx"));
        oom++;
    }
    CHECK(oom == 3 && g->n_nodes == 5 && is_topological(g));

    /* compact: kill B, rewire its consumer C to read d instead */
    g->nodes[node_named(g, "B")].dead = true;
    g->nodes[node_named(g, "C")].in[1] = d; /* C = a + d now */
    int orphan = ot_tensor(g, "orphan");
    (void)orphan;
    int before_tensors = g->n_tensors;
    CHECK(yq__graph_compact(g, &e) == YQ_STATUS_OK);
    CHECK(g->n_nodes == 4 && node_named(g, "B") < 0);
    CHECK(g->n_tensors == before_tensors - 2); /* b and orphan gone */
    CHECK(yq__graph_find(g, "b") < 0 && yq__graph_find(g, "orphan") < 0);
    /* every reference renumbered: names still line up */
    int c = node_named(g, "C");
    CHECK(c >= 0 && !strcmp(g->tensors[g->nodes[c].in[0]].name, "a") &&
          !strcmp(g->tensors[g->nodes[c].in[1]].name, "d") &&
          !strcmp(g->tensors[g->nodes[c].out[0]].name, "y"));
    CHECK(g->n_inputs == 1 && !strcmp(g->tensors[g->inputs[0]].name, "x"));
    CHECK(g->n_outputs == 1 && !strcmp(g->tensors[g->outputs[0]].name, "z"));
    CHECK(yq__graph_find(g, "z") == g->outputs[0] && yq__graph_find(g, "x") == g->inputs[0]);
    CHECK(g->tensors[yq__graph_find(g, "d")].n_consumers == 2 && is_topological(g));
    yq__graph_free(g);
}

static void test_errors(void)
{
    char err[256];
    struct yq__err e = {err, sizeof err};
    struct yq__graph *g = NULL;
    /* a cycle */
    CHECK(yq__graph_create("cycle.onnx", &g) == YQ_STATUS_OK);
    int x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(4), YQ__LAYOUT_PLAIN);
    int a = ot_tensor(g, "a"), b = ot_tensor(g, "b"), y = ot_output(g, "y");
    add1(g, "P", YQ__OP_ADD, x, b, a);
    add1(g, "Q", YQ__OP_RELU, a, -1, b);
    add1(g, "R", YQ__OP_RELU, x, -1, y);
    CHECK(yq__graph_toposort(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "cycle.onnx") &&
          strstr(err, "'P'") && !strchr(err, '\n'));
    yq__graph_free(g);
    /* a tensor nobody produces */
    CHECK(yq__graph_create("missing.onnx", &g) == YQ_STATUS_OK);
    x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(4), YQ__LAYOUT_PLAIN);
    int ghost = ot_tensor(g, "ghost");
    y = ot_output(g, "y");
    add1(g, "S", YQ__OP_ADD, x, ghost, y);
    CHECK(yq__graph_toposort(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "'S'"));
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "'ghost'"));
    yq__graph_free(g);
    /* a tensor produced twice, and an output never produced */
    CHECK(yq__graph_create("twice.onnx", &g) == YQ_STATUS_OK);
    x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(4), YQ__LAYOUT_PLAIN);
    y = ot_output(g, "y");
    add1(g, "T1", YQ__OP_RELU, x, -1, y);
    add1(g, "T2", YQ__OP_NEG, x, -1, y);
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "'T2'") &&
          strstr(err, "already defined"));
    yq__graph_free(g);
    CHECK(yq__graph_create("noout.onnx", &g) == YQ_STATUS_OK);
    x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(4), YQ__LAYOUT_PLAIN);
    ot_output(g, "never");
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_BAD_MODEL && strstr(err, "'never'"));
    yq__graph_free(g);
}

/* Random DAGs: node i reads x or outputs of random earlier nodes; inserted in a random
 * order. Sorting gives a topological permutation of the same nodes; sorting a graph that is
 * already in order keeps it. Compacting after killing a random suffix-closed set (nodes no
 * live node reads) keeps the survivors valid. */
static void test_random(void)
{
    char err[256];
    struct yq__err e = {err, sizeof err};
    int failures = 0;
    for (int it = 0; it < 200 && failures < 3; it++) {
        int n = yq_test_randint(1, 40);
        struct yq__graph *g = NULL;
        yq__graph_create("random.onnx", &g);
        int x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(4), YQ__LAYOUT_PLAIN);
        int out[40], perm[40];
        char name[32];
        for (int i = 0; i < n; i++) {
            snprintf(name, sizeof name, "t%d", i);
            out[i] = ot_tensor(g, name);
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = yq_test_randint(0, i), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int k = 0; k < n; k++) {
            int i = perm[k];
            int a = i ? out[yq_test_randint(0, i - 1)] : x;
            int b = i && yq_test_randint(0, 1) ? out[yq_test_randint(0, i - 1)] : x;
            snprintf(name, sizeof name, "n%d", i);
            add1(g, name, YQ__OP_ADD, a, b, out[i]);
        }
        ot_push(&g->outputs, &g->n_outputs, out[n - 1]);
        bool ok = yq__graph_toposort(g, &e) == YQ_STATUS_OK && g->n_nodes == n &&
                  is_topological(g);
        bool seen[40] = {0};
        for (int i = 0; ok && i < n; i++) {
            int v = atoi(g->nodes[i].name + 1);
            ok = v >= 0 && v < n && !seen[v];
            seen[v] = true;
        }
        /* sorted again: the same order */
        char first[32], last[32];
        snprintf(first, sizeof first, "%s", ok ? g->nodes[0].name : "");
        snprintf(last, sizeof last, "%s", ok ? g->nodes[n - 1].name : "");
        ok = ok && yq__graph_toposort(g, &e) == YQ_STATUS_OK &&
             !strcmp(first, g->nodes[0].name) && !strcmp(last, g->nodes[n - 1].name);
        /* kill every node nothing live reads except the output's producer, compact */
        int killed = 0;
        for (int i = 0; ok && i < g->n_nodes; i++) {
            int t = g->nodes[i].out[0];
            if (g->tensors[t].n_consumers == 0 && !g->tensors[t].is_output) {
                g->nodes[i].dead = true;
                killed++;
            }
        }
        ok = ok && yq__graph_compact(g, &e) == YQ_STATUS_OK && g->n_nodes == n - killed &&
             is_topological(g);
        /* the output still names t<n-1>, produced by n<n-1> */
        snprintf(name, sizeof name, "t%d", n - 1);
        int p = ok ? g->tensors[g->outputs[0]].producer : -1;
        ok = ok && !strcmp(g->tensors[g->outputs[0]].name, name) && p >= 0 &&
             atoi(g->nodes[p].name + 1) == n - 1 && yq__graph_find(g, name) == g->outputs[0];
        CHECKF(ok, "random DAG %d (%d nodes): %s", it, n, err);
        failures += !ok;
        yq__graph_free(g);
    }
}

int main(void)
{
    test_hand_case();
    test_errors();
    test_random();
    return yq_test_finish();
}
