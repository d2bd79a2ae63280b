/*
 * c-udp-server: UDP echo with recvmmsg / sendmmsg, the practical limit the JVM
 * UDP servers are compared against.
 *
 *   c-udp-server <port> [echo] [threads]
 *
 * Binds 127.0.0.1:<port> (one SO_REUSEPORT socket per thread, default 1
 * thread), prints "READY <port>" and serves until killed. Each thread blocks
 * in recvmmsg for up to BATCH datagrams (MSG_WAITFORONE: it returns as soon as
 * one has come) and sends them all back to their senders with one sendmmsg.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define DGRAM_MAX 65536

static int port;

static int open_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1, buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("bind");
        exit(1);
    }
    return fd;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    static __thread char bufs[BATCH][DGRAM_MAX];
    struct sockaddr_storage peers[BATCH];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = DGRAM_MAX};
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &peers[i];
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("recvmmsg");
            return NULL;
        }
        for (int i = 0; i < n; i++)
            iov[i].iov_len = msgs[i].msg_len; /* echo exactly what came */
        int done = 0;
        while (done < n) {
            int s = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (s < 0) {
                if (errno == EINTR)
                    continue;
                break; /* e.g. a peer gone (ECONNREFUSED): drop the rest of this batch */
            }
            done += s;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4 || (argc > 2 && strcmp(argv[2], "echo"))) {
        fprintf(stderr, "usage: %s <port> [echo] [threads]\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    if (port <= 0 || port > 65535 || threads < 1 || threads > 64) {
        fprintf(stderr, "bad port or thread count\n");
        return 2;
    }
    pthread_t t[64];
    for (int i = 0; i < threads; i++) {
        int fd = open_socket();
        if (pthread_create(&t[i], NULL, serve, (void *)(long)fd) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    printf("READY %d\n", port);
    fflush(stdout);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return 0;
}
