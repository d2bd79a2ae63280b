package io.pekkokq.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * UDP echo on Netty 4.2's native epoll datagram channel, one event loop (one socket),
 * batched the way Netty batches: {@code MAX_DATAGRAM_PAYLOAD_SIZE} turns on recvmmsg (a
 * datagram longer than it would be cut: 2,048 bytes, above any size bench/run.sh sends),
 * and the writes of one read burst leave with one flush (sendmmsg).
 *
 * <pre>java -cp pekko-kq-bench.jar io.pekkokq.bench.NettyEpollUdpServer &lt;port&gt; [echo]</pre>
 */
public final class NettyEpollUdpServer {
  private NettyEpollUdpServer() {}

  static final int MAX_PAYLOAD = 2048;
  static final int BATCH = 64;

  public static void main(String[] args) throws Exception {
    ServerArgs a = ServerArgs.parse(args, NettyEpollUdpServer.class.getName());
    a.requireTcp(NettyEpollUdpServer.class.getName());
    Epoll.ensureAvailability();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(EpollDatagramChannel.class)
              .option(ChannelOption.SO_RCVBUF, UdpEchoServer.SOCKET_BUFFER)
              .option(ChannelOption.SO_SNDBUF, UdpEchoServer.SOCKET_BUFFER)
              .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_PAYLOAD)
              .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_PAYLOAD * BATCH))
              .handler(new Echo())
              .bind(ServerArgs.HOST, a.port())
              .sync()
              .channel();
      a.ready();
      channel.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }

  private static final class Echo extends SimpleChannelInboundHandler<DatagramPacket> {
    Echo() {
      super(false); // the content goes back out: the write releases it
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      ctx.write(new DatagramPacket(packet.content(), packet.sender()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
