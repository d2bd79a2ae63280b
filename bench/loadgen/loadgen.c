/*
 * loadgen: a single-threaded epoll load generator for echo servers.
 *
 * Modes
 *   pingpong  --conns C connections; each sends --size bytes and waits for the
 *             whole echo before sending again. Requests/s and latency
 *             percentiles (log-linear histogram, no allocation per request).
 *   stream    --conns C connections; each keeps --window bytes in flight,
 *             written in chunks of --size bytes. Echoed MB/s (1 MB = 10^6 B).
 *   churn     --conns C concurrent slots; each repeatedly connects, sends
 *             --size bytes, waits for the echo and closes. Connections/s,
 *             connect+echo latency percentiles and errors.
 *   hold      opens --conns idle connections (at most --connect-batch
 *             connecting at once), keeps them idle for --idle-ms, then each
 *             echoes --size bytes once. Reports how many succeeded and, with
 *             --server-pid, the growth of the server's VmRSS.
 *   udp       --conns C connected UDP sockets (each its own source port), each
 *             keeping --window datagrams of --size bytes outstanding towards a
 *             UDP echo server. Echoed datagrams/s, round-trip percentiles, and
 *             loss: a datagram not echoed within --loss-ms counts as lost and
 *             its place is used for a new one (an echo arriving later counts
 *             as late, not received). --max-datagrams bounds how many are sent.
 *
 * Server CPU: with --server-pid, pingpong, stream, churn and udp also read the
 * server's CPU time (user + system, all threads, /proc/PID/stat) at the start
 * and end of the measured window and report it per request (per MB, per
 * connection, per datagram): server_cpu_ms and cpu_us_per_req / cpu_us_per_mb /
 * cpu_us_per_conn / cpu_us_per_dgram.
 * Unlike throughput on a machine shared by client and server, CPU per request
 * predicts what a core buys on another machine. Resolution: one clock tick
 * (10 ms at USER_HZ 100), under 0.3% of a 4 s window at full load.
 *
 * Time bounds: pingpong/stream/churn run --warmup seconds unmeasured and then
 * --duration measured seconds; the connect phase is bounded by
 * --connect-timeout. hold uses --duration as its whole budget. Independently
 * of all that, the process ends itself (printing what it has) at
 * warmup + duration + connect-timeout + 3 s, whatever the server does.
 *
 * Transport: TCP to --host/--port, or with --unix PATH a Unix domain stream
 * socket (same modes, same loop; TCP_NODELAY does not apply there); the udp
 * mode speaks UDP to --host/--port.
 *
 * Output: exactly one line starting with "RESULT " on stdout per run;
 * diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ options */

enum mode { M_PINGPONG, M_STREAM, M_CHURN, M_HOLD, M_UDP };

static struct {
    const char *host;
    const char *port;
    const char *unix_path;
    const char *label;
    enum mode mode;
    int conns;
    int size;
    int window;
    double duration;
    double warmup;
    double connect_timeout;
    long server_pid;
    const char *probe_cmd;
    const char *idle_probe_cmd;
    int idle_ms;
    int connect_batch;
    int nodelay;
    int loss_ms;
    long long max_datagrams;
} opt = {
    .host = "127.0.0.1",
    .port = "9000",
    .label = "unknown",
    .mode = M_PINGPONG,
    .conns = 50,
    .size = -1,
    .window = 16384,
    .duration = 10,
    .warmup = 1,
    .connect_timeout = 3,
    .server_pid = 0,
    .idle_ms = 1000,
    .connect_batch = 256,
    .nodelay = 1,
    .loss_ms = 200,
    .max_datagrams = 0,
};

static const char *mode_name(enum mode m)
{
    switch (m) {
    case M_PINGPONG: return "pingpong";
    case M_STREAM: return "stream";
    case M_CHURN: return "churn";
    case M_HOLD: return "hold";
    case M_UDP: return "udp";
    }
    return "?";
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: loadgen [options]\n"
            "  --host H            server address (default 127.0.0.1; ::1 works)\n"
            "  --port P            server port (default 9000)\n"
            "  --unix PATH         connect to the Unix domain socket PATH instead of host:port\n"
            "  --mode M            pingpong | stream | churn | hold | udp (default pingpong)\n"
            "  --conns N           connections (concurrent slots for churn) (default 50)\n"
            "  --size B            message size; chunk size for stream (default 64, stream 16384)\n"
            "  --window B          bytes in flight per connection in stream mode (default 16384);\n"
            "                      udp: datagrams outstanding per socket (default 64)\n"
            "  --loss-ms MS        udp: a datagram not echoed within MS counts as lost (default 200)\n"
            "  --max-datagrams N   udp: send at most N datagrams in all (default 0: no bound)\n"
            "  --duration S        measured seconds; whole budget for hold (default 10)\n"
            "  --warmup S          unmeasured seconds before measuring (default 1)\n"
            "  --connect-timeout S bound on the connect phase (default 3)\n"
            "  --server-pid PID    read VmRSS (hold) or CPU time (other modes) of this process\n"
            "  --probe-cmd CMD     hold mode: a shell command printing a KiB figure (e.g. live\n"
            "                      heap after a GC), run before opening and with all open\n"
            "  --idle-probe-cmd CMD hold mode: the same kind of command, run once all are open\n"
            "                      and idle, before any byte is sent (idle_probe_kb)\n"
            "  --idle-ms MS        hold: idle time between opening and echoing (default 1000)\n"
            "  --connect-batch N   hold: connects in progress at once (default 256)\n"
            "  --no-nodelay        leave Nagle on\n"
            "  --label L           server label copied into the RESULT line\n");
}

