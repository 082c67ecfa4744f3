using System.Diagnostics;
using Engine.Gpu;
using Engine.Host;
using Engine.Tests.Gpu;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Host;

/// <summary>
/// Faults of the recording while the host runs: the presenter never throws at the host, restarts a
/// dead encoder on a new file and stops for good when the disk is full. Frames are presented as the
/// host does (one overlay image on the device per frame).
/// </summary>
public sealed class RecordingPresenterTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    private const int W = 64, H = 48, Fps = 30;
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("engine-record-");
    private readonly LogRecorder _log = new();

    /// <summary>A solid grey overlay image on the device, as the host hands presenters.</summary>
    private OverlayImage Image(Tensor pixels)
    {
        pixels.Upload<uint>([.. Enumerable.Repeat(0xFF808080u, W * H)]);
        return new OverlayImage(pixels, W, H);
    }

    private RecordingPresenter Recorder(string path) => new(path, W, H, Fps, _log.CreateLogger("record"));

    /// <summary>Kills the current encoder and waits until it is gone, so the next frame's write finds it dead.</summary>
    private static void KillEncoder(RecordingPresenter recorder)
    {
        using var encoder = Process.GetProcessById(recorder.ProcessId!.Value);
        encoder.Kill();
        encoder.WaitForExit();
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void When_the_encoder_is_killed_the_recording_goes_on_in_a_new_file_with_the_reason_logged()
    {
        using var pixels = Device.CreateTensor("overlay", new Shape(W * H), DataType.UInt32);
        var image = Image(pixels);
        var path = Path.Combine(_out.FullName, "out.mp4");
        var recorder = Recorder(path);
        for (var i = 0; i < 60; i++)
            recorder.Present(image, i);
        KillEncoder(recorder);
        for (var i = 60; i < 100; i++)
            recorder.Present(image, i);
        recorder.Dispose();

        var next = Path.Combine(_out.FullName, "out.1.mp4");
        Assert.Equal([path, next], recorder.Files);
        Assert.Null(recorder.StopReason);
        Assert.Equal(100, recorder.Frames);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("killed by signal 9", warning.Message, StringComparison.Ordinal);
        Assert.Contains(next, warning.Message, StringComparison.Ordinal);
        // Every frame after the restart is in the new file, which was closed properly.
        Assert.Equal((40, W, H), TestMedia.Probe(next));
        // The killed file keeps its flushed fragments (half a second each); the pipe held the host back
        // until the encoder had read all but a few of its 60 frames, so at least the first fragment is whole.
        var (kept, _, _) = TestMedia.Probe(path);
        Assert.InRange(kept, Fps / 2, 60);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void When_the_disk_is_full_the_recording_stops_with_the_reason_and_later_frames_are_ignored()
    {
        // /dev/full: every write fails with ENOSPC, the error a full disk gives; the link keeps the .mp4 name.
        var path = Path.Combine(_out.FullName, "out.mp4");
        File.CreateSymbolicLink(path, "/dev/full");
        using var pixels = Device.CreateTensor("overlay", new Shape(W * H), DataType.UInt32);
        var image = Image(pixels);
        var recorder = Recorder(path);
        // The encoder fails on its first flush; the bound only ends a recorder that never notices.
        var presented = 0;
        while (recorder.StopReason is null && presented < 10_000)
            recorder.Present(image, presented++);
        for (var i = 0; i < 10; i++)
            recorder.Present(image, presented++);
        recorder.Dispose();

        Assert.NotNull(recorder.StopReason);
        Assert.Contains("the disk is full", recorder.StopReason, StringComparison.Ordinal);
        Assert.Contains("No space left on device", recorder.StopReason, StringComparison.Ordinal);
        Assert.Equal([path], recorder.Files);
        Assert.Null(recorder.ProcessId);
        Assert.True(recorder.Frames < presented, $"{recorder.Frames} of {presented} frames recorded");
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message == recorder.StopReason);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_restarted_encoder_that_dies_within_its_first_second_stops_the_recording_instead_of_littering_files()
    {
        using var pixels = Device.CreateTensor("overlay", new Shape(W * H), DataType.UInt32);
        var image = Image(pixels);
        var recorder = Recorder(Path.Combine(_out.FullName, "out.mp4"));
        for (var i = 0; i < 10; i++)
            recorder.Present(image, i);
        KillEncoder(recorder);
        recorder.Present(image, 10);
        KillEncoder(recorder);
        recorder.Present(image, 11);
        recorder.Present(image, 12);
        recorder.Dispose();

        Assert.Equal(2, recorder.Files.Count);
        Assert.Contains("died within its first second", recorder.StopReason, StringComparison.Ordinal);
        Assert.Equal(11, recorder.Frames);
    }

    public new void Dispose()
    {
        _out.Delete(recursive: true);
        base.Dispose();
    }
}
