using System.Text.Json;
using Engine.Contracts;
using Engine.Files;
using Engine.Gpu;
using Engine.Tests.Gpu;
using Engine.Video;

namespace Engine.Tests.Video;

public sealed class ClipBufferTests(GpuFixture fixture) : GpuTest(fixture)
{
    private static Frame FrameOf(byte[] rgb, int width, int height)
    {
        var ring = new FrameRing(width, height, buffers: 2);
        var frame = ring.Rent();
        rgb.CopyTo(frame.Pixels, 0);
        ring.Publish(frame);
        return ring.Take(TimeSpan.FromSeconds(1))!;
    }

    [Theory]
    [InlineData("wide_centre")]
    [InlineData("wide_three")]
    [InlineData("tall_three_bgr")]
    [InlineData("upscale")]
    public void Preprocess_matches_torch_resize_crop_and_normalise(string name)
    {
        var frameArray = Fixtures.Npy("live", $"{name}_frame");
        var expected = Fixtures.Npy("live", $"{name}_expected").ToFloats();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("live"), "cases.json")));
        var c = doc.RootElement.GetProperty(name);
        var (h, w) = (frameArray.Shape[0], frameArray.Shape[1]);
        var norm = new Normalization(c.GetProperty("scale").GetDouble(), [.. c.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble())],
            [.. c.GetProperty("std").EnumerateArray().Select(e => e.GetDouble())], c.GetProperty("bgr").GetBoolean());
        var crops = c.GetProperty("crops").GetInt32();
        var s = c.GetProperty("crop").GetInt32();
        var geometry = new ClipGeometry(1, 1, c.GetProperty("short_side").GetInt32(), s, norm, Crops: crops);

        using var clips = new ClipBuffer(Device, geometry, w, h);
        AssertOneSampleMatches(name, clips, frameArray, expected, crops * s * s);
    }

    [Theory]
    [InlineData("within_caps", 41, 30)]
    [InlineData("shrunk_by_long_side", 50, 20)]
    [InlineData("shrunk_by_short_side_tall", 27, 42)]
    public void A_whole_frame_input_is_the_frame_shrunk_only_beyond_its_caps_as_torchvision_resizes(string name, int width, int height)
    {
        var frameArray = Fixtures.Npy("detect_demo", $"{name}_frame");
        var expected = Fixtures.Npy("detect_demo", $"{name}_expected");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("detect_demo"), "cases.json")));
        var c = doc.RootElement.GetProperty(name);
        var (h, w) = (frameArray.Shape[0], frameArray.Shape[1]);
        var input = new NetworkInput(new FrameGeometry(c.GetProperty("long_cap").GetInt32(), c.GetProperty("short_cap").GetInt32(), Normalization.ImageNet));

        using var clips = new ClipBuffer(Device, input, w, h);
        Assert.Equal(new Shape(1, 1, height, width, 4), clips.ClipShape);
        Assert.Equal([RegionF.Full], clips.CropRegions);
        Assert.Equal([height, width, 3], expected.Shape.Dims.ToArray());
        AssertOneSampleMatches(name, clips, frameArray, expected.ToFloats(), width * height);
    }

    /// <summary>Samples one frame into the clip and compares its first <paramref name="pixels"/> pixels with torch's (RGB) to 1e-4 of the scale; channel 3 is zero.</summary>
    private void AssertOneSampleMatches(string name, ClipBuffer clips, NpyArray frameArray, float[] expected, int pixels)
    {
        var (h, w) = (frameArray.Shape[0], frameArray.Shape[1]);
        using var gpu = new GpuFrame(Device, w, h);
        var frame = FrameOf(frameArray.Data, w, h);
        Device.Run(list =>
        {
            gpu.Write(frame, list);
            clips.RecordSample(list, gpu, frame);
        });
        using var clip = Device.CreateTensor("clip", clips.ClipShape);
        clips.TakeClip(clip);
        var got = clip.Download<float>();
        var scale = expected.Select(Math.Abs).Max();
        for (var i = 0; i < pixels; i++)
        {
            for (var ch = 0; ch < 3; ch++)
                Assert.True(Math.Abs(got[i * 4 + ch] - expected[i * 3 + ch]) <= 1e-4 * scale, $"{name}: pixel {i} channel {ch}: {got[i * 4 + ch]} vs torch {expected[i * 3 + ch]}");
            Assert.Equal(0f, got[i * 4 + 3]);
        }
    }

    [Fact]
    public void Clips_hold_every_rth_frame_oldest_first_and_respect_the_hop()
    {
        const int W = 8, H = 8;
        var identity = new Normalization(255.0, [0, 0, 0], [1, 1, 1]);
        var geometry = new ClipGeometry(3, 2, 8, 8, identity, Clips: 2, ClipStride: 1);
        using var clips = new ClipBuffer(Device, geometry, W, H, hop: 2);
        using var gpu = new GpuFrame(Device, W, H);
        using var clip = Device.CreateTensor("clip", clips.ClipShape);
        var ring = new FrameRing(W, H, buffers: 2);
        var ready = new List<long>();
        for (var n = 0; n < 14; n++)
        {
            var f = ring.Rent();
            Array.Fill(f.Pixels, (byte)n);
            ring.Publish(f);
            var frame = ring.Take(TimeSpan.FromSeconds(1))!;
            if (clips.WantsFrame(frame))
            {
                Device.Run(list =>
                {
                    gpu.Write(frame, list);
                    clips.RecordSample(list, gpu, frame);
                });
            }
            ring.Release(frame);
            if (clips.IsReady)
            {
                ready.Add(n);
                clips.TakeClip(clip);
            }
        }
        // Samples are frames 0, 2, 4, ...; the ring holds 3 + 1 samples, so the first clip is ready at
        // frame 6, then every second sample (hop 2): frames 10 and 14 (not reached).
        Assert.Equal([6L, 10L], ready);
        var values = clip.Download<float>();
        var frameFloats = 8 * 8 * 4;
        // Clip 0 ends one sample before the newest (4, 6, 8), clip 1 at the newest (6, 8, 10).
        float[] want = [4, 6, 8, 6, 8, 10];
        for (var i = 0; i < want.Length; i++)
            Assert.Equal(want[i], values[i * frameFloats]);
    }

    [Fact]
    public void A_clip_for_a_network_on_another_device_crosses_through_the_host_bit_exact_and_counted()
    {
        // Two logical devices on one physical device share no memory: the clip must take the bridge.
        const int W = 24, H = 18;
        var geometry = new ClipGeometry(3, 1, 16, 12, Normalization.ImageNet, Clips: 2, Crops: 3, ClipStride: 1);
        using var other = Fixture.Instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null });
        using var here = new ClipBuffer(Device, geometry, W, H);
        using var there = new ClipBuffer(Device, geometry, W, H);
        using var gpu = new GpuFrame(Device, W, H);
        var random = new Random(7);
        var ring = new FrameRing(W, H, buffers: 2);
        for (var n = 0; n < 5; n++)
        {
            var f = ring.Rent();
            random.NextBytes(f.Pixels);
            ring.Publish(f);
            var frame = ring.Take(TimeSpan.FromSeconds(1))!;
            Device.Run(list =>
            {
                gpu.Write(frame, list);
                here.RecordSample(list, gpu, frame);
                there.RecordSample(list, gpu, frame);
            });
            ring.Release(frame);
        }
        Assert.True(here.IsReady && there.IsReady);
        using var local = Device.CreateTensor("clip", here.ClipShape);
        using var remote = other.CreateTensor("clip on another device", there.ClipShape);
        var clipBytes = (long)remote.ByteExtent;

        var (hereBefore, otherBefore) = (Device.Traffic, other.Traffic);
        here.TakeClip(local);
        Device.WaitIdle();
        Assert.Equal(new HostTraffic(0, 0), Device.Traffic - hereBefore);
        there.TakeClip(remote);
        Assert.Equal(new HostTraffic(0, clipBytes), Device.Traffic - hereBefore);
        Assert.Equal(new HostTraffic(clipBytes, 0), other.Traffic - otherBefore);

        var want = local.Download<uint>();
        var got = remote.Download<uint>();
        Assert.Equal(want.Length, got.Length);
        Assert.True(want.AsSpan().SequenceEqual(got), "the clip on the other device differs from the one copied on the GPU");
        Assert.Contains(want, v => v != 0);
    }

    [Fact]
    public void A_crop_larger_than_the_resized_frame_is_refused_with_the_sizes()
    {
        var geometry = new ClipGeometry(1, 1, 16, 24, Normalization.ImageNet);
        var e = Assert.Throws<EngineException>(() => new ClipBuffer(Device, geometry, 64, 48));
        Assert.Contains("24x24", e.Message);
    }
}
