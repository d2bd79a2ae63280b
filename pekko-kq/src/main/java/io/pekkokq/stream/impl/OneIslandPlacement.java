package io.pekkokq.stream.impl;

import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.ClosedShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import scala.Tuple2;

/**
 * INTERNAL API. Materializes a closed graph on a dispatcher as ONE island: one interpreter
 * actor, on that dispatcher, running every stage of the graph.
 *
 * <p>Why not {@code graph.withAttributes(ActorAttributes.dispatcher(d))}: Pekko's
 * traversal builder makes any graph whose own attributes name a dispatcher an island of
 * its own ({@code TraversalBuilder.setAttributes}: {@code attributes.isAsync} is true for
 * a {@code Dispatcher}, so it calls {@code makeIsland}), and the materializer always opens
 * a root island around the whole graph. The root then has no stages, yet its
 * {@code GraphStageIsland.onIslandReady} still spawns an interpreter actor: two actors per
 * graph, about 5 KB more garbage per connection (docs/streams.md, "On the poller thread").
 *
 * <p>What Pekko honours for the root island are the materializer's default attributes:
 * {@link Materializer#materialize(Graph, Attributes)} (public, not deprecated) takes them
 * explicitly, as the least specific attributes of the whole graph. It REPLACES the
 * materializer's own defaults (which carry the mandatory {@code InputBuffer},
 * {@code SupervisionStrategy}, {@code Dispatcher}, ... from {@code pekko.stream.materializer}),
 * and no public API hands those out, so this reads them the way every stage sees them: a
 * probe stage with no attributes of its own, materialized once, whose inherited
 * attributes are exactly the defaults. The result is kept for the last materializer used
 * (one volatile read per run; a different materializer is probed again and replaces it).
 */
public final class OneIslandPlacement {
  private static final class Known {
    final Materializer materializer;
    final Attributes defaults;

    Known(Materializer materializer, Attributes defaults) {
      this.materializer = materializer;
      this.defaults = defaults;
    }
  }

  private volatile Known known;

  /** Runs {@code graph} with {@code materializer} as one island on {@code dispatcher}. */
  public <M> M run(Graph<ClosedShape, M> graph, Materializer materializer, String dispatcher) {
    Attributes defaults = defaultsOf(materializer);
    return materializer.materialize(graph, defaults.and(ActorAttributes.dispatcher(dispatcher)));
  }

  /** The default attributes {@code materializer} gives every graph it runs. */
  public Attributes defaultsOf(Materializer materializer) {
    Known k = known;
    if (k != null && k.materializer == materializer) return k.defaults;
    Attributes defaults =
        Source.fromGraph(new DefaultsProbe()).toMat(Sink.ignore(), Keep.left()).run(materializer);
    known = new Known(materializer, defaults);
    return defaults;
  }

  /**
   * A source with no attributes of its own that completes at once and materializes to the
   * attributes it inherited: with no attributes anywhere above it, the materializer's
   * defaults.
   */
  private static final class DefaultsProbe extends GraphStageWithMaterializedValue<SourceShape<Object>, Attributes> {
    private final Outlet<Object> out = Outlet.create("DefaultsProbe.out");
    private final SourceShape<Object> shape = SourceShape.of(out);

    @Override
    public SourceShape<Object> shape() {
      return shape;
    }

    @Override
    public Tuple2<GraphStageLogic, Attributes> createLogicAndMaterializedValue(Attributes inheritedAttributes) {
      GraphStageLogic logic =
          new GraphStageLogic(shape) {
            {
              setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                  completeStage();
                }
              });
            }

            @Override
            public void preStart() {
              completeStage();
            }
          };
      return Tuple2.apply(logic, inheritedAttributes);
    }
  }
}
