// idealgso: a yardstick replicator with UDP GSO. One thread: recvmmsg a batch (as ../shared/bench/idealrelay.c
// does), then, for each destination, one sendmsg per run of equal-size datagrams (the last of a run may be
// shorter), with UDP_SEGMENT so the kernel cuts the run into datagrams; a datagram alone goes as a plain sendmsg.
// No features, no safety: a yardstick only. Compiled by bench/relay-rates.sh like relaybench compiles its tools:
//   gcc -O2 -Wall -o ~/.cache/relaybench/bin/idealgso bench/yardsticks/idealgso.c
// Usage: idealgso LISTEN_PORT HOST:PORT...
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define BATCH 64
#define MAXLEN 65536
#define MAXOUT 64
#define MAX_SEGMENTS 64       // UDP_MAX_SEGMENTS
#define MAX_RUN_BYTES 65000   // what fits in one IP packet before segmentation
#define MAX_SEGMENT 1452      // as streamtee's gso: auto; a larger datagram goes alone

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: idealgso LISTEN_PORT HOST:PORT...\n"); return 2; }
    int in = socket(AF_INET, SOCK_DGRAM, 0);
    int rcvbuf = 8 << 20;
    setsockopt(in, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    if (bind(in, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    int nout = argc - 2;
    if (nout > MAXOUT) nout = MAXOUT;
    struct sockaddr_in dst[MAXOUT];
    for (int i = 0; i < nout; i++) {
        char host[256];
        strncpy(host, argv[i + 2], sizeof host - 1);
        host[255] = 0;
        char *c = strrchr(host, ':');
        if (!c) { fprintf(stderr, "bad destination %s\n", argv[i + 2]); return 2; }
        *c = 0;
        dst[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(atoi(c + 1))};
        inet_pton(AF_INET, host, &dst[i].sin_addr);
    }
    int out = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 8 << 20;
    setsockopt(out, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
    char *bufs = malloc((size_t)BATCH * MAXLEN);
    struct mmsghdr rx[BATCH];
    struct iovec riov[BATCH], tiov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        riov[i].iov_base = bufs + (size_t)i * MAXLEN;
        riov[i].iov_len = MAXLEN;
        memset(&rx[i], 0, sizeof rx[i]);
        rx[i].msg_hdr.msg_iov = &riov[i];
        rx[i].msg_hdr.msg_iovlen = 1;
    }
    char control[CMSG_SPACE(sizeof(uint16_t))];
    for (;;) {
        int n = recvmmsg(in, rx, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) continue;
        int i = 0;
        while (i < n) {
            // the run that starts at i: equal sizes, optionally closed by one shorter datagram
            int size = rx[i].msg_len;
            int j = i + 1, bytes = size;
            if (size > 0 && size <= MAX_SEGMENT) {
                while (j < n && j - i < MAX_SEGMENTS && bytes + size <= MAX_RUN_BYTES && (int)rx[j].msg_len == size) {
                    bytes += size;
                    j++;
                }
                if (j < n && j - i < MAX_SEGMENTS && (int)rx[j].msg_len > 0 && (int)rx[j].msg_len < size
                        && bytes + (int)rx[j].msg_len <= MAX_RUN_BYTES) {
                    bytes += rx[j].msg_len;
                    j++;
                }
            }
            for (int k = i; k < j; k++) {
                tiov[k - i].iov_base = riov[k].iov_base;
                tiov[k - i].iov_len = rx[k].msg_len;
            }
            for (int d = 0; d < nout; d++) {
                struct msghdr m = {.msg_name = &dst[d], .msg_namelen = sizeof dst[d], .msg_iov = tiov,
                                   .msg_iovlen = j - i};
                if (j - i > 1) {
                    m.msg_control = control;
                    m.msg_controllen = sizeof control;
                    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                    cm->cmsg_level = SOL_UDP;
                    cm->cmsg_type = UDP_SEGMENT;
                    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                    *(uint16_t *)CMSG_DATA(cm) = (uint16_t)size;
                }
                sendmsg(out, &m, 0);
            }
            i = j;
        }
    }
}
