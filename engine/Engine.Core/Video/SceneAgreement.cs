namespace Engine.Video;

/// <summary>
/// How well live predictions on the synthetic scene agree with its script. A scripted segment is one
/// action of one pass of the (looping) timeline. A prediction counts for a segment when its whole clip
/// (the newest frame and the <c>span - 1</c> frames before it) lies inside the segment; a segment
/// agrees when more than half of its counted predictions name its action. Segments without a counted
/// prediction are left out of <see cref="Segments"/>.
/// </summary>
public sealed record SceneAgreement(int Segments, int Agreeing, int Predictions, int Correct)
{
    public double Fraction => Segments == 0 ? 0 : (double)Agreeing / Segments;

    /// <param name="scene">The scene the source rendered.</param>
    /// <param name="predictions">Newest source frame of each prediction's clip and its top-1 label.</param>
    /// <param name="span">Source frames a clip covers: (frames - 1) * sampling rate + 1.</param>
    public static SceneAgreement Score(SyntheticScene scene, IEnumerable<(long Frame, string Label)> predictions, int span)
    {
        if (span < 1)
            throw new EngineException($"Scene agreement: a clip must span at least one frame, not {span}.");
        var segments = new Dictionary<(long Pass, int Start), (int Count, int Correct)>();
        foreach (var (frame, label) in predictions)
        {
            var first = frame - (span - 1);
            if (first < 0)
                continue;
            var e = scene.EventAt(frame);
            var pass = frame / scene.Length;
            if (first / scene.Length != pass || scene.EventAt(first).Start != e.Start)
                continue;
            var key = (pass, e.Start);
            var (count, correct) = segments.GetValueOrDefault(key);
            segments[key] = (count + 1, correct + (label == e.Action.Label() ? 1 : 0));
        }
        return new SceneAgreement(segments.Count, segments.Values.Count(s => 2 * s.Correct > s.Count),
            segments.Values.Sum(s => s.Count), segments.Values.Sum(s => s.Correct));
    }

    public override string ToString() =>
        $"{Agreeing}/{Segments} scripted segments agree ({Fraction:P0}); {Correct}/{Predictions} predictions whose clip lies inside one segment are right";
}
