using System.Runtime.InteropServices;
using Engine.Graph;
using Engine.Models.Detection;
using Xunit.Abstractions;

namespace Engine.Tests.Detection;

/// <summary>
/// Comparisons of a detector graph with a reference's fixture set (torchvision's or detectron2's
/// dumps): dense tensors within a tolerance of their largest magnitude, proposals and detections as
/// sets. The tests of every detector family share them, so each family's test states only what differs.
/// </summary>
internal sealed class DetectionSets(string set, string reference, ITestOutputHelper output)
{
    /// <summary>Every element within <paramref name="tolerance"/> of the expected tensor's largest magnitude.</summary>
    public void Compare(string name, string tensor, float[] actual, double tolerance = 1e-4)
    {
        var e = Fixtures.Npy(set, $"{name}.{tensor}").ToFloats();
        Assert.True(e.Length == actual.Length, $"{name} {tensor}: {actual.Length} values, {reference} {e.Length}");
        var scale = Math.Max(1e-6, e.Max(v => Math.Abs((double)v)));
        var (worst, at) = (0.0, 0);
        for (var i = 0; i < e.Length; i++)
        {
            var d = Math.Abs((double)e[i] - actual[i]);
            if (d > worst)
                (worst, at) = (d, i);
        }
        output.WriteLine($"{name} {tensor}: max abs error {worst / scale:g3} of the largest magnitude");
        Assert.True(worst <= tolerance * scale, $"{name} {tensor}: max abs error {worst:g3} at {at} ({actual[at]} vs {e[at]}), allowed {tolerance * scale:g3}");
    }

    /// <summary>
    /// The proposals as a set: as many as the reference's, scores non-increasing, and each reference
    /// proposal matched by a distinct engine proposal within 1e-4 of the boxes' scale whose score is
    /// within 1e-4. Both lists are sorted, so a match can only move a row among rows of equal score to
    /// 1e-4: the order of scores closer than the dense network's fp32 noise is not defined by the
    /// reference either (it moves between torch runs). Returns the engine row of each reference row.
    /// </summary>
    public int[] MatchProposals(string name, CompiledGraph graph)
    {
        var expected = Fixtures.Npy(set, $"{name}.rpn.proposals").ToFloats();
        var expectedScores = Fixtures.Npy(set, $"{name}.rpn.scores").ToFloats();
        var count = (int)graph.Tensor("rpn.count").Download<uint>()[0];
        Assert.True(count == expectedScores.Length, $"{name}: {count} proposals, {reference} {expectedScores.Length}");
        var boxes = graph.Read(DetectorBuilder.ProposalsTensor);
        var scores = graph.Read(DetectorBuilder.ProposalScores);
        for (var j = 1; j < count; j++)
            Assert.True(scores[j] <= scores[j - 1], $"{name}: proposal {j} scores {scores[j]} after {scores[j - 1]}");
        var tolerance = 1e-4 * expected.Max(v => Math.Abs((double)v));
        var order = new int[count];
        var used = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var match = -1;
            for (var j = 0; j < count && match < 0; j++)
            {
                if (!used[j] && Math.Abs(scores[j] - expectedScores[i]) <= 1e-4 && MaxAbsDifference(boxes.AsSpan(4 * j, 4), expected.AsSpan(4 * i, 4)) <= tolerance)
                    match = j;
            }
            Assert.True(match >= 0, $"{name}: {reference} proposal {i} (score {expectedScores[i]}, box {string.Join(", ", expected.AsSpan(4 * i, 4).ToArray())}) "
                + $"has no engine match; engine row {i}: score {scores[i]}, box {string.Join(", ", boxes.AsSpan(4 * i, 4).ToArray())}");
            (order[i], used[match]) = (match, true);
        }
        output.WriteLine($"{name} rpn.proposals: {count} matched, {order.Where((j, i) => j != i).Count()} rows moved among near-equal scores");
        return order;
    }

    /// <summary>
    /// The final detections as sets: the same number, and every reference detection matched by a
    /// distinct engine detection of the same label at IoU >= 0.99 with the score within 1e-4. Returns
    /// the engine row of each reference row.
    /// </summary>
    public int[] MatchDetections(string name, CompiledGraph graph)
    {
        var expectedBoxes = Fixtures.Npy(set, $"{name}.detections.boxes").ToFloats();
        var expectedScores = Fixtures.Npy(set, $"{name}.detections.scores").ToFloats();
        var labelArray = Fixtures.Npy(set, $"{name}.detections.labels");
        Assert.Equal(Engine.Gpu.DataType.Int32, labelArray.Type);
        var expectedLabels = MemoryMarshal.Cast<byte, int>(labelArray.Data).ToArray();
        var count = (int)graph.Tensor(DetectorBuilder.Count).Download<uint>()[0];
        Assert.True(count == expectedScores.Length, $"{name}: {count} detections, {reference} {expectedScores.Length}");
        var boxes = graph.Read(DetectorBuilder.Boxes);
        var scores = graph.Read(DetectorBuilder.Scores);
        var labels = graph.Tensor(DetectorBuilder.Labels).Download<int>();
        var order = new int[count];
        var used = new bool[count];
        for (var e = 0; e < count; e++)
        {
            var match = -1;
            for (var a = 0; a < count && match < 0; a++)
            {
                if (!used[a] && labels[a] == expectedLabels[e] && Math.Abs(scores[a] - expectedScores[e]) <= 1e-4
                    && Iou(boxes.AsSpan(4 * a, 4), expectedBoxes.AsSpan(4 * e, 4)) >= 0.99)
                    match = a;
            }
            Assert.True(match >= 0, $"{name}: {reference} detection {e} (label {expectedLabels[e]}, score {expectedScores[e]}, box "
                + $"{string.Join(", ", expectedBoxes.AsSpan(4 * e, 4).ToArray())}) has no engine match");
            (order[e], used[match]) = (match, true);
        }
        return order;
    }

    /// <summary>Rows <paramref name="order"/> and the first <paramref name="columns"/> columns of a (R, 1, 1, 1, Cp) head output.</summary>
    public static float[] Rows(CompiledGraph graph, string tensor, int[] order, int columns)
    {
        var values = graph.Read(tensor);
        var cp = graph.Spec(tensor).Shape[-1];
        var result = new float[order.Length * columns];
        for (var r = 0; r < order.Length; r++)
            Array.Copy(values, (long)order[r] * cp, result, (long)r * columns, columns);
        return result;
    }

    public static double Iou(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var iw = Math.Max(0, Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]));
        var ih = Math.Max(0, Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]));
        var inter = (double)iw * ih;
        var union = (double)(a[2] - a[0]) * (a[3] - a[1]) + (double)(b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : a.SequenceEqual(b) ? 1 : 0;
    }

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var worst = 0.0;
        for (var i = 0; i < a.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}
