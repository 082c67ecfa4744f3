using Engine.Gpu;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using static Engine.Tests.Detection.DetectionFixtures;

namespace Engine.Tests.Detection;

/// <summary>Anchors, box decoding, score filtering and the row helpers against torchvision (exact where the arithmetic is exact, else 1e-4 relative).</summary>
public sealed class DetectionOpTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("anchors_fpn")]
    [InlineData("anchors_uneven_stride")]
    public void Anchors_equal_torchvision_anchor_generator_exactly(string name)
    {
        var c = Case(name);
        var image = c.GetProperty("image").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var ratios = c.GetProperty("ratios").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var levels = c.GetProperty("features").EnumerateArray().ToArray();
        for (var l = 0; l < levels.Length; l++)
        {
            var (h, w) = (levels[l][0].GetInt32(), levels[l][1].GetInt32());
            var sizes = c.GetProperty("sizes")[l].EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var expected = Floats(name, $"level{l}");
            using var output = Device.CreateTensor("anchors", new Shape(expected.Length / 4, 4));
            Device.Run(new Anchors(Device, output, h, w, image[0] / h, image[1] / w, sizes, ratios).Record);
            Assert.Equal(expected, output.Download<float>());
        }
    }

    [Fact]
    public void Box_decode_matches_torchvision_with_clamped_sizes_clipping_and_an_index_subset()
    {
        using var anchors = Upload(Device, "anchors", Array("decode_rpn", "anchors"));
        using var deltas = Upload(Device, "deltas", Array("decode_rpn", "deltas"));
        using var boxes = Device.CreateTensor("boxes", anchors.Shape);
        using var clipped = Device.CreateTensor("clipped", anchors.Shape);
        var indices = Ints("decode_rpn", "indices");
        using var subsetIndices = Ints(Device, "indices", indices);
        using var count = Count(Device, "count", 70);
        using var subset = Device.CreateTensor("subset", new Shape(indices.Length, 4));
        Device.Run(list =>
        {
            new BoxDecode(Device, anchors, deltas, boxes, BoxWeights.Rpn).Record(list);
            new BoxDecode(Device, anchors, deltas, clipped, BoxWeights.Rpn, (90, 120)).Record(list);
            new BoxDecode(Device, anchors, deltas, subset, BoxWeights.Rpn, (90, 120), subsetIndices, count).Record(list);
        });
        OpFixtures.AssertClose(Floats("decode_rpn", "boxes"), boxes.Download<float>(), "decoded");
        OpFixtures.AssertClose(Floats("decode_rpn", "clipped"), clipped.Download<float>(), "clipped");
        var expected = Floats("decode_rpn", "clipped_subset");
        var actual = subset.Download<float>();
        OpFixtures.AssertClose(expected[..(70 * 4)], actual[..(70 * 4)], "subset");
        Assert.All(actual[(70 * 4)..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Class_specific_decode_matches_torchvision_box_head_weights()
    {
        using var proposals = Upload(Device, "proposals", Array("decode_classes", "proposals"));
        using var deltas = Upload(Device, "deltas", Array("decode_classes", "deltas"));
        var expected = Array("decode_classes", "boxes");
        using var output = Device.CreateTensor("boxes", expected.Shape);
        Device.Run(new BoxDecode(Device, proposals, deltas, output, BoxWeights.RoiHeads, (150, 200)).Record);
        OpFixtures.AssertClose(expected.ToFloats(), output.Download<float>(), "class boxes");
    }

    [Fact]
    public void Score_filter_keeps_the_same_candidates_as_torchvision_box_head_filtering()
    {
        var c = Case("filter_classes");
        using var scores = Upload(Device, "scores", Array("filter_classes", "scores"));
        using var boxes = Upload(Device, "boxes", Array("filter_classes", "boxes"));
        using var rows = Count(Device, "rows", (uint)c.GetProperty("valid_rows").GetInt32());
        using var kept = Device.CreateTensor("kept", new Shape((int)scores.ElementCount), DataType.Int32);
        using var keptCount = Count(Device, "kept count", 12345);
        Device.Run(new ScoreFilter(Device, scores, kept, keptCount, c.GetProperty("threshold").GetSingle(), excludeColumn: 0, boxes: boxes,
            minSize: c.GetProperty("min_size").GetSingle(), rowCount: rows).Record);
        var actual = Valid(kept, keptCount).Order().ToArray();
        Assert.Equal(Ints("filter_classes", "kept"), actual);
    }

    [Fact]
    public void Score_filter_with_sigmoid_and_inclusive_threshold_keeps_exactly_the_passing_logits()
    {
        var logits = RandomFloats(1001, 5, 4);
        logits[10] = 0; // sigmoid(0) = 0.5 exactly: kept by >= 0.5
        using var scores = Device.CreateTensor<float>("logits", new Shape(logits.Length), logits);
        using var kept = Device.CreateTensor("kept", new Shape(logits.Length), DataType.Int32);
        using var keptCount = Count(Device, "kept count");
        Device.Run(new ScoreFilter(Device, scores, kept, keptCount, 0.5f, inclusive: true, sigmoid: true).Record);
        var expected = Enumerable.Range(0, logits.Length).Where(i => logits[i] >= 0).ToArray();
        Assert.Equal(expected, Valid(kept, keptCount).Order().ToArray());
    }

    [Fact]
    public void Gather_concat_rows_and_row_labels_move_only_valid_rows()
    {
        var a = RandomFloats(40, 1);
        var b = RandomFloats(24, 2);
        using var ta = Device.CreateTensor<float>("a", new Shape(10, 4), a);
        using var tb = Device.CreateTensor<float>("b", new Shape(6, 4), b);
        using var ca = Count(Device, "count a", 7);
        using var cb = Count(Device, "count b", 6);
        using var joined = Device.CreateTensor("joined", new Shape(16, 4));
        using var total = Count(Device, "total", 99);
        using var ids = Device.CreateTensor("ids", new Shape(16), DataType.Int32);
        using var labels = Device.CreateTensor("labels", new Shape(16), DataType.Int32);
        int[] order = [12, 0, 3, -1, 5];
        using var indices = Ints(Device, "indices", order);
        using var gatherCount = Count(Device, "gather count", 4);
        using var gathered = Device.CreateTensor("gathered", new Shape(5, 4));
        Device.Run(list =>
        {
            new ConcatRows(Device, [ta, tb], [ca, cb], joined, total, ids).Record(list);
            new RowLabels(Device, labels, 2, 3).Record(list);
            new Gather(Device, joined, indices, gathered, gatherCount).Record(list);
        });
        var expectedJoined = a[..28].Concat(b).ToArray();
        Assert.Equal(13u, total.Download<uint>()[0]);
        Assert.Equal(expectedJoined, joined.Download<float>()[..52]);
        Assert.Equal(Enumerable.Repeat(0, 7).Concat(Enumerable.Repeat(1, 6)), ids.Download<int>()[..13]);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i / 2 % 3), labels.Download<int>());
        var expectedGathered = order.Select((row, j) => j < 4 && row >= 0 ? expectedJoined[(row * 4)..(row * 4 + 4)] : new float[4]).SelectMany(r => r);
        Assert.Equal(expectedGathered, gathered.Download<float>());
    }

    [Fact]
    public void Ops_reject_mismatched_shapes_naming_the_op()
    {
        using var boxes = Device.CreateTensor("boxes", new Shape(10, 4));
        using var deltas = Device.CreateTensor("deltas", new Shape(9, 4));
        using var output = Device.CreateTensor("output", new Shape(10, 4));
        var error = Assert.Throws<EngineException>(() => new BoxDecode(Device, boxes, deltas, output, BoxWeights.Rpn, name: "rpn.decode"));
        Assert.Contains("rpn.decode", error.Message);
        Assert.Contains("(9, 4)", error.Message);
    }
}