/* ------------------------------------------------------------------- time */

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int t_in(uint64_t from, uint64_t to)
{
    uint64_t t = now_ns();
    return t >= from && t < to;
}

/* -------------------------------------------------------------- histogram */
/* Log-linear: values below 2*SUB exactly, above that SUB buckets per power of
 * two (about 1.6% relative error). Values in nanoseconds. */

#define SUB_BITS 6
#define SUB (1u << SUB_BITS)
#define MAX_EXP 42 /* 2^42 ns is more than an hour */
#define NBUCKETS (2 * SUB + (MAX_EXP - SUB_BITS) * SUB)

struct hist {
    uint64_t count;
    uint64_t max;
    uint64_t b[NBUCKETS];
};

static inline unsigned hist_index(uint64_t v)
{
    if (v < 2 * SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= SUB_BITS + 1 */
    if (e > MAX_EXP)
        return NBUCKETS - 1;
    unsigned shift = e - SUB_BITS;
    unsigned mant = (unsigned)(v >> shift); /* in [SUB, 2*SUB) */
    return 2 * SUB + (e - SUB_BITS - 1) * SUB + (mant - SUB);
}

static inline uint64_t hist_value(unsigned idx)
{
    if (idx < 2 * SUB)
        return idx;
    unsigned k = idx - 2 * SUB;
    unsigned e = k / SUB + SUB_BITS + 1;
    unsigned mant = k % SUB + SUB;
    unsigned shift = e - SUB_BITS;
    /* middle of the bucket */
    return ((uint64_t)mant << shift) + ((1ull << shift) >> 1);
}

static inline void hist_add(struct hist *h, uint64_t v)
{
    h->b[hist_index(v)]++;
    h->count++;
    if (v > h->max)
        h->max = v;
}

static uint64_t hist_pct(const struct hist *h, double p)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count + 0.5);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            uint64_t v = hist_value(i);
            return v > h->max ? h->max : v;
        }
    }
    return h->max;
}

static struct hist hist; /* static: zeroed, never malloc'd per request */

/* -------------------------------------------------------------- connections */

enum cstate { C_FREE, C_CONNECTING, C_IDLE, C_SENDING, C_WAITING, C_DONE, C_FAILED };

struct conn {
    int fd;
    enum cstate st;
    uint64_t sent;      /* bytes written: current request (pingpong/churn/hold) or total (stream) */
    uint64_t rcvd;      /* bytes read, same meaning */
    uint64_t t_start;   /* request start (pingpong) or connect start (churn) */
    uint32_t events;    /* currently registered epoll events */
};

static struct conn *conns;
static int epfd = -1;
static struct addrinfo *target;
static char *sendbuf;
static char *recvbuf;
static size_t recvbuf_len;

static uint64_t errors;        /* failed connects, resets, early closes */
static uint64_t connect_fail;  /* part of errors */
static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
    (void)sig;
    alarm_fired = 1;
}

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void set_events(struct conn *c, uint32_t ev)
{
    if (c->events == ev)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) < 0)
        die("epoll_ctl MOD");
    c->events = ev;
}

