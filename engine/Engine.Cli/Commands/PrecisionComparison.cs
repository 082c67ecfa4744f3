using System.Globalization;

namespace Engine.Cli.Commands;

/// <summary>
/// How far a network's outputs with fp16 weights are from its outputs with fp32 weights (`run-model
/// --precision fp16 --compare-fp32`): the largest logit difference, absolute and relative to the
/// largest logit, the largest probability difference, and whether each clip keeps its top-1 class and
/// its top-5 set.
/// </summary>
internal sealed record PrecisionComparison(double LogitMaxDiff, double LogitMaxAbs, double ProbabilityMaxDiff, int Top1Agree, double Top5Overlap, int Clips)
{
    /// <summary>Compares (clips, classes) probabilities and the logits (any layout, the same in both).</summary>
    public static PrecisionComparison Of(float[] logits, float[] referenceLogits, float[] probabilities, float[] referenceProbabilities, int clips)
    {
        if (logits.Length != referenceLogits.Length || probabilities.Length != referenceProbabilities.Length || clips <= 0 || probabilities.Length % clips != 0)
            throw new EngineException($"compare-fp32: outputs of different sizes ({logits.Length} and {referenceLogits.Length} logits, {probabilities.Length} and {referenceProbabilities.Length} probabilities).");
        var classes = probabilities.Length / clips;
        var (logitDiff, logitMax, probabilityDiff) = (0.0, 0.0, 0.0);
        for (var i = 0; i < logits.Length; i++)
        {
            logitDiff = Math.Max(logitDiff, Math.Abs((double)logits[i] - referenceLogits[i]));
            logitMax = Math.Max(logitMax, Math.Abs(referenceLogits[i]));
        }
        for (var i = 0; i < probabilities.Length; i++)
            probabilityDiff = Math.Max(probabilityDiff, Math.Abs((double)probabilities[i] - referenceProbabilities[i]));
        var (top1, top5) = (0, 0.0);
        for (var c = 0; c < clips; c++)
        {
            var mine = Top(probabilities.AsSpan(c * classes, classes), 5);
            var theirs = Top(referenceProbabilities.AsSpan(c * classes, classes), 5);
            top1 += mine[0] == theirs[0] ? 1 : 0;
            top5 += mine.Intersect(theirs).Count();
        }
        return new PrecisionComparison(logitDiff, logitMax, probabilityDiff, top1, top5 / clips, clips);
    }

    /// <summary>The indices of the <paramref name="k"/> largest values (fewer when there are fewer), largest first, ties by index.</summary>
    private static int[] Top(ReadOnlySpan<float> values, int k)
    {
        var copy = values.ToArray();
        return [.. Enumerable.Range(0, copy.Length).OrderByDescending(i => copy[i]).ThenBy(i => i).Take(k)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"fp16 weights against fp32: logits max |diff| {LogitMaxDiff:0.###e+0} ({LogitMaxDiff / Math.Max(LogitMaxAbs, double.Epsilon):0.###e+0} of the largest |logit| {LogitMaxAbs:0.###}), "
        + $"probabilities max |diff| {ProbabilityMaxDiff:0.###e+0}, top-1 agreement {Top1Agree}/{Clips} clips, top-5 overlap {Top5Overlap:0.0}/5");
}
