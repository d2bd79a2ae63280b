# Sourced by the HTTP bench scripts (http-cpu.sh, http-burst.sh): run.sh's names of the
# HTTP hello servers as JVM arguments, and the wait for a server's READY line, written
# once for both.

# http_server_args NAME [KQ_ARG...]: sets the array `main` to server NAME's system
# properties and main class. The KQ_ARGs go to the pekko-kq servers only, with their
# poller count (POLLERS, default 1; pekko-http-kq-p2: 2). An unknown NAME exits with 2.
http_server_args() {
  local name=$1
  shift
  local kq=("$@" -Dpekko.io.kq.pollers="${POLLERS:-1}")
  case "$name" in
    pekko-http)         main=(-Dbench.transport=pekko io.pekkokq.bench.PekkoHttpHelloServer) ;;
    pekko-http-kq-pool) main=("${kq[@]}" -Dbench.transport=kq-pool io.pekkokq.bench.PekkoHttpHelloServer) ;;
    pekko-http-kq)      main=("${kq[@]}" -Dbench.transport=kq io.pekkokq.bench.PekkoHttpHelloServer) ;;
    pekko-http-kq-p2)   main=("$@" -Dpekko.io.kq.pollers=2 -Dbench.transport=kq io.pekkokq.bench.PekkoHttpHelloServer) ;;
    netty-epoll)        main=(io.pekkokq.bench.NettyEpollServer) ;;
    netty-epoll-1)      main=(-Dbench.netty.threads=1 io.pekkokq.bench.NettyEpollServer) ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
}

# wait_ready LOG PORT: waits up to 30 s for the server's "READY PORT" line in LOG; if it
# does not come, prints LOG and exits with 1.
wait_ready() {
  for _ in $(seq 1 300); do grep -q "^READY $2\$" "$1" && return 0; sleep 0.1; done
  cat "$1" >&2
  exit 1
}