/* Starts a non-blocking connect; returns 0 or -1 (counted as an error). */
static int start_connect(struct conn *c)
{
    int fd = socket(target->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errors++;
        connect_fail++;
        return -1;
    }
    if (opt.nodelay && target->ai_family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int r = connect(fd, target->ai_addr, target->ai_addrlen);
    if (r < 0 && errno != EINPROGRESS) {
        close(fd);
        errors++;
        connect_fail++;
        return -1;
    }
    c->fd = fd;
    c->st = C_CONNECTING;
    c->sent = c->rcvd = 0;
    c->events = EPOLLOUT;
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
        die("epoll_ctl ADD");
    return 0;
}

static void close_conn(struct conn *c, enum cstate to)
{
    if (c->fd >= 0) {
        close(c->fd); /* also removes it from the epoll set */
        c->fd = -1;
    }
    c->st = to;
    c->events = 0;
}

static int connect_finished(struct conn *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
        return -1;
    return 0;
}

/* Writes up to `want` bytes of the pattern; returns bytes written, 0 on
 * EAGAIN, -1 on error. */
static ssize_t write_some(struct conn *c, size_t want)
{
    if (want > (size_t)opt.size)
        want = (size_t)opt.size;
    ssize_t n = send(c->fd, sendbuf, want, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        return -1;
    }
    return n;
}

/* --------------------------------------------------------------- RSS, CPU */

/* The CPU time (user + system, every thread) of process pid in microseconds, or
 * -1 when unknown. /proc/PID/stat: fields 14 and 15 in clock ticks, counted after
 * the ')' that ends the command name (which may itself hold spaces). */
static long long read_cpu_us(long pid)
{
    if (pid <= 0)
        return -1;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long utime = 0, stime = 0;
    /* after ')': state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        return -1;
    return (long long)((utime + stime) * 1000000ULL / (unsigned long long)hz);
}

/* Prints " server_cpu_ms=X cpu_us_per_<unit>=Y" for the window [from, to] of server
 * CPU time, or nothing when either reading failed (no --server-pid, process gone). */
static void print_cpu(long long from, long long to, double units, const char *unit)
{
    if (from < 0 || to < 0 || to < from)
        return;
    printf(" server_cpu_ms=%.0f", (double)(to - from) / 1e3);
    if (units > 0)
        printf(" cpu_us_per_%s=%.2f", unit, (double)(to - from) / units);
}

static long read_rss_kb(long pid)
{
    if (pid <= 0)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* Runs a probe command (--probe-cmd, --idle-probe-cmd) and reads the first number it
 * prints (KiB); -1 when there is no command or it fails. RSS alone cannot tell a JVM's
 * live objects from heap pages it merely touched, so JVM servers are probed for their
 * live heap after a GC. */
static long run_probe(const char *cmd)
{
    if (cmd == NULL || cmd[0] == '\0')
        return -1;
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    long kb = -1;
    if (fscanf(p, "%ld", &kb) != 1)
        kb = -1;
    if (pclose(p) != 0)
        kb = -1;
    return kb;
}

/* ------------------------------------------------------ connect phase */

/* Opens opt.conns connections with at most `batch` in progress at once.
 * Returns the number established before `deadline`. Established ones end in
 * state C_IDLE and are registered for nothing but errors. */
static int open_all(int batch, uint64_t deadline)
{
    struct epoll_event evs[1024];
    int next = 0, inprog = 0, established = 0, failed = 0;
    while (established + failed < opt.conns) {
        while (next < opt.conns && inprog < batch) {
            struct conn *c = &conns[next++];
            if (start_connect(c) == 0)
                inprog++;
            else {
                c->st = C_FAILED;
                failed++;
            }
        }
        if (now_ns() >= deadline || alarm_fired)
            break;
        int n = epoll_wait(epfd, evs, 1024, 50);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->st != C_CONNECTING)
                continue;
            inprog--;
            if ((evs[i].events & (EPOLLERR | EPOLLHUP)) || connect_finished(c) < 0) {
                errors++;
                connect_fail++;
                close_conn(c, C_FAILED);
                failed++;
            } else {
                c->st = C_IDLE;
                set_events(c, 0);
                established++;
            }
        }
    }
    /* whatever is still connecting at the deadline has failed */
    for (int i = 0; i < opt.conns; i++) {
        if (conns[i].st == C_CONNECTING) {
            errors++;
            connect_fail++;
            close_conn(&conns[i], C_FAILED);
        }
    }
    return established;
}

/* ----------------------------------------------------------- pingpong */

static uint64_t measured_reqs;

static int pp_send(struct conn *c)
{
    ssize_t n = write_some(c, (size_t)opt.size - c->sent);
    if (n < 0)
        return -1;
    c->sent += (uint64_t)n;
    if (c->sent < (uint64_t)opt.size) {
        c->st = C_SENDING;
        set_events(c, EPOLLIN | EPOLLOUT);
    } else {
        c->st = C_WAITING;
        set_events(c, EPOLLIN);
    }
    return 0;
}

static void pp_begin(struct conn *c)
{
    c->sent = c->rcvd = 0;
    c->t_start = now_ns();
    if (pp_send(c) < 0) {
        errors++;
        close_conn(c, C_FAILED);
    }
}

/* Handles an event on a pingpong connection; `measure_from` tells from which
 * instant completed requests count. */
static void pp_event(struct conn *c, uint32_t ev, uint64_t measure_from, uint64_t measure_to)
{
    if (ev & EPOLLOUT && c->st == C_SENDING) {
        if (pp_send(c) < 0)
            goto fail;
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
            ssize_t n = recv(c->fd, recvbuf, recvbuf_len, 0);
            if (n == 0)
                goto fail;
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                if (errno == EINTR)
                    continue;
                goto fail;
            }
            c->rcvd += (uint64_t)n;
            if (c->rcvd >= (uint64_t)opt.size && c->sent >= (uint64_t)opt.size) {
                uint64_t t = now_ns();
                if (c->rcvd > (uint64_t)opt.size)
                    errors++; /* more echoed than sent: protocol error */
                if (c->t_start >= measure_from && t <= measure_to) {
                    hist_add(&hist, t - c->t_start);
                    measured_reqs++;
                }
                if (t >= measure_to)
                    return; /* stop issuing; the loop ends shortly */
                pp_begin(c);
                if (c->st == C_FAILED)
                    return;
            }
        }
    }
    return;
fail:
    errors++;
    close_conn(c, C_FAILED);
}

/* ------------------------------------------------------------- stream */

static uint64_t stream_bytes_total; /* echoed bytes seen so far */

static void st_fill(struct conn *c)
{
    for (;;) {
        uint64_t inflight = c->sent - c->rcvd;
        if (inflight >= (uint64_t)opt.window)
            break;
        ssize_t n = write_some(c, (size_t)((uint64_t)opt.window - inflight));
        if (n < 0) {
            errors++;
            close_conn(c, C_FAILED);
            return;
        }
        if (n == 0) {
            set_events(c, EPOLLIN | EPOLLOUT);
            return;
        }
        c->sent += (uint64_t)n;
    }
    set_events(c, EPOLLIN);
}

static void st_event(struct conn *c, uint32_t ev)
{
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
            ssize_t n = recv(c->fd, recvbuf, recvbuf_len, 0);
            if (n == 0) {
                errors++;
                close_conn(c, C_FAILED);
                return;
            }
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                if (errno == EINTR)
                    continue;
                errors++;
                close_conn(c, C_FAILED);
                return;
            }
            c->rcvd += (uint64_t)n;
            stream_bytes_total += (uint64_t)n;
            if (c->rcvd > c->sent)
                errors++;
        }
    }
    st_fill(c);
}

/* -------------------------------------------------------------- churn */

static uint64_t churn_done_measured;

static void ch_start(struct conn *c)
{
    c->t_start = now_ns();
    if (start_connect(c) < 0)
        c->st = C_FREE; /* retried on the next loop turn */
}

