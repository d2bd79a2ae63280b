package io.pekkokq.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;

/**
 * Echo / HTTP hello on Netty 4.2, with the native epoll transport or NIO. One acceptor thread,
 * Netty's default number of event loop threads for connections (override with
 * {@code -Dbench.netty.threads=N}). Reading pauses while a channel is not writable.
 *
 * <p>With a {@code unix:<path>} endpoint the same handlers run on Netty's domain socket
 * channels: {@code EpollServerDomainSocketChannel} (native) or {@code
 * NioServerDomainSocketChannel} (the JDK's own Unix domain sockets through NIO).
 */
final class NettyServer {
  private NettyServer() {}

  static void run(ServerArgs a, boolean epoll) throws InterruptedException, IOException {
    IoHandlerFactory factory;
    Class<? extends ServerChannel> channelClass;
    if (epoll) {
      Epoll.ensureAvailability();
      factory = EpollIoHandler.newFactory();
      channelClass = a.unix() ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
    } else {
      factory = NioIoHandler.newFactory();
      channelClass = a.unix() ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class;
    }
    SocketAddress endpoint = null;
    if (a.unix()) {
      Files.deleteIfExists(a.unixPath()); // a file left by an earlier run of the same name
      endpoint =
          epoll ? new DomainSocketAddress(a.unixPath().toFile()) : UnixDomainSocketAddress.of(a.unixPath());
    }
    int threads = Integer.getInteger("bench.netty.threads", 0); // 0: Netty's default
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, factory);
    try {
      ServerBootstrap b =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(channelClass)
              .option(ChannelOption.SO_BACKLOG, ServerArgs.BACKLOG)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline().addLast(a.http() ? new HttpHandler() : ECHO);
                    }
                  });
      if (!a.unix()) b.childOption(ChannelOption.TCP_NODELAY, true); // no Nagle on Unix sockets
      Channel server =
          (a.unix() ? b.bind(endpoint) : b.bind(ServerArgs.HOST, a.port())).sync().channel();
      a.ready();
      server.closeFuture().sync();
    } finally {
      boss.shutdownGracefully();
      workers.shutdownGracefully();
    }
  }

  private static final EchoHandler ECHO = new EchoHandler();

  /** Shared base: flush per read batch, pause reading while the outbound buffer is full. */
  abstract static class Base extends ChannelInboundHandlerAdapter {
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @ChannelHandler.Sharable
  static final class EchoHandler extends Base {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg, ctx.voidPromise());
    }
  }

  static final class HttpHandler extends Base {
    private static final ByteBuf ONE =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(HttpHello.RESPONSE.length).writeBytes(HttpHello.RESPONSE));

    private final HttpHello.RequestCounter counter = new HttpHello.RequestCounter();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      int n;
      try {
        n = counter.count(in);
      } finally {
        in.release();
      }
      if (n == 1) {
        ctx.write(ONE.duplicate(), ctx.voidPromise());
      } else if (n > 1) {
        byte[] out = HttpHello.responses(n);
        ctx.write(ctx.alloc().ioBuffer(out.length).writeBytes(out), ctx.voidPromise());
      }
    }
  }
}
