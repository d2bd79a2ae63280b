package io.pekkokq.bench;

/** Echo / HTTP hello on Netty 4.2's native epoll transport. */
public final class NettyEpollServer {
  private NettyEpollServer() {}

  public static void main(String[] args) throws Exception {
    NettyServer.run(ServerArgs.parse(args, NettyEpollServer.class.getName()), true);
  }
}