static void ch_event(struct conn *c, uint32_t ev, uint64_t measure_from, uint64_t measure_to, int keep_going)
{
    if (c->st == C_CONNECTING) {
        if ((ev & (EPOLLERR | EPOLLHUP)) || connect_finished(c) < 0) {
            errors++;
            connect_fail++;
            close_conn(c, C_FREE);
            if (keep_going)
                ch_start(c);
            return;
        }
        c->sent = c->rcvd = 0;
        c->st = C_SENDING;
    }
    if (c->st == C_SENDING) {
        ssize_t n = write_some(c, (size_t)opt.size - c->sent);
        if (n < 0)
            goto fail;
        c->sent += (uint64_t)n;
        if (c->sent < (uint64_t)opt.size) {
            set_events(c, EPOLLOUT);
            return;
        }
        c->st = C_WAITING;
        set_events(c, EPOLLIN);
        return; /* the echo cannot be here yet in any useful number of cases */
    }
    if (c->st == C_WAITING && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        for (;;) {
            ssize_t n = recv(c->fd, recvbuf, recvbuf_len, 0);
            if (n == 0)
                goto fail;
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return;
                if (errno == EINTR)
                    continue;
                goto fail;
            }
            c->rcvd += (uint64_t)n;
            if (c->rcvd >= (uint64_t)opt.size) {
                uint64_t t = now_ns();
                if (c->t_start >= measure_from && t <= measure_to) {
                    hist_add(&hist, t - c->t_start);
                    churn_done_measured++;
                }
                close_conn(c, C_FREE);
                if (keep_going)
                    ch_start(c);
                return;
            }
        }
    }
    return;
fail:
    errors++;
    close_conn(c, C_FREE);
    if (keep_going)
        ch_start(c);
}

/* --------------------------------------------------------------- hold */

static int hold_echo(uint64_t deadline)
{
    struct epoll_event evs[1024];
    int pending = 0, ok = 0;
    for (int i = 0; i < opt.conns; i++) {
        struct conn *c = &conns[i];
        if (c->st != C_IDLE)
            continue;
        c->sent = c->rcvd = 0;
        ssize_t n = write_some(c, (size_t)opt.size);
        if (n < 0) {
            errors++;
            close_conn(c, C_FAILED);
            continue;
        }
        c->sent = (uint64_t)n;
        c->st = c->sent < (uint64_t)opt.size ? C_SENDING : C_WAITING;
        set_events(c, c->st == C_SENDING ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
        pending++;
    }
    while (pending > 0 && now_ns() < deadline && !alarm_fired) {
        int n = epoll_wait(epfd, evs, 1024, 50);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->st != C_SENDING && c->st != C_WAITING)
                continue;
            if ((evs[i].events & EPOLLOUT) && c->st == C_SENDING) {
                ssize_t w = write_some(c, (size_t)opt.size - c->sent);
                if (w < 0) {
                    errors++;
                    close_conn(c, C_FAILED);
                    pending--;
                    continue;
                }
                c->sent += (uint64_t)w;
                if (c->sent >= (uint64_t)opt.size) {
                    c->st = C_WAITING;
                    set_events(c, EPOLLIN);
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                for (;;) {
                    ssize_t r = recv(c->fd, recvbuf, recvbuf_len, 0);
                    if (r > 0) {
                        c->rcvd += (uint64_t)r;
                        continue;
                    }
                    if (r < 0 && errno == EINTR)
                        continue;
                    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                    errors++;
                    close_conn(c, C_FAILED);
                    pending--;
                    break;
                }
                if (c->st != C_FAILED && c->rcvd >= (uint64_t)opt.size && c->sent >= (uint64_t)opt.size) {
                    c->st = C_DONE;
                    set_events(c, 0);
                    pending--;
                    ok++;
                }
            }
        }
    }
    errors += (uint64_t)pending; /* unanswered at the deadline */
    return ok;
}

/* --------------------------------------------------------------- udp */
/* Each socket has --window places; a place holds one outstanding datagram
 * (its sequence number and send time). A datagram carries its place and
 * sequence number, so an echo finds its place without a search, and a late or
 * duplicated echo (the place was given to a newer datagram) is told apart. */

#define UDP_HEADER 16 /* place (4), spare (4), sequence (8) */

static void print_lat(FILE *f);
#define UDP_BATCH 64

struct uplace {
    uint64_t seq;     /* 0: free */
    uint64_t sent_at;
};

struct usock {
    int fd;
    struct uplace *places;
    int *free_places; /* a stack of free place indexes */
    int nfree;
};

static struct usock *usocks;
static uint64_t udp_next_seq = 1;
static uint64_t udp_sent, udp_received, udp_lost, udp_late, udp_send_errors; /* measured window */
static uint64_t udp_sent_total;

static int udp_open(struct usock *u)
{
    int fd = socket(target->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rcv = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcv, sizeof rcv);
    if (connect(fd, target->ai_addr, target->ai_addrlen) < 0) {
        close(fd);
        return -1;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = u};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
        die("epoll_ctl ADD");
    u->fd = fd;
    u->places = calloc((size_t)opt.window, sizeof *u->places);
    u->free_places = malloc((size_t)opt.window * sizeof *u->free_places);
    if (!u->places || !u->free_places)
        die("malloc");
    for (int i = 0; i < opt.window; i++)
        u->free_places[i] = opt.window - 1 - i;
    u->nfree = opt.window;
    return 0;
}

