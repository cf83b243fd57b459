// multiudp: the load and the check for many routes at once (bench/many-routes.py), in one process each, so that a
// hundred cameras do not take a hundred spinning generators and three hundred receivers.
//   multiudp gen  -r RATE_PER_PORT -t SECONDS -s SIZE PORT...   paced sends to 127.0.0.1:PORT, round robin
//   multiudp recv -t SECONDS -i IDLE_MS -s SIZE PORT...         epoll over the ports; counts and latency
// A datagram is "MUDP" | u32 stream | u64 seq | u64 send time (CLOCK_MONOTONIC ns) | pattern byte i & 0xff.
// recv prints one JSON line: received, unique (per port, seq above the last), dup/reorder, corrupt, p50/p99/max us.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPORTS 2048
#define BATCH 32
#define LAT_BUCKETS 2000000

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int usage(void) {
    fprintf(stderr, "usage: multiudp gen -r RATE -t SECONDS -s SIZE PORT... | recv -t SECONDS -i IDLE_MS -s SIZE PORT...\n");
    return 2;
}

static int gen(int nports, int *ports, double rate, double seconds, int size) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct sockaddr_in *to = calloc(nports, sizeof *to);
    for (int i = 0; i < nports; i++) {
        to[i].sin_family = AF_INET;
        to[i].sin_port = htons(ports[i]);
        to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    unsigned char *buf = malloc(size);
    for (int i = 0; i < size; i++) buf[i] = i & 0xff;
    memcpy(buf, "MUDP", 4);
    uint64_t *seq = calloc(nports, sizeof *seq);
    double total_rate = rate * nports;
    uint64_t total = (uint64_t)(total_rate * seconds), sent = 0, errors = 0;
    uint64_t start = now_ns();
    for (uint64_t k = 0; k < total; k++) {
        uint64_t due = start + (uint64_t)(k * 1e9 / total_rate);
        uint64_t t = now_ns();
        if (due > t + 200000) { // sleep when more than 0.2 ms early; never spin for long
            struct timespec ts = {0, (long)(due - t - 100000)};
            nanosleep(&ts, 0);
        }
        int p = (int)(k % nports);
        uint32_t stream = (uint32_t)p;
        uint64_t s = seq[p]++, ns = now_ns();
        memcpy(buf + 4, &stream, 4);
        memcpy(buf + 8, &s, 8);
        memcpy(buf + 16, &ns, 8);
        if (sendto(fd, buf, size, 0, (struct sockaddr *)&to[p], sizeof to[p]) == size) sent++; else errors++;
    }
    printf("{\"sent\":%llu,\"send_errors\":%llu,\"seconds\":%.3f}\n", (unsigned long long)sent,
           (unsigned long long)errors, (now_ns() - start) / 1e9);
    return 0;
}

static uint32_t *lat;
static uint64_t lat_n;

static double pct(double p) {
    if (!lat_n) return -1;
    uint64_t want = (uint64_t)(p * lat_n), acc = 0;
    if (want >= lat_n) want = lat_n - 1;
    for (int i = 0; i < LAT_BUCKETS; i++) {
        acc += lat[i];
        if (acc > want) return i;
    }
    return LAT_BUCKETS;
}

static int recv_(int nports, int *ports, double seconds, int idle_ms, int size) {
    int ep = epoll_create1(0);
    int64_t *last = malloc(nports * sizeof *last);
    for (int i = 0; i < nports; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int rcvbuf = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(ports[i])};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        last[i] = -1;
        ports[i] = fd; // reuse: the fd of port i
    }
    fprintf(stderr, "multiudp recv listening on %d ports\n", nports);
    lat = calloc(LAT_BUCKETS, sizeof *lat);
    unsigned char *bufs = malloc((size_t)BATCH * 65536);
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int k = 0; k < BATCH; k++) {
        iov[k].iov_base = bufs + (size_t)k * 65536;
        iov[k].iov_len = 65536;
        memset(&msgs[k], 0, sizeof msgs[k]);
        msgs[k].msg_hdr.msg_iov = &iov[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
    }
    uint64_t got = 0, unique = 0, dup = 0, corrupt = 0, first = 0, lastt = 0;
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9);
    struct epoll_event evs[256];
    for (;;) {
        uint64_t t = now_ns();
        if (t > end || (first && t - lastt > (uint64_t)idle_ms * 1000000ull)) break;
        int n = epoll_wait(ep, evs, 256, 100);
        for (int e = 0; e < n; e++) {
            int i = (int)evs[e].data.u32;
            for (;;) {
                int m = recvmmsg(ports[i], msgs, BATCH, MSG_DONTWAIT, 0);
                if (m <= 0) break;
                uint64_t rt = now_ns();
                for (int k = 0; k < m; k++) {
                unsigned char *buf = bufs + (size_t)k * 65536;
                ssize_t len = msgs[k].msg_len;
                got++;
                if (!first) first = rt;
                lastt = rt;
                uint64_t s, ns;
                memcpy(&s, buf + 8, 8);
                memcpy(&ns, buf + 16, 8);
                int ok = len == size && memcmp(buf, "MUDP", 4) == 0;
                for (int j = 24; ok && j < len; j++) ok = buf[j] == (j & 0xff);
                if (!ok) { corrupt++; continue; } // (the next datagram of the batch)
                if ((int64_t)s > last[i]) { unique++; last[i] = (int64_t)s; } else dup++;
                uint64_t us = rt > ns ? (rt - ns) / 1000 : 0;
                if (us < LAT_BUCKETS) lat[us]++;
                lat_n++;
                }
                if (m < BATCH) break;
            }
        }
    }
    printf("{\"received\":%llu,\"unique\":%llu,\"dup_or_reorder\":%llu,\"corrupt\":%llu,\"lat_us_p50\":%.0f,"
           "\"lat_us_p99\":%.0f,\"lat_us_p999\":%.0f,\"lat_us_max\":%.0f}\n", (unsigned long long)got,
           (unsigned long long)unique, (unsigned long long)dup, (unsigned long long)corrupt, pct(0.5), pct(0.99),
           pct(0.999), pct(1.0));
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    int is_gen = strcmp(argv[1], "gen") == 0;
    if (!is_gen && strcmp(argv[1], "recv") != 0) return usage();
    double rate = 380, seconds = 30;
    int size = 1316, idle_ms = 3000, opt;
    optind = 2;
    while ((opt = getopt(argc, argv, "r:t:s:i:")) != -1) {
        switch (opt) {
        case 'r': rate = atof(optarg); break;
        case 't': seconds = atof(optarg); break;
        case 's': size = atoi(optarg); break;
        case 'i': idle_ms = atoi(optarg); break;
        default: return usage();
        }
    }
    int nports = argc - optind;
    if (nports < 1 || nports > MAXPORTS || size < 24 || size > 65507 || seconds > 3600) return usage();
    int *ports = malloc(nports * sizeof *ports);
    for (int i = 0; i < nports; i++) ports[i] = atoi(argv[optind + i]);
    return is_gen ? gen(nports, ports, rate, seconds, size) : recv_(nports, ports, seconds, idle_ms, size);
}
