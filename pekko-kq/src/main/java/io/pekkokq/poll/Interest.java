package io.pekkokq.poll;

/** What a registration wants to hear about (KQ_INTEREST_* in kq.h). */
public final class Interest {
  public static final int READ = 0x1;
  public static final int WRITE = 0x2;
  public static final int READ_WRITE = READ | WRITE;

  private Interest() {}
}