/* Fills the free places of `u` with new datagrams (one sendmmsg per batch). */
static void udp_fill(struct usock *u, int measuring)
{
    static char bufs[UDP_BATCH][UDP_HEADER];
    struct iovec iov[UDP_BATCH][2];
    struct mmsghdr msgs[UDP_BATCH];
    while (u->nfree > 0) {
        if (opt.max_datagrams > 0 && udp_sent_total >= (uint64_t)opt.max_datagrams)
            return;
        int n = u->nfree < UDP_BATCH ? u->nfree : UDP_BATCH;
        if (opt.max_datagrams > 0 && (uint64_t)n > (uint64_t)opt.max_datagrams - udp_sent_total)
            n = (int)((uint64_t)opt.max_datagrams - udp_sent_total);
        uint64_t t = now_ns();
        for (int i = 0; i < n; i++) {
            uint32_t place = (uint32_t)u->free_places[u->nfree - 1 - i];
            uint64_t seq = udp_next_seq + (uint64_t)i;
            memcpy(bufs[i], &place, 4);
            memset(bufs[i] + 4, 0, 4);
            memcpy(bufs[i] + 8, &seq, 8);
            iov[i][0] = (struct iovec){.iov_base = bufs[i], .iov_len = UDP_HEADER};
            iov[i][1] = (struct iovec){.iov_base = sendbuf, .iov_len = (size_t)opt.size - UDP_HEADER};
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = iov[i];
            msgs[i].msg_hdr.msg_iovlen = 2;
        }
        int sent = sendmmsg(u->fd, msgs, (unsigned)n, 0);
        if (sent <= 0) {
            if (sent < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED && measuring)
                udp_send_errors++;
            return; /* full (or refused): the next tick tries again */
        }
        for (int i = 0; i < sent; i++) {
            int place = u->free_places[--u->nfree];
            u->places[place].seq = udp_next_seq++;
            u->places[place].sent_at = t;
        }
        udp_sent_total += (uint64_t)sent;
        if (measuring)
            udp_sent += (uint64_t)sent;
        if (sent < n)
            return;
    }
}

static void udp_release(struct usock *u, int place)
{
    u->places[place].seq = 0;
    u->free_places[u->nfree++] = place;
}

/* Reads every echo waiting on `u` (recvmmsg batches), then refills. */
static void udp_read(struct usock *u, uint64_t measure_from, uint64_t measure_to)
{
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    for (;;) {
        for (int i = 0; i < UDP_BATCH; i++) {
            iov[i] = (struct iovec){.iov_base = recvbuf + (size_t)i * UDP_HEADER, .iov_len = UDP_HEADER};
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(u->fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            break; /* EAGAIN; ECONNREFUSED (nothing listening yet) is loss, counted by the timer */
        uint64_t t = now_ns();
        int in_window = t >= measure_from && t < measure_to;
        for (int i = 0; i < n; i++) {
            uint32_t place;
            uint64_t seq;
            char *b = recvbuf + (size_t)i * UDP_HEADER;
            if (msgs[i].msg_len < UDP_HEADER)
                continue; /* not ours */
            memcpy(&place, b, 4);
            memcpy(&seq, b + 8, 8);
            if (place >= (uint32_t)opt.window || u->places[place].seq != seq) {
                if (in_window)
                    udp_late++;
                continue;
            }
            if (in_window) {
                udp_received++;
                hist_add(&hist, t - u->places[place].sent_at);
            }
            udp_release(u, (int)place);
        }
        if (n < UDP_BATCH)
            break;
    }
    udp_fill(u, t_in(measure_from, measure_to));
}

/* Declares lost what waited longer than --loss-ms, freeing its place. */
static void udp_expire(struct usock *u, uint64_t now, int measuring)
{
    uint64_t limit = (uint64_t)opt.loss_ms * 1000000ull;
    for (int p = 0; p < opt.window; p++) {
        if (u->places[p].seq != 0 && now - u->places[p].sent_at > limit) {
            if (measuring)
                udp_lost++;
            udp_release(u, p);
        }
    }
}

static int udp_run(uint64_t t0, uint64_t hard_stop)
{
    usocks = calloc((size_t)opt.conns, sizeof *usocks);
    if (!usocks)
        die("malloc");
    int open = 0;
    for (int i = 0; i < opt.conns; i++)
        if (udp_open(&usocks[i]) == 0)
            open++;
        else
            errors++;
    if (open == 0) {
        printf("RESULT mode=udp server=%s conns=%d size=%d opened=0 errors=%llu status=no_sockets\n",
               opt.label, opt.conns, opt.size, (unsigned long long)errors);
        return 1;
    }
    uint64_t measure_from = t0 + (uint64_t)(opt.warmup * 1e9);
    uint64_t measure_to = measure_from + (uint64_t)(opt.duration * 1e9);
    for (int i = 0; i < opt.conns; i++)
        if (usocks[i].fd > 0)
            udp_fill(&usocks[i], t_in(measure_from, measure_to));
    struct epoll_event evs[1024];
    uint64_t next_expiry = now_ns() + 10000000ull;
    long long cpu_at_start = -1;
    int measuring = 0, count_bound = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && t >= measure_from) {
            measuring = 1;
            cpu_at_start = read_cpu_us(opt.server_pid);
        }
        if (t >= measure_to || t >= hard_stop || alarm_fired)
            break;
        if (opt.max_datagrams > 0 && udp_sent_total >= (uint64_t)opt.max_datagrams) {
            int outstanding = 0;
            for (int i = 0; i < opt.conns && !outstanding; i++)
                outstanding = usocks[i].fd > 0 && usocks[i].nfree < opt.window;
            if (!outstanding) {
                count_bound = 1;
                break; /* every datagram answered or lost */
            }
        }
        int n = epoll_wait(epfd, evs, 1024, 10);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++)
            udp_read(evs[i].data.ptr, measure_from, measure_to);
        t = now_ns();
        if (t >= next_expiry) {
            int measuring = t_in(measure_from, measure_to);
            for (int i = 0; i < opt.conns; i++) {
                if (usocks[i].fd <= 0)
                    continue;
                udp_expire(&usocks[i], t, measuring);
                udp_fill(&usocks[i], measuring);
            }
            next_expiry = t + 10000000ull;
        }
    }
    uint64_t end = now_ns();
    long long cpu_at_end = read_cpu_us(opt.server_pid);
    if (!measuring)
        cpu_at_start = cpu_at_end;
    if (end < measure_from)
        measure_from = end;
    if (end > measure_to)
        end = measure_to;
    double secs = (double)(end - measure_from) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    uint64_t answered_or_lost = udp_received + udp_lost;
    printf("RESULT mode=udp server=%s conns=%d window=%d size=%d duration_s=%.2f sent=%llu received=%llu"
           " lost=%llu late=%llu dgrams_per_s=%.0f loss_pct=%.3f",
           opt.label, opt.conns, opt.window, opt.size, secs, (unsigned long long)udp_sent,
           (unsigned long long)udp_received, (unsigned long long)udp_lost, (unsigned long long)udp_late,
           (double)udp_received / secs, answered_or_lost ? 100.0 * (double)udp_lost / (double)answered_or_lost : 0.0);
    print_lat(stdout);
    print_cpu(cpu_at_start, cpu_at_end, (double)udp_received, "dgram");
    /* count: --max-datagrams ended the run before --duration did */
    printf(" errors=%llu status=%s\n", (unsigned long long)(errors + udp_send_errors),
           alarm_fired || now_ns() >= hard_stop ? "hard_stop" : count_bound ? "count" : "ok");
    for (int i = 0; i < opt.conns; i++)
        if (usocks[i].fd > 0)
            close(usocks[i].fd);
    return 0;
}

