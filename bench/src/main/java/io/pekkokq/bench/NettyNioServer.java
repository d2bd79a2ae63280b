package io.pekkokq.bench;

/** Echo / HTTP hello on Netty 4.2's NIO transport. */
public final class NettyNioServer {
  private NettyNioServer() {}

  public static void main(String[] args) throws Exception {
    NettyServer.run(ServerArgs.parse(args, NettyNioServer.class.getName()), false);
  }
}
