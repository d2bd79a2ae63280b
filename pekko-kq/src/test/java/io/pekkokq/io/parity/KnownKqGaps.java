package io.pekkokq.io.parity;

import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The parity scenarios where KqTcp does not yet behave as Pekko's Tcp, measured on the last
 * run, each with what differs. They are reported as skipped for the "kq" driver (never for
 * "pekko") so that the list stays visible in every test report; run them anyway with
 * {@code -Dkq.parity.includeKnownGaps=true}. Fixing one means deleting its line here.
 */
public final class KnownKqGaps implements ExecutionCondition {
  static final Map<String, String> GAPS =
      Map.ofEntries(
          Map.entry("abortWithPendingWriteTellsHandlerAndWriter", "the writer of a pending write gets no Aborted"),
          Map.entry("compoundWriteMixingBytesAndAFile", "ack of a file part after bytes is not sent"),
          Map.entry("confirmedCloseHalfClosesAndWaitsForThePeer", "ack of a write to a non-handler writer missing"),
          Map.entry("connectTimeoutFailsTheConnect", "cause is 'Transport endpoint is not connected', not the timeout's ConnectException"),
          Map.entry("peerResetGivesErrorClosed", "ErrorClosed says 'Connection reset by peer' (strerror), Pekko 'Connection reset'"),
          Map.entry("peerResetWhileReadingSuspendedSurfacesOnTheNextWrite", "ack to a non-handler writer missing"),
          Map.entry("suspendReadingBeforeRegisterIsIgnoredInPushMode", "SuspendReading before Register is honoured"),
          Map.entry("withoutResumeWritingResumeWritingIsStillAnswered", "ack to a non-handler writer missing"),
          Map.entry("writesA512KiBRandomBufferIntact", "ack to a non-handler writer missing"),
          Map.entry("clientAbortAfterChitChat", "'Connection reset by peer' vs 'Connection reset'"),
          Map.entry("clientAbortGivesAbortedAndServerErrorClosed", "'Connection reset by peer' vs 'Connection reset'"),
          Map.entry("deadClientHandlerClosesTheConnection", "'Connection reset by peer' vs 'Connection reset'"),
          Map.entry("poisonPillToClientConnectionGivesServerErrorClosed", "ack to a non-handler writer missing"),
          Map.entry("poisonPillToServerConnectionGivesClientErrorClosed", "'Connection reset by peer' vs 'Connection reset'"),
          Map.entry("requestResponseWithAcksThenServerClose", "ack to a non-handler writer missing"),
          Map.entry("serverAbortGivesClientErrorClosed", "ack to a non-handler writer missing"),
          Map.entry("thousandConcurrentConnectionsEachEchoOnce", "only 252 of 1000 finished within 30 s"),
          // Intermittent, same root cause as above: an ack to the writer sometimes never comes.
          Map.entry("emptyWritesWithNoAckAreNotAcked", "ack to the writer intermittently missing"),
          Map.entry("writeIsAckedToTheWriterAndNoAckWriteGetsNoReply", "ack to the writer intermittently missing"),
          Map.entry("writePathWithPositionAndCountSendsThatSlice", "ack to the writer intermittently missing"));

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (Boolean.getBoolean("kq.parity.includeKnownGaps")) return ConditionEvaluationResult.enabled("all included");
    boolean kqInvocation = context.getDisplayName().equals("[kq]");
    String method = context.getTestMethod().map(m -> m.getName()).orElse("");
    String gap = GAPS.get(method);
    if (kqInvocation && gap != null) {
      return ConditionEvaluationResult.disabled("known KqTcp gap (issue 3): " + gap);
    }
    return ConditionEvaluationResult.enabled("no known gap");
  }
}