/* --------------------------------------------------------------- main */

static double parse_double(const char *s, const char *name)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || v < 0) {
        fprintf(stderr, "loadgen: bad value for %s: %s\n", name, s);
        exit(2);
    }
    return v;
}

static long parse_long(const char *s, const char *name, long min)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min) {
        fprintf(stderr, "loadgen: bad value for %s: %s\n", name, s);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    static const struct option lo[] = {
        {"host", required_argument, 0, 'h'},
        {"port", required_argument, 0, 'p'},
        {"unix", required_argument, 0, 'u'},
        {"mode", required_argument, 0, 'm'},
        {"conns", required_argument, 0, 'c'},
        {"size", required_argument, 0, 's'},
        {"window", required_argument, 0, 'w'},
        {"duration", required_argument, 0, 'd'},
        {"warmup", required_argument, 0, 'W'},
        {"connect-timeout", required_argument, 0, 'T'},
        {"server-pid", required_argument, 0, 'P'},
        {"probe-cmd", required_argument, 0, 'Q'},
        {"idle-probe-cmd", required_argument, 0, 'D'},
        {"idle-ms", required_argument, 0, 'i'},
        {"connect-batch", required_argument, 0, 'b'},
        {"no-nodelay", no_argument, 0, 'N'},
        {"label", required_argument, 0, 'l'},
        {"loss-ms", required_argument, 0, 'L'},
        {"max-datagrams", required_argument, 0, 'M'},
        {"help", no_argument, 0, '?'},
        {0, 0, 0, 0},
    };
    int ch, window_given = 0;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'h': opt.host = optarg; break;
        case 'p': opt.port = optarg; break;
        case 'u': opt.unix_path = optarg; break;
        case 'm':
            if (!strcmp(optarg, "pingpong")) opt.mode = M_PINGPONG;
            else if (!strcmp(optarg, "stream")) opt.mode = M_STREAM;
            else if (!strcmp(optarg, "churn")) opt.mode = M_CHURN;
            else if (!strcmp(optarg, "hold")) opt.mode = M_HOLD;
            else if (!strcmp(optarg, "udp")) opt.mode = M_UDP;
            else {
                fprintf(stderr, "loadgen: unknown mode %s\n", optarg);
                exit(2);
            }
            break;
        case 'c': opt.conns = (int)parse_long(optarg, "--conns", 1); break;
        case 's': opt.size = (int)parse_long(optarg, "--size", 1); break;
        case 'w': opt.window = (int)parse_long(optarg, "--window", 1); window_given = 1; break;
        case 'd': opt.duration = parse_double(optarg, "--duration"); break;
        case 'W': opt.warmup = parse_double(optarg, "--warmup"); break;
        case 'T': opt.connect_timeout = parse_double(optarg, "--connect-timeout"); break;
        case 'P': opt.server_pid = parse_long(optarg, "--server-pid", 0); break;
        case 'Q': opt.probe_cmd = optarg; break;
        case 'D': opt.idle_probe_cmd = optarg; break;
        case 'i': opt.idle_ms = (int)parse_long(optarg, "--idle-ms", 0); break;
        case 'b': opt.connect_batch = (int)parse_long(optarg, "--connect-batch", 1); break;
        case 'N': opt.nodelay = 0; break;
        case 'l': opt.label = optarg; break;
        case 'L': opt.loss_ms = (int)parse_long(optarg, "--loss-ms", 1); break;
        case 'M': opt.max_datagrams = parse_long(optarg, "--max-datagrams", 0); break;
        default:
            usage(ch == '?' ? stdout : stderr);
            exit(ch == '?' ? 0 : 2);
        }
    }
    if (optind < argc) {
        usage(stderr);
        exit(2);
    }
    if (opt.size < 0)
        opt.size = opt.mode == M_STREAM ? 16384 : 64;
    if (opt.mode == M_UDP && !window_given)
        opt.window = 64;
    if (opt.mode == M_UDP && (opt.size < UDP_HEADER || opt.size > 65507 || opt.window > 65536 || opt.conns > 4096)) {
        fprintf(stderr, "loadgen: udp needs --size %d..65507, --window <= 65536, --conns <= 4096\n", UDP_HEADER);
        exit(2);
    }
    if (opt.conns > 1000000 || opt.size > (64 << 20) || opt.window > (256 << 20)) {
        fprintf(stderr, "loadgen: values too large\n");
        exit(2);
    }
    if (opt.duration > 3600 || opt.warmup > 3600 || opt.connect_timeout > 600) {
        fprintf(stderr, "loadgen: durations are capped at an hour\n");
        exit(2);
    }
}

