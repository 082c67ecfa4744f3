using Engine.Gpu;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using static Engine.Tests.Detection.DetectionFixtures;

namespace Engine.Tests.Detection;

/// <summary>
/// Top-k and NMS against torch.topk and torchvision.ops.nms / batched_nms. torch.topk orders equal
/// scores arbitrarily, so top-k is compared as torch does it: the same values in the same order, the
/// same index set above the k-th value, and exactly torch.sort(stable=True)'s order, which is the
/// engine's tie rule (lower index first). torchvision's NMS sorts stably, so kept indices must be equal
/// in order.
/// </summary>
public sealed class DetectionOpTestsSorting(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("topk_ties")]
    [InlineData("topk_large")]
    public void Top_k_matches_torch_topk_with_lower_index_first_on_ties(string name)
    {
        var scores = Floats(name, "scores");
        var k = Case(name).GetProperty("k").GetInt32();
        using var ts = Device.CreateTensor<float>("scores", new Shape(scores.Length), scores);
        using var output = Device.CreateTensor("top", new Shape(k), DataType.Int32);
        using var count = Count(Device, "count");
        using var scratch = Scratch(Device, TopK.ScratchBytes(scores.Length));
        Device.Run(new TopK(Device, ts, output, count, scratch).Record);
        var actual = Valid(output, count);
        Assert.Equal(k, actual.Length);
        Assert.Equal(Floats(name, "torch_values"), actual.Select(i => scores[i]));
        var torchIndices = Ints(name, "torch_indices");
        var kth = scores[torchIndices[^1]];
        Assert.Equal(torchIndices.Where(i => scores[i] > kth).Order(), actual.Where(i => scores[i] > kth).Order());
        Assert.Equal(Ints(name, "stable_indices"), actual);
    }

    [Theory]
    [InlineData("topk_ties", 500, 300, 400)] // bitonic sort of all candidates
    [InlineData("topk_large", 30000, 25000, 1000)] // radix select first
    public void Top_k_over_candidates_with_a_count_sorts_only_the_valid_candidates(string name, int length, int count, int k)
    {
        var scores = Floats(name, "scores");
        var candidates = Enumerable.Range(0, length).Select(i => (i * 37 + 11) % scores.Length).ToArray();
        using var ts = Device.CreateTensor<float>("scores", new Shape(scores.Length), scores);
        using var tc = Ints(Device, "candidates", candidates);
        using var valid = Count(Device, "valid", (uint)count);
        using var output = Device.CreateTensor("top", new Shape(k), DataType.Int32);
        using var outputCount = Count(Device, "count");
        using var scratch = Scratch(Device, TopK.ScratchBytes(candidates.Length));
        Device.Run(new TopK(Device, ts, output, outputCount, scratch, tc, valid).Record);
        var expected = candidates[..count].OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
        Assert.Equal(expected, Valid(output, outputCount));
        Assert.All(output.Download<int>()[expected.Length..], i => Assert.Equal(-1, i));
    }

    [Theory]
    [InlineData("nms_plain")]
    [InlineData("nms_rpn")]
    [InlineData("nms_classes")]
    [InlineData("nms_exact_half")]
    [InlineData("nms_many")] // 12,000 grouped candidates: six chunks, per-group comparison
    [InlineData("nms_offsets")] // 601 grouped candidates: torchvision's shifted boxes and their rounding
    public void Nms_keeps_what_torchvision_keeps_in_the_same_order(string name)
    {
        var c = Case(name);
        using var boxes = Upload(Device, "boxes", Array(name, "boxes"));
        using var scores = Upload(Device, "scores", Array(name, "scores"));
        var n = (int)scores.ElementCount;
        using var groups = c.GetProperty("groups").GetInt32() > 0 ? Ints(Device, "groups", Ints(name, "groups")) : null;
        using var keep = Device.CreateTensor("keep", new Shape(n), DataType.Int32);
        using var keepCount = Count(Device, "keep count");
        using var scratch = Scratch(Device, Nms.ScratchBytes(Device, n));
        Device.Run(new Nms(Device, boxes, scores, keep, keepCount, c.GetProperty("iou").GetSingle(), scratch, groups: groups).Record);
        Assert.Equal(Ints(name, "keep"), Valid(keep, keepCount));
    }

    [Fact]
    public void Nms_over_counted_candidates_stops_at_max_keep()
    {
        var boxes = Floats("nms_plain", "boxes");
        var scores = Floats("nms_plain", "scores");
        var expected = Ints("nms_plain", "keep");
        using var tb = Device.CreateTensor<float>("boxes", new Shape(scores.Length, 4), boxes);
        using var ts = Device.CreateTensor<float>("scores", new Shape(scores.Length), scores);
        // All boxes as candidates in reverse order, plus garbage past the count that must not be read.
        var candidates = Enumerable.Range(0, scores.Length).Reverse().Concat(Enumerable.Repeat(12345, 50)).ToArray();
        using var tc = Ints(Device, "candidates", candidates);
        using var valid = Count(Device, "valid", (uint)scores.Length);
        using var keep = Device.CreateTensor("keep", new Shape(100), DataType.Int32);
        using var keepCount = Count(Device, "keep count");
        using var scratch = Scratch(Device, Nms.ScratchBytes(Device, candidates.Length));
        Device.Run(new Nms(Device, tb, ts, keep, keepCount, 0.5f, scratch, tc, valid).Record);
        Assert.Equal(expected[..100], Valid(keep, keepCount));
    }

    [Theory]
    [InlineData(100)] // complete within the first chunk
    [InlineData(5000)] // complete within a later one
    public void Nms_over_many_chunks_stops_at_max_keep(int maxKeep)
    {
        const string Name = "nms_many";
        var expected = Ints(Name, "keep");
        Assert.True(expected.Length > maxKeep, $"{Name}: torchvision keeps only {expected.Length}");
        using var boxes = Upload(Device, "boxes", Array(Name, "boxes"));
        using var scores = Upload(Device, "scores", Array(Name, "scores"));
        using var groups = Ints(Device, "groups", Ints(Name, "groups"));
        var n = (int)scores.ElementCount;
        using var keep = Device.CreateTensor("keep", new Shape(maxKeep), DataType.Int32);
        using var keepCount = Count(Device, "keep count");
        using var scratch = Scratch(Device, Nms.ScratchBytes(Device, n));
        Device.Run(new Nms(Device, boxes, scores, keep, keepCount, 0.5f, scratch, groups: groups).Record);
        Assert.Equal(expected[..maxKeep], Valid(keep, keepCount));
    }

    [Fact]
    public void Nms_over_counted_candidates_among_many_more_slots_keeps_what_torchvision_keeps()
    {
        // nms_many's 12,000 candidates in a scrambled order, then 30,000 slots past the count: the sort
        // and the chunks are sized on the GPU by the count, not by the 42,000 slots.
        const string Name = "nms_many";
        var expected = Ints(Name, "keep");
        using var boxes = Upload(Device, "boxes", Array(Name, "boxes"));
        using var scores = Upload(Device, "scores", Array(Name, "scores"));
        using var groups = Ints(Device, "groups", Ints(Name, "groups"));
        var n = (int)scores.ElementCount;
        var candidates = Enumerable.Range(0, n).Select(i => (int)((i * 7919L + 13) % n)).Concat(Enumerable.Repeat(0, 30000)).ToArray();
        Assert.Equal(n, candidates[..n].Distinct().Count());
        using var tc = Ints(Device, "candidates", candidates);
        using var valid = Count(Device, "valid", (uint)n);
        using var keep = Device.CreateTensor("keep", new Shape(n), DataType.Int32);
        using var keepCount = Count(Device, "keep count");
        using var scratch = Scratch(Device, Nms.ScratchBytes(Device, candidates.Length));
        Device.Run(new Nms(Device, boxes, scores, keep, keepCount, 0.5f, scratch, tc, valid, groups).Record);
        Assert.Equal(expected, Valid(keep, keepCount));
    }
}
