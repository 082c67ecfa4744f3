using Engine.Video;

namespace Engine.Tests.Video;

public sealed class SceneAgreementTests
{
    // Two actions of 50 and 60 frames; the timeline loops after frame 110.
    private static readonly SyntheticScene _scene = new(32, 32,
    [
        new SceneEvent(0, 50, SceneAction.MovingLeft, ShapeKind.Circle, 0xFF0000, 0.5, 0.5, 0.3),
        new SceneEvent(50, 60, SceneAction.Growing, ShapeKind.Square, 0x00FF00, 0.5, 0.5, 0.3),
    ]);

    [Fact]
    public void Only_clips_wholly_inside_one_segment_count_and_a_segment_needs_a_majority()
    {
        const int Span = 10; // frames newest-9 .. newest
        var predictions = new (long, string)[]
        {
            (5, "growing"),        // starts before frame 0: ignored
            (9, "moving left"),    // frames 0..9: counted for segment 1
            (20, "growing"),       // counted, wrong
            (30, "moving left"),   // counted: segment 1 has 2 of 3 right
            (55, "moving left"),   // frames 46..55 straddle the boundary: ignored
            (59, "growing"),       // frames 50..59: counted, segment 2 right 1 of 2
            (80, "shrinking"),
            (112, "moving left"),  // frames 103..112 straddle the loop: ignored
            (125, "growing"),      // second pass, segment 1 again: wrong, 0 of 1
        };
        var a = SceneAgreement.Score(_scene, predictions, Span);
        Assert.Equal(3, a.Segments);
        Assert.Equal(1, a.Agreeing);
        Assert.Equal((6, 3), (a.Predictions, a.Correct));
        Assert.Equal(1.0 / 3, a.Fraction, 6);
    }

    [Fact]
    public void Clip_starts_lie_inside_their_action_centred_or_seeded_and_placement_keeps_the_timeline()
    {
        var scene = SyntheticScene.Random(64, 48, seed: 4, count: 40);
        var centred = scene.ClipStarts(8, 4);
        var random = scene.ClipStarts(8, 4, placementSeed: 4);
        Assert.Equal(random, scene.ClipStarts(8, 4, placementSeed: 4));
        Assert.NotEqual(centred, random);
        Assert.Equal(scene.Events, SyntheticScene.Random(64, 48, seed: 4, count: 40).Events);
        for (var i = 0; i < scene.Events.Count; i++)
        {
            var e = scene.Events[i];
            foreach (var first in (int[])[centred[i], random[i]])
                Assert.InRange(first, e.Start, e.End - 29);
            Assert.Equal(e.Start + (e.Frames - 29) / 2, centred[i]);
        }
        Assert.Throws<EngineException>(() => scene.ClipStarts(8, 8));
    }
}
