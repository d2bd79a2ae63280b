package io.pekkokq.event;

/** Sent to a subscribed actor each time its UNIX signal is delivered to the process. */
public final class SignalReceived {
  private final String name;
  private final int number;

  public SignalReceived(String name, int number) {
    this.name = name;
    this.number = number;
  }

  /** The name as subscribed, e.g. "USR1". */
  public String name() {
    return name;
  }

  /** The platform's signal number. */
  public int number() {
    return number;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignalReceived && ((SignalReceived) o).number == number;
  }

  @Override
  public int hashCode() {
    return number;
  }

  @Override
  public String toString() {
    return "SignalReceived(" + name + ", " + number + ")";
  }
}
