/*
 * c-epoll-server: edge-triggered epoll echo / HTTP hello server, the
 * practical limit the JVM servers are compared against.
 *
 *   c-epoll-server <port> [echo|http] [threads]
 *
 * Binds 127.0.0.1:<port> (one SO_REUSEPORT listener per thread, default 1
 * thread), prints "READY <port>" and serves until killed.
 *
 * Memory per idle connection is a small struct: buffers are only allocated
 * while a connection has unsent output (the peer reads slower than it writes).
 *
 * HTTP: a request ends at "\r\n\r\n" (requests carry no body); each one gets
 * the same fixed 200 response with "Hello, World!". Keep-alive always,
 * pipelined requests answered in order with one write per read batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Content-Length: 13\r\n"
                               "\r\n"
                               "Hello, World!";
#define RESPONSE_LEN (sizeof RESPONSE - 1)

#define READ_BUF (64 * 1024)

static int http_mode;
static int port;

struct conn {
    int fd;
    int http_state; /* how much of "\r\n\r\n" the last bytes matched */
    char *out;      /* unsent output, NULL when none */
    size_t out_len, out_off;
};

struct worker {
    int lfd;
    int epfd;
    char *rbuf;
    char *wbuf;     /* http: responses for one read */
    size_t wbuf_cap;
};

/* The end-of-request matcher shared (as logic) with the Java servers: feed
 * bytes, count how many times "\r\n\r\n" completes. State survives across reads. */
static size_t count_requests(int *state, const char *p, size_t n)
{
    size_t count = 0;
    int s = *state;
    for (size_t i = 0; i < n; i++) {
        char b = p[i];
        if (b == '\r')
            s = (s == 2) ? 3 : 1;
        else if (b == '\n') {
            if (s == 1)
                s = 2;
            else if (s == 3) {
                count++;
                s = 0;
            } else
                s = 0;
        } else
            s = 0;
    }
    *state = s;
    return count;
}

static void close_conn(struct conn *c)
{
    close(c->fd);
    free(c->out);
    free(c);
}

/* Writes buf; keeps what the socket did not take. Returns -1 on error,
 * 1 if output is now pending, 0 if all was written. */
static int send_or_keep(struct conn *c, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        off += (size_t)w;
    }
    if (off == len)
        return 0;
    c->out = malloc(len - off);
    if (!c->out)
        return -1;
    memcpy(c->out, buf + off, len - off);
    c->out_len = len - off;
    c->out_off = 0;
    return 1;
}

/* Flushes pending output. Returns -1 on error, 1 if some still pends, 0 if drained. */
static int flush_pending(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 1;
            return -1;
        }
        c->out_off += (size_t)w;
    }
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = 0;
    return 0;
}

/* Reads until EAGAIN (edge-triggered) unless output backs up; then reading
 * resumes when EPOLLOUT drains it. Returns -1 when the connection is done. */
static int serve(struct worker *w, struct conn *c)
{
    if (c->out) {
        int r = flush_pending(c);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    for (;;) {
        ssize_t n = recv(c->fd, w->rbuf, READ_BUF, 0);
        if (n == 0)
            return -1;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        int r;
        if (!http_mode) {
            r = send_or_keep(c, w->rbuf, (size_t)n);
        } else {
            size_t k = count_requests(&c->http_state, w->rbuf, (size_t)n);
            if (k == 0)
                continue;
            size_t need = k * RESPONSE_LEN;
            if (need > w->wbuf_cap) {
                size_t cap = w->wbuf_cap;
                while (cap < need)
                    cap *= 2;
                char *nb = realloc(w->wbuf, cap);
                if (!nb)
                    return -1;
                w->wbuf = nb;
                w->wbuf_cap = cap;
            }
            for (size_t i = 0; i < k; i++)
                memcpy(w->wbuf + i * RESPONSE_LEN, RESPONSE, RESPONSE_LEN);
            r = send_or_keep(c, w->wbuf, need);
        }
        if (r < 0)
            return -1;
        if (r > 0)
            return 0; /* wait for EPOLLOUT before reading more */
    }
}

static void accept_all(struct worker *w)
{
    for (;;) {
        int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                perror("accept4");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close_conn(c);
            continue;
        }
    }
}

static int make_listener(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("bind");
        exit(1);
    }
    if (listen(fd, 1024) < 0) {
        perror("listen");
        exit(1);
    }
    return fd;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(w->epfd, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) {
                accept_all(w);
                continue;
            }
            struct conn *c = evs[i].data.ptr;
            uint32_t e = evs[i].events;
            if (!(e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !c->out)
                continue; /* writable edge with nothing to write */
            if ((e & EPOLLERR) || serve(w, c) < 0)
                close_conn(c);
            else if ((e & (EPOLLRDHUP | EPOLLHUP)) && !c->out)
                close_conn(c); /* peer is gone and everything it asked for was sent */
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <port> [echo|http] [threads]\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    if (argc > 2) {
        if (!strcmp(argv[2], "http"))
            http_mode = 1;
        else if (strcmp(argv[2], "echo")) {
            fprintf(stderr, "mode must be echo or http\n");
            return 2;
        }
    }
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    if (threads < 1 || threads > 64)
        threads = 1;

    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    struct worker *ws = calloc((size_t)threads, sizeof *ws);
    if (!ws)
        return 1;
    for (int t = 0; t < threads; t++) {
        struct worker *w = &ws[t];
        w->lfd = make_listener();
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->rbuf = malloc(READ_BUF);
        w->wbuf_cap = 64 * RESPONSE_LEN;
        w->wbuf = malloc(w->wbuf_cap);
        if (w->epfd < 0 || !w->rbuf || !w->wbuf) {
            perror("setup");
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev) < 0) {
            perror("epoll_ctl");
            return 1;
        }
    }
    printf("READY %d\n", port);
    fflush(stdout);
    for (int t = 1; t < threads; t++) {
        pthread_t th;
        if (pthread_create(&th, NULL, worker_main, &ws[t]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    worker_main(&ws[0]);
    return 0;
}
