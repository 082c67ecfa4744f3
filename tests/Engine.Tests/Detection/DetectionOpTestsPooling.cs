using Engine.Gpu;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using static Engine.Tests.Detection.DetectionFixtures;

namespace Engine.Tests.Detection;

/// <summary>
/// RoIAlign against torchvision's MultiScaleRoIAlign and roi_align (1e-4 relative to the output's
/// scale) and mask pasting against paste_masks_in_image (mean absolute difference at most 1e-3, the
/// issue's bar, and every pixel within 1e-2: fp32 resize arithmetic moves values by rounding only).
/// </summary>
public sealed class DetectionOpTestsPooling(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("roi_multiscale", false, 0)]
    [InlineData("roi_detectron2", true, 0)]
    [InlineData("roi_multiscale", false, 2)]
    [InlineData("roi_detectron2", true, 2)]
    public void Roi_align_over_fpn_levels_matches_torchvision(string name, bool detectron2, int tileC4)
    {
        var features = Enumerable.Range(0, 4).Select(l => OpFixtures.ToChannelsLast(Array("roi_multiscale", $"f{l}"))).ToArray();
        var tensors = features.Select((f, l) => Device.CreateTensor<float>($"p{l + 2}", f.Shape, f.Data)).ToArray();
        try
        {
            using var boxes = Upload(Device, "boxes", Array("roi_multiscale", "boxes"));
            var expected = Array(name, "y");
            var (r, c, size) = (expected.Shape[0], expected.Shape[1], expected.Shape[2]);
            var options = detectron2 ? RoiAlignOptions.Detectron2(size) : RoiAlignOptions.Torchvision(size);
            using var output = Device.CreateTensor("rois", new Shape(r, 1, size, size, tensors[0].Shape[4]));
            using var count = Count(Device, "count", (uint)r);
            float[] scales = [0.25f, 0.125f, 0.0625f, 0.03125f];
            // A tile of 2 texels splits the fixture's 3 texels into a full tile and a partial one.
            var op = tileC4 > 0 ? new RoiAlign(Device, tensors, scales, boxes, output, options, count, "roi_align", tileC4)
                : new RoiAlign(Device, tensors, scales, boxes, output, options, count);
            Device.Run(op.Record);
            var actual = output.Download<float>();
            OpFixtures.AssertClose(expected.ToFloats(), OpFixtures.FromChannelsLast(actual, output.Shape, c), name);
            OpFixtures.AssertPaddingZero(actual, output.Shape, c, name);
        }
        finally
        {
            foreach (var t in tensors)
                t.Dispose();
        }
    }

    [Fact]
    public void Roi_align_writes_zeros_past_the_box_count()
    {
        var f = OpFixtures.ToChannelsLast(Array("roi_multiscale", "f0"));
        using var feature = Device.CreateTensor<float>("p2", f.Shape, f.Data);
        using var boxes = Upload(Device, "boxes", Array("roi_multiscale", "boxes"));
        var r = boxes.Shape[0];
        using var output = Device.CreateTensor("rois", new Shape(r, 1, 3, 3, f.Shape[4]));
        using var count = Count(Device, "count", 5);
        Device.Run(list =>
        {
            list.Fill(output, BitConverter.SingleToUInt32Bits(float.NaN));
            new RoiAlign(Device, [feature], [0.25f], boxes, output, new RoiAlignOptions(3, 3), count).Record(list);
        });
        var actual = output.Download<float>();
        var perRow = 9 * f.Shape[4];
        Assert.All(actual[(5 * perRow)..], v => Assert.Equal(0f, v));
        Assert.All(actual[..(5 * perRow)], v => Assert.False(float.IsNaN(v)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Paste_masks_matches_torchvision_paste_masks_in_image(bool chunked)
    {
        var c = Case("paste");
        var (h, w) = (c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32());
        var logits = OpFixtures.ToChannelsLast(Array("paste", "logits"));
        var r = logits.Shape[0];
        using var tl = Device.CreateTensor<float>("logits", new Shape(r, 1, 28, 28, logits.Shape[4]), logits.Data);
        using var labels = Ints(Device, "labels", Ints("paste", "labels"));
        using var boxes = Upload(Device, "boxes", Array("paste", "boxes"));
        using var count = Count(Device, "count", (uint)(r - 1));
        using var output = Device.CreateTensor("masks", new Shape(r, h, w));
        // A chunk of 2 masks' bytes splits the output into 3 dispatches.
        var paste = chunked ? new PasteMasks(Device, tl, labels, boxes, output, count, "paste", (ulong)(2 * h * w * 4))
            : new PasteMasks(Device, tl, labels, boxes, output, count);
        Assert.Equal(chunked ? 3 : 1, paste.DispatchCount);
        Device.Run(paste.Record);
        var expected = Floats("paste", "masks");
        var actual = output.Download<float>();
        var plane = h * w;
        double sum = 0;
        for (var i = 0; i < (r - 1) * plane; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]);
            sum += error;
            Assert.True(error <= 1e-2, $"mask {i / plane} pixel {i % plane}: {actual[i]}, torchvision {expected[i]}");
        }
        Assert.True(sum / ((r - 1) * plane) <= 1e-3, $"mean absolute difference {sum / ((r - 1) * plane):g3} > 1e-3");
        Assert.All(actual[((r - 1) * plane)..], v => Assert.Equal(0f, v));
    }
}