static void print_lat(FILE *f)
{
    fprintf(f, " p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f",
            hist_pct(&hist, 50) / 1e3, hist_pct(&hist, 90) / 1e3, hist_pct(&hist, 99) / 1e3,
            hist_pct(&hist, 99.9) / 1e3, hist.max / 1e3);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = opt.mode == M_UDP ? SOCK_DGRAM : SOCK_STREAM};
    if (opt.mode == M_UDP && opt.unix_path) {
        fprintf(stderr, "loadgen: udp speaks to --host/--port only\n");
        return 2;
    }
    static struct sockaddr_un unix_addr;
    static struct addrinfo unix_target;
    int gai = 0;
    if (opt.unix_path) {
        /* One static "addrinfo" for the Unix path, so the loop connects the same way. */
        if (strlen(opt.unix_path) >= sizeof unix_addr.sun_path) {
            fprintf(stderr, "loadgen: --unix path longer than %zu bytes\n", sizeof unix_addr.sun_path - 1);
            return 2;
        }
        unix_addr.sun_family = AF_UNIX;
        strcpy(unix_addr.sun_path, opt.unix_path);
        unix_target.ai_family = AF_UNIX;
        unix_target.ai_socktype = SOCK_STREAM;
        unix_target.ai_addr = (struct sockaddr *)&unix_addr;
        unix_target.ai_addrlen = sizeof unix_addr;
        target = &unix_target;
    } else {
        gai = getaddrinfo(opt.host, opt.port, &hints, &target);
    }
    if (gai != 0) {
        fprintf(stderr, "loadgen: %s:%s: %s\n", opt.host, opt.port, gai_strerror(gai));
        return 2;
    }

    /* Safety net: even if the loop below misbehaves, SIGALRM ends the run. */
    double budget = opt.warmup + opt.duration + opt.connect_timeout + 3;
    if (opt.mode == M_HOLD)
        budget = opt.duration + 3;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned)budget + 1);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    conns = calloc((size_t)opt.conns, sizeof *conns);
    sendbuf = malloc((size_t)opt.size);
    recvbuf_len = (size_t)(opt.size > 65536 ? opt.size : 65536);
    recvbuf = malloc(recvbuf_len);
    if (!conns || !sendbuf || !recvbuf)
        die("malloc");
    for (int i = 0; i < opt.size; i++)
        sendbuf[i] = (char)('a' + i % 26);
    for (int i = 0; i < opt.conns; i++)
        conns[i].fd = -1;

    uint64_t t0 = now_ns();
    uint64_t hard_stop = t0 + (uint64_t)(budget * 1e9);
    struct epoll_event evs[1024];

    if (opt.mode == M_UDP)
        return udp_run(t0, hard_stop);

    if (opt.mode == M_HOLD) {
        uint64_t deadline = t0 + (uint64_t)(opt.duration * 1e9);
        long probe_before = run_probe(opt.probe_cmd);
        long rss_before = read_rss_kb(opt.server_pid);
        int open = open_all(opt.connect_batch, deadline);
        uint64_t t_open = now_ns();
        /* idle, but never past the budget */
        uint64_t idle_end = t_open + (uint64_t)opt.idle_ms * 1000000ull;
        if (idle_end > deadline)
            idle_end = deadline;
        while (now_ns() < idle_end && !alarm_fired) {
            uint64_t left = idle_end - now_ns();
            struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(left > 100000000ull ? 100000000ull : left)};
            nanosleep(&ts, NULL);
        }
        long rss_idle = read_rss_kb(opt.server_pid);
        long probe_idle = run_probe(opt.idle_probe_cmd); /* open, idle, nothing read yet */
        int ok = hold_echo(deadline);
        long rss_after = read_rss_kb(opt.server_pid);
        long probe_after = run_probe(opt.probe_cmd); /* all connections still open */
        long probe_growth = (probe_before >= 0 && probe_after >= 0) ? probe_after - probe_before : -1;
        double secs = (double)(now_ns() - t0) / 1e9;
        /* growth: after every connection has echoed once, all still open */
        long growth = (rss_before >= 0 && rss_after >= 0) ? rss_after - rss_before : -1;
        long idle_growth = (rss_before >= 0 && rss_idle >= 0) ? rss_idle - rss_before : -1;
        printf("RESULT mode=hold server=%s conns=%d size=%d opened=%d echoed=%d errors=%llu"
               " rss_before_kb=%ld rss_idle_kb=%ld rss_after_kb=%ld idle_growth_kb=%ld rss_growth_kb=%ld"
               " bytes_per_conn=%.0f probe_before_kb=%ld idle_probe_kb=%ld probe_after_kb=%ld probe_growth_kb=%ld"
               " open_s=%.2f elapsed_s=%.2f\n",
               opt.label, opt.conns, opt.size, open, ok, (unsigned long long)errors, rss_before,
               rss_idle, rss_after, idle_growth, growth,
               (growth >= 0 && open > 0) ? growth * 1024.0 / open : -1.0, probe_before,
               probe_idle, probe_after, probe_growth,
               (double)(t_open - t0) / 1e9, secs);
        fflush(stdout);
        /* closing 10k sockets is quick; do it explicitly so the server sees FINs */
        for (int i = 0; i < opt.conns; i++)
            if (conns[i].fd >= 0)
                close(conns[i].fd);
        return 0;
    }

    uint64_t measure_from = 0, measure_to = 0;

    if (opt.mode == M_PINGPONG || opt.mode == M_STREAM) {
        int open = open_all(opt.connect_batch, t0 + (uint64_t)(opt.connect_timeout * 1e9));
        if (open == 0) {
            printf("RESULT mode=%s server=%s conns=%d size=%d opened=0 errors=%llu status=no_connections\n",
                   mode_name(opt.mode), opt.label, opt.conns, opt.size, (unsigned long long)errors);
            return 1;
        }
        uint64_t start = now_ns();
        measure_from = start + (uint64_t)(opt.warmup * 1e9);
        measure_to = measure_from + (uint64_t)(opt.duration * 1e9);
        for (int i = 0; i < opt.conns; i++) {
            struct conn *c = &conns[i];
            if (c->st != C_IDLE)
                continue;
            if (opt.mode == M_PINGPONG)
                pp_begin(c);
            else {
                c->sent = c->rcvd = 0;
                c->events = 0;
                st_fill(c);
            }
        }
        uint64_t bytes_at_start = 0;
        long long cpu_at_start = -1;
        int measuring = 0;
        for (;;) {
            uint64_t t = now_ns();
            if (!measuring && t >= measure_from) {
                measuring = 1;
                bytes_at_start = stream_bytes_total;
                cpu_at_start = read_cpu_us(opt.server_pid);
            }
            if (t >= measure_to || t >= hard_stop || alarm_fired)
                break;
            int n = epoll_wait(epfd, evs, 1024, 50);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                die("epoll_wait");
            }
            for (int i = 0; i < n; i++) {
                struct conn *c = evs[i].data.ptr;
                if (c->fd < 0)
                    continue;
                if (opt.mode == M_PINGPONG)
                    pp_event(c, evs[i].events, measure_from, measure_to);
                else
                    st_event(c, evs[i].events);
            }
        }
        uint64_t end = now_ns();
        long long cpu_at_end = read_cpu_us(opt.server_pid);
        if (!measuring) { /* never reached the measured window */
            measure_from = end;
            bytes_at_start = stream_bytes_total;
            cpu_at_start = cpu_at_end;
        }
        double secs = (double)(end - measure_from) / 1e9;
        if (secs <= 0)
            secs = 1e-9;
        int alive = 0;
        for (int i = 0; i < opt.conns; i++)
            if (conns[i].fd >= 0)
                alive++;
        const char *status = alarm_fired || end >= hard_stop ? "hard_stop" : "ok";
        if (opt.mode == M_PINGPONG) {
            printf("RESULT mode=pingpong server=%s conns=%d size=%d duration_s=%.2f reqs=%llu reqs_per_s=%.0f",
                   opt.label, opt.conns, opt.size, secs, (unsigned long long)measured_reqs,
                   (double)measured_reqs / secs);
            print_lat(stdout);
            print_cpu(cpu_at_start, cpu_at_end, (double)measured_reqs, "req");
        } else {
            uint64_t b = stream_bytes_total - bytes_at_start;
            printf("RESULT mode=stream server=%s conns=%d size=%d window=%d duration_s=%.2f bytes=%llu mb_per_s=%.1f",
                   opt.label, opt.conns, opt.size, opt.window, secs, (unsigned long long)b, (double)b / 1e6 / secs);
            print_cpu(cpu_at_start, cpu_at_end, (double)b / 1e6, "mb");
        }
        printf(" alive=%d errors=%llu status=%s\n", alive, (unsigned long long)errors, status);
        return 0;
    }

    /* churn */
    measure_from = t0 + (uint64_t)(opt.warmup * 1e9);
    measure_to = measure_from + (uint64_t)(opt.duration * 1e9);
    for (int i = 0; i < opt.conns; i++)
        ch_start(&conns[i]);
    uint64_t connect_fail_at_start = 0, errors_at_start = 0;
    long long cpu_at_start = -1;
    int measuring = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && t >= measure_from) {
            measuring = 1;
            errors_at_start = errors;
            connect_fail_at_start = connect_fail;
            cpu_at_start = read_cpu_us(opt.server_pid);
        }
        if (t >= measure_to || t >= hard_stop || alarm_fired)
            break;
        /* slots whose socket() failed (e.g. out of ports) retry here, paced by the wait */
        int n = epoll_wait(epfd, evs, 1024, 10);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            ch_event(c, evs[i].events, measure_from, measure_to, 1);
        }
        for (int i = 0; i < opt.conns; i++)
            if (conns[i].st == C_FREE && conns[i].fd < 0)
                ch_start(&conns[i]);
    }
    uint64_t end = now_ns();
    long long cpu_at_end = read_cpu_us(opt.server_pid);
    if (!measuring) {
        measure_from = end;
        cpu_at_start = cpu_at_end;
    }
    double secs = (double)(end - measure_from) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    for (int i = 0; i < opt.conns; i++)
        if (conns[i].fd >= 0)
            close(conns[i].fd);
    printf("RESULT mode=churn server=%s conns=%d size=%d duration_s=%.2f conns_done=%llu conns_per_s=%.0f",
           opt.label, opt.conns, opt.size, secs, (unsigned long long)churn_done_measured,
           (double)churn_done_measured / secs);
    print_lat(stdout);
    print_cpu(cpu_at_start, cpu_at_end, (double)churn_done_measured, "conn");
    printf(" errors=%llu connect_errors=%llu status=%s\n", (unsigned long long)(errors - errors_at_start),
           (unsigned long long)(connect_fail - connect_fail_at_start),
           alarm_fired || end >= hard_stop ? "hard_stop" : "ok");
    return 0;
}
